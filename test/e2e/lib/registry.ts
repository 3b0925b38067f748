import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startDaemon } from './daemon.js';

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
  const { stop } = await startDaemon({
    name: 'docker-registry',
    binary: REGISTRY_BINARY,
    args: ['serve', config],
    dir,
    ready: async () => {
      const res = await fetch(`http://${host}/v2/`);
      await res.arrayBuffer();
      return res.status === 200 || res.status === 401;
    },
  });
  return { host, credentials, stop };
}
