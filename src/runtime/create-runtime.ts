import type { Logger } from 'pino';
import { findOnPath } from './find-on-path.js';
import { HostRuntime } from './host/index.js';
import { OciRuntime } from './oci/index.js';
import { SimRuntime } from './sim/sim-runtime.js';
import type { ContainerRuntime } from './types.js';

/** Options of `createRuntime`. */
export interface CreateRuntimeOptions {
  dataDir: string;
  logger: Logger;
  /** `auto` (default): `oci` when runc is on PATH and we are root, else `host` */
  prefer?: 'auto' | 'oci' | 'host' | 'sim';
}

/**
 * Picks the container runtime for this machine and says why, for the kubelet's log line.
 * Throws when `oci` is asked for and cannot run.
 */
export function createRuntime(options: CreateRuntimeOptions): { runtime: ContainerRuntime; why: string } {
  const prefer = options.prefer ?? 'auto';
  const { dataDir, logger } = options;
  if (prefer === 'sim') return { runtime: new SimRuntime(), why: 'asked for: simulated pods, no processes' };
  if (prefer === 'host') return { runtime: new HostRuntime({ dataDir, logger }), why: 'asked for: plain processes without isolation' };
  const root = process.getuid?.() === 0;
  const runc = findOnPath('runc') !== undefined;
  if (root && runc) return { runtime: new OciRuntime({ dataDir, logger }), why: 'runc found and running as root' };
  const missing = !root && !runc ? 'not root and runc not on PATH' : !root ? 'not root' : 'runc not on PATH';
  if (prefer === 'oci') throw new Error(`the oci runtime cannot run: ${missing}`);
  return { runtime: new HostRuntime({ dataDir, logger }), why: `${missing}: plain processes WITHOUT isolation, limits or pod networking` };
}
