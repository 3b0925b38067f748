/** The files and records the `oci` runtime and its per-container shim share. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the runtime hands the shim in `<container dir>/shim.json`. */
export interface ShimConfig {
  id: string;
  bundle: string;
  runcRoot: string;
  runcBinary: string;
  logPath: string;
  cgroupsPath: string;
  tty: boolean;
  /** path of a FIFO that feeds the container's stdin, when it has one */
  stdinFifo?: string;
  /** run this plain process (the `host` runtime) instead of `runc run`, in its own process group */
  process?: { args: string[]; env: Record<string, string>; cwd: string };
}

/** What the shim records in `<container dir>/state.json`. */
export interface ShimState {
  state: 'running' | 'exited';
  /** the shim's pid, or conmon's when `monitor` is `conmon` */
  shimPid: number;
  /** who watches the container: our shim (absent) or conmon, which records the exit in its own files */
  monitor?: 'conmon';
  pid?: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  message?: string;
}

/** Files of a container directory the shim and the runtime share. */
export function shimPaths(dir: string): { config: string; state: string; pidFile: string; runcLog: string; shimLog: string } {
  return { config: join(dir, 'shim.json'), state: join(dir, 'state.json'), pidFile: join(dir, 'init.pid'), runcLog: join(dir, 'runc.log'), shimLog: join(dir, 'shim.log') };
}

/** Single-quotes `args` for `sh -c`. */
export function shellQuote(args: string[]): string {
  return args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
}

/** True when the memory cgroup at `cgroupsPath` saw an OOM kill (cgroup v1 `memory.oom_control`, or v2 `memory.events`). */
export function oomKilled(cgroupsPath: string): boolean {
  for (const [file, key] of [
    [`/sys/fs/cgroup/memory${cgroupsPath}/memory.oom_control`, 'oom_kill'],
    [`/sys/fs/cgroup/unified${cgroupsPath}/memory.events`, 'oom_kill'],
    [`/sys/fs/cgroup${cgroupsPath}/memory.events`, 'oom_kill'],
  ]) {
    try {
      const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(readFileSync(file, 'utf8'));
      if (m && Number(m[1]) > 0) return true;
    } catch {
      /* hierarchy not there */
    }
  }
  return false;
}
