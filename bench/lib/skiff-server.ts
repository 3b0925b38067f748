import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** How to run one `skiff server` for a benchmark. */
export interface SkiffServerOptions {
  /** `--datastore-endpoint`; empty for the embedded SQLite store */
  datastoreEndpoint?: string;
  /** pass `--disable-agent` (default true) */
  disableAgent?: boolean;
  /** pass `--disable-scheduler` (default false) */
  disableScheduler?: boolean;
  /** write a V8 CPU profile of the server (node --cpu-prof) into this folder ('' = a fresh temp folder) */
  cpuProfileDir?: string;
  /** ms to wait for the ready line (default 30 s) */
  readyTimeoutMs?: number;
}

/** A `skiff server` child process on a fresh temp data dir. */
export interface SkiffServer {
  pid: number;
  /** `https://127.0.0.1:PORT` */
  url: string;
  kubeconfigPath: string;
  dataDir: string;
  /** performance.now() just before spawn */
  spawnedAt: number;
  /** spawn to the `export KUBECONFIG=` line on stdout */
  spawnToReadyMs: number;
  /** the server's own `readyMs` from its "API server ready" log line */
  readyMs: number | undefined;
  /** VmRSS and VmHWM of the server process, in KiB */
  memory(): { rssKiB: number; hwmKiB: number };
  /** SIGTERM, wait for exit, remove the data dir; returns the CPU profile file when profiling */
  stop(): Promise<{ cpuProfile?: string }>;
}

/** Spawns `node dist/src/cli/main.js server` on a temp data dir and port 0 and waits until it is ready. */
export async function startSkiffServer(options: SkiffServerOptions = {}): Promise<SkiffServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  // extra node flags for the server (e.g. V8 heap settings to compare), as test/e2e/lib/cluster.ts reads them
  const nodeArgs: string[] = (process.env.SKIFF_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  let profileDir: string | undefined;
  if (options.cpuProfileDir !== undefined) {
    profileDir = options.cpuProfileDir || mkdtempSync(join(tmpdir(), 'skiff-bench-prof-'));
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=500');
  }
  const args = [...nodeArgs, MAIN, 'server', '--data-dir', dataDir, '--https-listen-port', '0'];
  if (options.datastoreEndpoint) args.push('--datastore-endpoint', options.datastoreEndpoint);
  if (options.disableAgent ?? true) args.push('--disable-agent');
  if (options.disableScheduler) args.push('--disable-scheduler');

  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stderrTail = '';
  let readyMs: number | undefined;
  lines(child, 'stderr', (line) => {
    stderrTail = (stderrTail + line + '\n').slice(-4000);
    if (readyMs === undefined && line.includes('"readyMs"')) {
      try {
        readyMs = (JSON.parse(line) as { readyMs?: number }).readyMs;
      } catch {
        // not a JSON log line
      }
    }
  });

  const stop = async (): Promise<{ cpuProfile?: string }> => {
    process.removeListener('exit', killOnExit);
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
    const cpuProfile = profileDir ? newestProfile(profileDir, child.pid!) : undefined;
    return { cpuProfile };
  };

  let url = '';
  let kubeconfigPath = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`skiff server not ready within ${options.readyTimeoutMs ?? 30_000} ms:\n${stderrTail}`)), options.readyTimeoutMs ?? 30_000);
      void exit.then(() => reject(new Error(`skiff server exited during start-up:\n${stderrTail}`)));
      lines(child, 'stdout', (line) => {
        const ready = /^Skiff API server ready at (\S+)/.exec(line);
        if (ready) url = ready[1];
        const kc = /^export KUBECONFIG=(\S+)/.exec(line);
        if (kc) {
          kubeconfigPath = kc[1];
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const spawnToReadyMs = performance.now() - spawnedAt;
  for (let i = 0; i < 20 && readyMs === undefined; i++) await new Promise((r) => setTimeout(r, 5));
  return {
    pid: child.pid!,
    url,
    kubeconfigPath,
    dataDir,
    spawnedAt,
    spawnToReadyMs,
    get readyMs() {
      return readyMs;
    },
    memory: () => processMemory(child.pid!),
    stop,
  };
}

/** VmRSS and VmHWM of a process from /proc/<pid>/status, in KiB. */
export function processMemory(pid: number): { rssKiB: number; hwmKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
}

function lines(child: ChildProcess, stream: 'stdout' | 'stderr', onLine: (line: string) => void): void {
  let pending = '';
  child[stream]!.setEncoding('utf8');
  child[stream]!.on('data', (chunk: string) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      onLine(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  });
}

/** The main thread's profile (`CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile`, thread 0); the scheduler thread's is written beside it. */
function newestProfile(dir: string, pid: number): string | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${pid}.0.`));
  return files.length ? join(dir, files.sort().at(-1)!) : undefined;
}
