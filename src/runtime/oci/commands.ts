import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CommandAnswer, CommandRequest } from './command-protocol.js';

const HELPER_SCRIPT = fileURLToPath(new URL('./command-helper.js', import.meta.url));

/** Options of one command. */
export interface CommandOptions {
  /** the whole environment (the helper's, i.e. this process's at its start, unless given) */
  env?: Record<string, string>;
  cwd?: string;
  /** written to the command's stdin, which is then closed */
  input?: string;
}

/** A command that failed to start or exited non-zero; shaped like `execFile`'s error. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
    readonly signal: string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

/** A request before the helper numbers it (each member of the union without its `id`). */
type Unsent<T> = T extends unknown ? Omit<T, 'id'> : never;

type Pending = { resolve: (answer: CommandAnswer) => void; reject: (error: Error) => void };

/**
 * Runs commands through one long-lived helper process (`command-helper.ts`), so the caller
 * never forks: a fork of a large process costs milliseconds of blocked event loop. The helper
 * starts on first use and again after it died; it never keeps this process alive on its own.
 */
class CommandHelper {
  private child?: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  request(message: Unsent<CommandRequest>): Promise<CommandAnswer> {
    const child = this.ensure();
    const id = this.nextId++;
    return new Promise<CommandAnswer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.setRef(true);
      child.stdin!.write(`${JSON.stringify({ ...message, id })}\n`);
    });
  }

  private ensure(): ChildProcess {
    if (this.child) return this.child;
    const child = spawn(process.execPath, [HELPER_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child = child;
    child.stdin!.on('error', () => undefined);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const answer = JSON.parse(line) as CommandAnswer;
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      if (!this.pending.size) this.setRef(false);
      waiting.resolve(answer);
    });
    const gone = (why: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      for (const waiting of this.pending.values()) waiting.reject(new Error(`the runtime's command helper ended (${why})`));
      this.pending.clear();
    };
    child.on('error', (e) => gone(e.message));
    child.on('exit', (code, signal) => gone(signal ?? `exit ${code}`));
    this.setRef(false);
    return child;
  }

  private setRef(on: boolean): void {
    const child = this.child;
    if (!child) return;
    for (const handle of [child, child.stdin, child.stdout] as unknown as { ref?: () => void; unref?: () => void }[]) {
      if (on) handle?.ref?.();
      else handle?.unref?.();
    }
  }
}

const helper = new CommandHelper();

/** Runs `file` with `args` (no shell) and resolves with its output; rejects with a CommandError unless it exits 0. */
export async function runCommand(file: string, args: string[], options: CommandOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const answer = await helper.request({ op: 'run', file, args, ...options });
  if (!('code' in answer)) throw new Error('the command helper answered a run with a shim line');
  if (answer.code === 0 && !answer.error) return { stdout: answer.stdout, stderr: answer.stderr };
  const cmd = [file, ...args].join(' ');
  const why = answer.error ?? (answer.signal ? `killed by ${answer.signal}` : `exit ${answer.code}`);
  throw new CommandError(`Command failed: ${cmd} (${why})\n${answer.stderr}`, answer.code, answer.signal, answer.stdout, answer.stderr);
}

/** The first line a started monitor (conmon or a shim) printed, as the helper answered it. */
async function monitorLine(request: Unsent<Extract<CommandRequest, { op: 'conmon' | 'shim' }>>): Promise<string> {
  const answer = await helper.request(request);
  if (!('line' in answer)) throw new Error(`the command helper answered a ${request.op} start with a command result`);
  if (answer.error) throw new Error(answer.error);
  return answer.line;
}

/**
 * Starts conmon with `args` in folder `cwd` (where it also drops an `oom` file), its sync pipe
 * on fd 3 and its stderr appended to `shimLog`, and resolves with its first sync message
 * (`{"data": <pid>}` once `runc create` is done, a negative `data` and a `message` when it
 * failed; '' when conmon ended without one).
 */
export function startConmon(file: string, args: string[], cwd: string, shimLog: string): Promise<string> {
  return monitorLine({ op: 'conmon', file, args, cwd, shimLog });
}

/**
 * Hands container folder `dir` to a shim (one started ahead of need, or a new one whose stderr
 * goes to `shimLog`) and resolves with the first line it prints ('' when it ended silently).
 */
export function startShim(dir: string, shimLog: string): Promise<string> {
  return monitorLine({ op: 'shim', dir, shimLog });
}
