import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The kubectl versions installed beside the default `kubectl`. */
export type KubectlVersion = '1.27' | '1.28' | '1.29' | '1.30' | '1.31' | '1.32' | '1.33';

/** How to run one kubectl command. */
export interface KubectlOptions {
  /** the kubeconfig file, passed as `--kubeconfig` */
  kubeconfig: string;
  /** written to kubectl's stdin, then stdin is closed */
  input?: string;
  /** more environment variables */
  env?: Record<string, string>;
  /** kill kubectl after this long; 30 s unless given */
  timeoutMs?: number;
}

/** What kubectl printed and how it ended. */
export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let binDir: string | undefined;
const cacheDirs = new Map<KubectlVersion, string>();

/** The path of `kubectl.<version>`, found beside the file `kubectl` links to. */
export function kubectlBinary(version: KubectlVersion): string {
  binDir ??= dirname(realpathSync(execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim()));
  const path = join(binDir, `kubectl.${version}`);
  if (!existsSync(path)) throw new Error(`kubectl ${version} is not installed (looked for ${path})`);
  return path;
}

/** A discovery cache dir of this test process for one version, removed when the process exits. */
function cacheDir(version: KubectlVersion): string {
  let dir = cacheDirs.get(version);
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), `skiff-kubectl-${version}-`));
    cacheDirs.set(version, dir);
    if (cacheDirs.size === 1) process.once('exit', () => cacheDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  }
  return dir;
}

function spawnKubectl(version: KubectlVersion, args: string[], options: KubectlOptions): ChildProcess {
  const fullArgs = ['--kubeconfig', options.kubeconfig, '--cache-dir', cacheDir(version), ...args];
  return spawn(kubectlBinary(version), fullArgs, {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/**
 * Run the real kubectl of the given version with its own `--cache-dir` (kubectl caches discovery
 * for 6 h), and collect its output. Never rejects on a non-zero exit: the result carries it.
 */
export function kubectl(version: KubectlVersion, args: string[], options: KubectlOptions): Promise<KubectlResult> {
  const child = spawnKubectl(version, args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin!.end(options.input ?? '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timedOut = false;
  const timer = setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', (error) => (clearTimeout(timer), reject(error)));
    child.once('close', (code) => {
      clearTimeout(timer);
      if (timedOut) stderr += `\n[test harness: kubectl ${args.join(' ')} killed after ${timeoutMs} ms]`;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running kubectl (`get -w`, `logs -f`) whose output can be awaited. */
export interface KubectlProcess {
  /** stdout so far */
  stdout(): string;
  /** stderr so far */
  stderr(): string;
  /** resolve once stdout matches, reject if kubectl exits or the time runs out (10 s unless given) */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** kill kubectl and wait for it to go; safe to call twice */
  stop(): Promise<void>;
}

/** Start kubectl and leave it running (for `get -w`). */
export function startKubectl(version: KubectlVersion, args: string[], options: KubectlOptions): KubectlProcess {
  const child = spawnKubectl(version, args, options);
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => ((stdout += chunk), notify()));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin!.end(options.input ?? '');
  let closed = false;
  const closedPromise = new Promise<void>((resolve) => child.once('close', () => ((closed = true), notify(), resolve())));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  return {
    stdout: () => stdout,
    stderr: () => stderr,
    waitForOutput(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = stdout.match(pattern);
          if (match) return done(() => resolve(match));
          if (closed) done(() => reject(new Error(`kubectl ${args.join(' ')} exited before printing ${pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`)));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`kubectl ${args.join(' ')} printed no ${pattern} within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`))),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      process.removeListener('exit', killOnExit);
      if (!closed) child.kill('SIGTERM');
      await closedPromise;
    },
  };
}
