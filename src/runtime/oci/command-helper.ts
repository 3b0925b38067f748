/**
 * The runtime's command helper: a small child process that starts the short-lived commands of
 * pod start-up and teardown (ip, the CNI plugins, mount, runc, nft) and the per-container shims,
 * so that the server — a large process whose every `fork()` copies page tables for all its
 * memory, about 8 ms at 150 MB — never forks on the pod start path. Requests and answers are
 * JSON lines on stdin/stdout (`command-protocol.ts`); it leaves when stdin closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CommandAnswer, CommandRequest } from './command-protocol.js';

const SHIM_SCRIPT = fileURLToPath(new URL('./shim.js', import.meta.url));
const MAX_OUTPUT = 4 * 1024 * 1024;

function answer(message: CommandAnswer): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function runCommand(request: Extract<CommandRequest, { op: 'run' }>): void {
  const child = spawn(request.file, request.args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(request.env ? { env: request.env } : {}),
    ...(request.cwd ? { cwd: request.cwd } : {}),
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let size = 0;
  const collect = (into: Buffer[]) => (c: Buffer) => {
    size += c.length;
    if (size <= MAX_OUTPUT) into.push(c);
  };
  child.stdout.on('data', collect(out));
  child.stderr.on('data', collect(err));
  child.stdin.on('error', () => undefined);
  child.stdin.end(request.input ?? '');
  let failed: string | undefined;
  child.on('error', (e) => (failed = e.message));
  child.on('close', (code, signal) => {
    answer({ id: request.id, code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ...(failed ? { error: failed } : {}) });
  });
}

/** A shim started ahead of need, waiting on stdin for its container folder. */
let standby: ChildProcess | undefined;

function spawnShim(shimLog?: string): ChildProcess {
  const fd = shimLog ? openSync(shimLog, 'a') : 'ignore';
  try {
    const child = spawn(process.execPath, [SHIM_SCRIPT, '--standby'], { detached: true, stdio: ['pipe', 'pipe', fd] });
    child.on('error', () => undefined);
    child.stdin!.on('error', () => undefined);
    return child;
  } finally {
    if (typeof fd === 'number') closeSync(fd);
  }
}

function startShim(request: Extract<CommandRequest, { op: 'shim' }>): void {
  let child = standby;
  standby = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) child = spawnShim(request.shimLog);
  let text = '';
  let done = false;
  const finish = (line: string, error?: string) => {
    if (done) return;
    done = true;
    child.stdout!.destroy();
    child.unref();
    answer({ id: request.id, line, ...(error ? { error } : {}) });
  };
  child.stdout!.on('data', (c: Buffer) => {
    text += c.toString();
    const nl = text.indexOf('\n');
    if (nl >= 0) finish(text.slice(0, nl));
  });
  child.stdout!.on('close', () => finish(text));
  child.on('error', (e) => finish('', e.message));
  child.stdin!.end(`${request.dir}\n`);
  standby = spawnShim();
}

/** Starts conmon with its sync pipe on fd 3 (`_OCI_SYNCPIPE`) and answers its first message: the container's pid once `runc create` is done, or an error. */
function startConmon(request: Extract<CommandRequest, { op: 'conmon' }>): void {
  const fd = openSync(request.shimLog, 'a');
  let child: ChildProcess;
  try {
    child = spawn(request.file, request.args, { stdio: ['ignore', 'ignore', fd, 'pipe'], cwd: request.cwd, env: { ...process.env, _OCI_SYNCPIPE: '3' } });
  } finally {
    closeSync(fd);
  }
  const sync = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
  let text = '';
  let done = false;
  const finish = (line: string, error?: string) => {
    if (done) return;
    done = true;
    sync.destroy();
    answer({ id: request.id, line, ...(error ? { error } : {}) });
  };
  sync.on('data', (c: Buffer) => {
    text += c.toString();
    try {
      JSON.parse(text);
      finish(text.trim());
    } catch {
      /* not whole yet */
    }
  });
  sync.on('close', () => finish(text.trim()));
  sync.on('error', () => undefined);
  child.on('error', (e) => finish('', e.message));
}

function main(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    const request = JSON.parse(line) as CommandRequest;
    try {
      if (request.op === 'run') runCommand(request);
      else if (request.op === 'conmon') startConmon(request);
      else startShim(request);
    } catch (error) {
      answer({ id: request.id, code: null, signal: null, stdout: '', stderr: '', error: (error as Error).message });
    }
  });
  lines.on('close', () => {
    standby?.stdin?.destroy();
    process.exit(0);
  });
}

main();
