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
  /** the oci driver's pod network bridge (`--cni-bridge`), `skiff0` when absent */
  bridge?: string;
}

/**
 * Picks the container runtime for this machine and says why, for the kubelet's log line:
 * `oci` when runc is on PATH and we are root, else `host`; `sim` only when asked for. Throws when
 * `oci` is asked for and cannot run, or for an unknown choice.
 */
export function createRuntime(options: CreateRuntimeOptions): { runtime: ContainerRuntime; why: string } {
  const prefer = options.prefer ?? 'auto';
  const { dataDir, logger } = options;
  if (!['auto', 'oci', 'host', 'sim'].includes(prefer)) throw new Error(`--container-runtime: want auto, oci, host or sim, got ${JSON.stringify(prefer)}`);
  if (prefer === 'sim') return { runtime: new SimRuntime(), why: 'asked for with --container-runtime sim: pods get no processes' };
  if (prefer === 'host') return { runtime: new HostRuntime({ dataDir, logger }), why: 'asked for with --container-runtime host: plain processes without isolation' };
  const root = process.getuid?.() === 0;
  const runc = findOnPath('runc') !== undefined;
  if (root && runc) {
    const runtime = new OciRuntime({ dataDir, logger, ...(options.bridge ? { bridge: options.bridge } : {}) });
    const monitor = runtime.monitor === 'conmon' ? 'containers watched by conmon' : "containers watched by Skiff's shim (conmon not installed)";
    return { runtime, why: `runc found and running as root; ${monitor}` };
  }
  const missing = !root && !runc ? 'not root and runc not on PATH' : !root ? 'not root' : 'runc not on PATH';
  if (prefer === 'oci') throw new Error(`--container-runtime oci: the oci runtime cannot run: ${missing}`);
  return { runtime: new HostRuntime({ dataDir, logger }), why: `${missing}: plain processes WITHOUT isolation, limits or pod networking` };
}
