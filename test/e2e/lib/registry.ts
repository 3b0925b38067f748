import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A running throwaway registry (Debian's docker-registry, distribution 2.8) on loopback. */
export interface RunningRegistry {
  /** `127.0.0.1:<port>`, the registry part of image references */
  host: string;
  /** basic-auth credentials when started with `auth` */
  credentials?: { username: string; password: string };
  /** kill the registry and remove its storage; safe to call twice */
  stop: () => Promise<void>;
}

const REGISTRY_BINARY = process.env.REGISTRY_BINARY ?? '/usr/bin/docker-registry';

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

/** True when `htpasswd` (apache2-utils) is installed, needed for `startRegistry({ auth: true })`. */
export function htpasswdAvailable(): boolean {
  try {
    execFileSync('htpasswd', ['-h'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { status?: number }).status !== undefined && (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/**
 * Starts `docker-registry serve` on a free loopback port with a temp storage folder, and waits
 * until `/v2/` answers. With `auth: true` the registry requires HTTP basic auth (htpasswd,
 * bcrypt) for the returned `credentials`. The process is killed if this process exits first.
 */
export async function startRegistry(options: { auth?: boolean } = {}): Promise<RunningRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const credentials = options.auth ? { username: 'skiff', password: 'pull-secret-1' } : undefined;
  let authConfig = '';
  if (credentials) {
    const line = execFileSync('htpasswd', ['-Bbn', credentials.username, credentials.password], { encoding: 'utf8' });
    writeFileSync(join(dir, 'htpasswd'), line);
    authConfig = `auth:\n  htpasswd:\n    realm: skiff-test\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n${authConfig}`,
  );
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
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
      if (exited) throw new Error(`docker-registry exited during start-up: ${stderr}`);
      if (attempt > 300) throw new Error(`docker-registry did not answer within 30 s: ${stderr}`);
      try {
        const res = await fetch(`http://${host}/v2/`);
        await res.arrayBuffer();
        if (res.status === 200 || res.status === 401) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { host, credentials, stop };
}
