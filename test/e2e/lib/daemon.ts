import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A free TCP port on loopback (closed again before it is returned). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface DaemonOptions {
  /** for error messages: `etcd`, `docker-registry` */
  name: string;
  binary: string;
  args: string[];
  /** its temp folder, removed by stop() */
  dir: string;
  /** asked every 100 ms (for up to 30 s) until it answers true; throwing counts as not yet */
  ready: () => Promise<boolean>;
}

/**
 * Starts a test server process and waits until it is ready. Returns its pid and `stop()` (SIGTERM, SIGKILL
 * after 5 s, then the folder is removed; safe to call twice); the process is also killed if the
 * test process exits first, and stopped again when start-up fails.
 */
export async function startDaemon(options: DaemonOptions): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn(options.binary, options.args, { stdio: ['ignore', 'ignore', 'pipe'] });
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
    rmSync(options.dir, { recursive: true, force: true });
  };
  try {
    for (let attempt = 0; ; attempt++) {
      if (exited) throw new Error(`${options.name} exited during start-up: ${stderr}`);
      if (attempt > 300) throw new Error(`${options.name} was not ready within 30 s: ${stderr}`);
      if (await options.ready().catch(() => false)) break;
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid!, stop };
}
