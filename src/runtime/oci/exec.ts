import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { ExecOptions } from '../types.js';
import { parseCriRecord } from './cri-log-writer.js';
import type { Runc } from './runc.js';
import { shellQuote } from './shim-protocol.js';

const run = promisify(execFile);

/**
 * Runs `command` in container `id` with `runc exec` and resolves with its exit code. With a TTY,
 * runc needs a terminal on its own stdio, so it runs under `script` (util-linux), which gives it
 * one; resizes are applied to that terminal with `stty`, and runc passes them on.
 */
export async function runcExec(runc: Runc, id: string, options: ExecOptions): Promise<number> {
  const pidFile = join(tmpdir(), `skiff-exec-${randomBytes(6).toString('hex')}.pid`);
  const args = [...runc.globalArgs(), 'exec', ...(options.tty ? ['--tty'] : []), '--pid-file', pidFile, id, ...options.command];
  const [cmd, argv] = options.tty ? ['script', ['-q', '-e', '-c', shellQuote([runc.binary, ...args]), '/dev/null']] : [runc.binary, args];
  const child = spawn(cmd as string, argv as string[], { stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  if (options.stdin) {
    options.stdin.pipe(child.stdin!);
    child.stdin!.on('error', () => undefined);
  }
  if (options.stdout) child.stdout!.pipe(options.stdout, { end: false });
  else child.stdout!.resume();
  if (options.stderr) child.stderr!.pipe(options.stderr, { end: false });
  else child.stderr!.resume();
  const killProcess = async () => {
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    child.kill('SIGKILL');
  };
  const timer = options.timeoutMs ? setTimeout(() => void killProcess(), options.timeoutMs) : undefined;
  const onAbort = () => void killProcess();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.tty && options.resize) void applyResizes(child.pid!, options.resize);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c, signal) => resolve(c ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
    });
    return code;
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (options.stdin) options.stdin.unpipe(child.stdin!);
    await rm(pidFile, { force: true });
  }
}

async function terminalOf(scriptPid: number): Promise<string | undefined> {
  for (let i = 0; i < 100; i++) {
    const children = (await readFile(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').catch(() => '')).trim().split(/\s+/).filter(Boolean);
    for (const child of children) {
      const tty = await readlink(`/proc/${child}/fd/0`).catch(() => '');
      if (tty.startsWith('/dev/pts/')) return tty;
    }
    await sleep(10);
  }
  return undefined;
}

async function applyResizes(scriptPid: number, resize: AsyncIterable<{ width: number; height: number }>): Promise<void> {
  let tty: string | undefined;
  try {
    for await (const size of resize) {
      tty ??= await terminalOf(scriptPid);
      if (!tty) return;
      await run('stty', ['-F', tty, 'rows', String(size.height), 'cols', String(size.width)]).catch(() => undefined);
    }
  } catch {
    /* the stream ended with the session */
  }
}

/**
 * Attaches to a container's stdio: what the caller writes goes to the container's stdin FIFO
 * (containers created with `stdin`), and its output is followed from the CRI log file from now
 * on, until the container exits or `signal` aborts.
 */
export async function attachContainer(
  logPath: string,
  stdinFifo: string | undefined,
  options: Omit<ExecOptions, 'command'>,
  isRunning: () => Promise<boolean>,
): Promise<void> {
  // where the output starts is fixed before any input flows, so no answer to it is missed
  const file = await open(logPath, 'r');
  let offset = (await file.stat()).size;
  const fifo = options.stdin && stdinFifo ? await open(stdinFifo, 'r+') : undefined;
  const input = fifo?.createWriteStream({ autoClose: false });
  if (input) options.stdin!.pipe(input);
  try {
    let rest = '';
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
      if (bytesRead > 0) {
        offset += bytesRead;
        const lines = (rest + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          const record = parseCriRecord(line);
          if (!record) continue;
          const out = record.stream === 'stderr' && !options.tty ? options.stderr : options.stdout;
          out?.write(record.full ? `${record.content}\n` : record.content);
        }
        continue;
      }
      if (options.signal?.aborted || !(await isRunning())) return;
      await sleep(50);
    }
  } finally {
    if (input) options.stdin!.unpipe(input);
    await fifo?.close().catch(() => undefined);
    await file.close();
  }
}
