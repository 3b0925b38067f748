import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startConmon } from './commands.js';
import { runcErrorText } from './runc.js';
import { oomKilled, type ShimState } from './shim-protocol.js';

/** What starting a container under conmon needs. */
export interface ConmonStart {
  conmon: string;
  runc: string;
  runcRoot: string;
  id: string;
  name: string;
  /** the container folder: OCI bundle, and where conmon keeps its pid, exit and oom files */
  dir: string;
  logPath: string;
  shimLog: string;
}

/** Files conmon writes in a container folder. */
export function conmonFiles(dir: string): { conmonPid: string; containerPid: string; exit: string; oom: string } {
  return { conmonPid: join(dir, 'conmon.pid'), containerPid: join(dir, 'init.pid'), exit: join(dir, 'exit'), oom: join(dir, 'oom') };
}

/**
 * Has conmon (CRI-O's container monitor, a small C program) create the container with
 * `runc create`: conmon stays as the container's parent, writes its output to the CRI log
 * (`k8s-file`), and its exit code (and an `oom` file) to the container folder when it ends, so
 * nothing depends on this process staying alive. Resolves with the container's and conmon's pids
 * once the container is created; `runc start` is the caller's.
 */
export async function createUnderConmon(o: ConmonStart): Promise<{ pid: number; conmonPid: number }> {
  const files = conmonFiles(o.dir);
  const args = [
    '--api-version', '1',
    '--cid', o.id,
    '--cuuid', o.id,
    '--name', o.name,
    '--runtime', o.runc,
    '--runtime-arg', `--root=${o.runcRoot}`,
    '--bundle', o.dir,
    '--container-pidfile', files.containerPid,
    '--conmon-pidfile', files.conmonPid,
    '--exit-dir', o.dir,
    '--persist-dir', o.dir,
    '--socket-dir-path', o.dir,
    '--full-attach',
    '--log-path', `k8s-file:${o.logPath}`,
    '--log-level', 'error',
  ];
  const line = await startConmon(o.conmon, args, o.dir, o.shimLog);
  let message: { data?: number; message?: string } = {};
  try {
    message = JSON.parse(line) as typeof message;
  } catch {
    /* no message: conmon failed before creating anything */
  }
  if (typeof message.data !== 'number' || message.data <= 0) {
    const why = message.message ?? ((await readFile(o.shimLog, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join('; ') || 'conmon ended without a word');
    throw new Error(runcErrorText(why).replace(/^runc create failed:\s*/i, '').replace(/^unable to start container process:\s*/i, ''));
  }
  const conmonPid = Number((await readFile(files.conmonPid, 'utf8').catch(() => '')).trim()) || 0;
  return { pid: message.data, conmonPid };
}

/**
 * The final state of a container conmon saw exit (its `exit` file), undefined while it runs.
 * OOMKilled when conmon wrote `oom` or the memory cgroup counted an OOM kill.
 */
export function conmonExit(dir: string, running: ShimState, cgroupsPath: string): ShimState | undefined {
  const files = conmonFiles(dir);
  if (!existsSync(files.exit)) return undefined;
  let text = '';
  let finishedAt = Date.now();
  try {
    text = readFileSync(files.exit, 'utf8');
  } catch {
    return undefined;
  }
  try {
    finishedAt = Math.floor(statSync(files.exit).mtimeMs);
  } catch {
    /* keep now */
  }
  const exitCode = Number(text.trim());
  if (!Number.isInteger(exitCode)) return undefined;
  const oom = existsSync(files.oom) || (cgroupsPath !== '' && oomKilled(cgroupsPath));
  return { ...running, state: 'exited', finishedAt: Math.max(finishedAt, running.startedAt ?? 0), exitCode, reason: oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error' };
}
