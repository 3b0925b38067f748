import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startDaemon } from './daemon.js';

/** A running throwaway etcd. */
export interface RunningEtcd {
  /** `etcd://127.0.0.1:<port>`, the form `--datastore-endpoint` takes */
  endpoint: string;
  /** plain client URL, `http://127.0.0.1:<port>` */
  clientUrl: string;
  /** the etcd process, for benches that account its CPU */
  pid: number;
  /** kill etcd and remove its data dir; safe to call twice */
  stop: () => Promise<void>;
}

const ETCD_BINARY = process.env.ETCD_BINARY ?? '/usr/bin/etcd';

/**
 * Start a single-member etcd (Debian's etcd-server package) on free loopback ports with a temp
 * data dir, and wait until it serves. The process is killed if this process exits first.
 */
export async function startEtcd(): Promise<RunningEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-etcd-'));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const { pid, stop } = await startDaemon({
    name: 'etcd',
    binary: ETCD_BINARY,
    args: [
      '--name=skiff-test',
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=skiff-test=${peerUrl}`,
      '--log-level=error',
    ],
    dir,
    ready: async () => {
      const res = await fetch(`${clientUrl}/health`);
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    },
  });
  return { endpoint: `etcd://127.0.0.1:${clientPort}`, clientUrl, pid, stop };
}
