import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A running throwaway etcd. */
export interface RunningEtcd {
  /** `etcd://127.0.0.1:<port>`, the form `--datastore-endpoint` takes */
  endpoint: string;
  /** plain client URL, `http://127.0.0.1:<port>` */
  clientUrl: string;
  /** kill etcd and remove its data dir; safe to call twice */
  stop: () => Promise<void>;
}

const ETCD_BINARY = process.env.ETCD_BINARY ?? '/usr/bin/etcd';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

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
  const child = spawn(
    ETCD_BINARY,
    [
      '--name=skiff-test',
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=skiff-test=${peerUrl}`,
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (let attempt = 0; ; attempt++) {
      if (exited) throw new Error(`etcd exited during start-up: ${stderr}`);
      if (attempt > 300) throw new Error(`etcd did not become healthy within 30 s: ${stderr}`);
      try {
        const res = await fetch(`${clientUrl}/health`);
        if (res.ok && ((await res.json()) as { health?: string }).health === 'true') break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint: `etcd://127.0.0.1:${clientPort}`, clientUrl, stop };
}
