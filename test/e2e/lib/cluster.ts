import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** How to start a throwaway `skiff server`. */
export interface StartClusterOptions {
  /** `etcd://127.0.0.1:<port>`; the embedded SQLite store when absent */
  datastoreEndpoint?: string;
  /** more flags for `skiff server` */
  extraArgs?: string[];
  /** run the agent for this machine; off by default (`--disable-agent`) so pods stay unbound */
  agent?: boolean;
  /** how long to wait for the "ready at" line; 30 s unless given */
  startTimeoutMs?: number;
}

/** How a server process ended. */
export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `skiff server` in its own temp dir. */
export interface RunningCluster {
  /** `https://127.0.0.1:<port>`, from the "ready at" line */
  readonly url: string;
  /** the port it listens on; kept across `restart()` */
  readonly port: number;
  /** the server's `--data-dir` (PKI, database, kubeconfig) */
  readonly dataDir: string;
  /** `<dataDir>/kubeconfig.yaml`, the admin kubeconfig the server writes */
  readonly kubeconfig: string;
  /** the server's stderr (JSON logs), across restarts */
  readonly logFile: string;
  /** SIGTERM, wait for the exit (SIGKILL after 10 s), remove the temp dir; safe to call twice */
  stop(): Promise<void>;
  /** send a signal (SIGKILL unless given), wait for the exit, keep the data dir for a restart */
  kill(signal?: NodeJS.Signals): Promise<ServerExit>;
  /** stop the process if it runs (SIGTERM), then start it again on the same data dir and port */
  restart(): Promise<void>;
  /** the server's stderr so far */
  logs(): string;
}

const mainJs = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
const readyLine = /^Skiff API server ready at (https:\/\/\S+)$/;

interface Started {
  child: ChildProcess;
  exited: Promise<ServerExit>;
  url: string;
}

/**
 * Start the real `skiff server` (the compiled CLI) as a child process, on a fresh temp data dir
 * and a free loopback port, and wait until it prints its "ready at" line. Callers register
 * `after(() => cluster.stop())`; the process is also killed if the test process exits first.
 * When start-up fails, the server's stderr is part of the thrown error.
 */
export async function startCluster(options: StartClusterOptions = {}): Promise<RunningCluster> {
  const root = mkdtempSync(join(tmpdir(), 'skiff-e2e-'));
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  let current: Started | undefined;
  let port = 0;
  let url = '';
  let removed = false;

  const killOnExit = () => {
    current?.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  const launch = async () => {
    const args = [...nodeArgsFromEnv(), mainJs, 'server', '--data-dir', dataDir, '--https-listen-port', String(port)];
    if (options.datastoreEndpoint) args.push('--datastore-endpoint', options.datastoreEndpoint);
    if (!options.agent) args.push('--disable-agent');
    args.push(...(options.extraArgs ?? []));
    current = await launchServer(args, logFile, options.startTimeoutMs ?? 30_000);
    url = current.url;
    port = Number(new URL(url).port);
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<ServerExit> => {
    const running = current;
    if (!running) return { code: null, signal: null };
    current = undefined;
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill(signal);
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 10_000);
    try {
      return await running.exited;
    } finally {
      clearTimeout(timer);
    }
  };

  const stop = async () => {
    await kill('SIGTERM');
    if (!removed) {
      removed = true;
      process.removeListener('exit', killOnExit);
      rmSync(root, { recursive: true, force: true });
    }
  };

  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    get url() {
      return url;
    },
    get port() {
      return port;
    },
    dataDir,
    kubeconfig: join(dataDir, 'kubeconfig.yaml'),
    logFile,
    stop,
    kill,
    async restart() {
      if (removed) throw new Error('restart after stop: the data dir is gone');
      await kill('SIGTERM');
      await launch();
    },
    logs: () => readLog(logFile),
  };
}

/** Extra node flags for the server process (e.g. `--cpu-prof`), from `$SKIFF_SERVER_NODE_ARGS`, for profiling benchmarks. */
function nodeArgsFromEnv(): string[] {
  return (process.env.SKIFF_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

async function launchServer(args: string[], logFile: string, timeoutMs: number): Promise<Started> {
  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', logFd] });
  } finally {
    closeSync(logFd);
  }
  const exited = new Promise<ServerExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const lines = createInterface({ input: child.stdout! });
  const stdout: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      lines.on('line', (line) => {
        stdout.push(line);
        const match = readyLine.exec(line.trim());
        if (match) resolve(match[1]!);
      });
      void exited.then((exit) => reject(new Error(`skiff server exited during start-up (${exit.signal ?? `code ${exit.code}`})`)));
      timer = setTimeout(() => reject(new Error(`skiff server printed no "ready at" line within ${timeoutMs} ms`)), timeoutMs);
    });
    return { child, exited, url };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    const detail = `${(error as Error).message}\nargs: ${args.slice(1).join(' ')}\nstdout:\n${stdout.join('\n')}\nstderr:\n${readLog(logFile)}`;
    throw new Error(detail);
  } finally {
    clearTimeout(timer);
  }
}

function readLog(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8');
  } catch {
    return '';
  }
}
