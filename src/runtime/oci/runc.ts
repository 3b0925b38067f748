import { execFileSync } from 'node:child_process';
import { runCommand as run } from './commands.js';

/** The installed runc's version (`runc --version`), read once at start-up; 'unknown' without runc. */
export function runcVersion(binary = 'runc'): string {
  try {
    return /runc version (\S+)/.exec(execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 }))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The message of runc's last error in `stderr`, which carries logrus lines (`time=… level=error
 * msg="…"`) or JSON log lines; the text itself when it has neither. `runc create failed: ` and
 * the like are left for the caller.
 */
export function runcErrorText(stderr: string): string {
  const lines = stderr.trim().split('\n').reverse();
  for (const line of lines) {
    const text = /\blevel=(?:error|fatal) msg="((?:[^"\\]|\\.)*)"/.exec(line);
    if (text) return text[1]!.replace(/\\(.)/g, '$1');
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if ((entry.level === 'error' || entry.level === 'fatal') && entry.msg) return entry.msg;
    } catch {
      /* not a JSON log line */
    }
  }
  return stderr.trim();
}

/** What `runc state` says about a container. */
export interface RuncState {
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
}

/** Thin wrapper over the `runc` command line with its own state root. */
export class Runc {
  constructor(
    /** runc's `--root` (state folder) */
    readonly root: string,
    readonly binary = 'runc',
  ) {}

  /** Arguments that precede every runc subcommand. */
  globalArgs(): string[] {
    return ['--root', this.root];
  }

  /** `runc state`, undefined when runc does not know the container. */
  async state(id: string): Promise<RuncState | undefined> {
    try {
      const { stdout } = await run(this.binary, [...this.globalArgs(), 'state', id]);
      return JSON.parse(stdout) as RuncState;
    } catch {
      return undefined;
    }
  }

  /** `runc start` of a created container. */
  async start(id: string): Promise<void> {
    try {
      await run(this.binary, [...this.globalArgs(), 'start', id]);
    } catch (error) {
      throw new Error(`runc start ${id}: ${runcErrorText((error as { stderr?: string }).stderr ?? '') || (error as Error).message}`);
    }
  }

  /** `runc kill`; a container that is gone or stopped is fine. */
  async kill(id: string, signal: string, all = false): Promise<void> {
    await run(this.binary, [...this.globalArgs(), 'kill', ...(all ? ['--all'] : []), id, signal]).catch(() => undefined);
  }

  /** `runc delete --force`; a container runc does not know is fine. */
  async delete(id: string): Promise<void> {
    try {
      await run(this.binary, [...this.globalArgs(), 'delete', '--force', id]);
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      if (!/does not exist|not exist|no such file/i.test(stderr)) throw new Error(`runc delete ${id}: ${stderr.trim() || (error as Error).message}`);
    }
  }

}
