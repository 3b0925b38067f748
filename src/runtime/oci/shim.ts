/**
 * The per-container shim: a small detached process that runs `runc run` in the foreground, writes
 * the container's stdout/stderr to its CRI log file and records start, exit code, OOM kill and
 * finish time in `state.json`, so nothing is lost when the kubelet restarts. Started as
 * `node shim.js <container dir>`, or as `node shim.js --standby` ahead of need (Node's start-up
 * is then off the container's start path), reading the container dir as one line on stdin and
 * leaving when stdin closes first. It tells its parent on stdout when the container runs.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { appendFileSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { CriLogWriter } from './cri-log-writer.js';
import { readJsonFileSync, writeJsonFileSync } from './json-file.js';
import { oomKilled, shellQuote, shimPaths, type ShimConfig, type ShimState } from './shim-protocol.js';

function lastRuncError(runcLog: string): string | undefined {
  try {
    const lines = readFileSync(runcLog, 'utf8').trim().split('\n').reverse();
    for (const line of lines) {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if (entry.level === 'error' || entry.level === 'fatal') return entry.msg;
    }
  } catch {
    /* no log */
  }
  return undefined;
}

function main(dir: string): void {
  const paths = shimPaths(dir);
  const cfg = readJsonFileSync<ShimConfig>(paths.config);
  if (!cfg) throw new Error(`no shim config in ${dir}`);
  for (const signal of ['SIGHUP', 'SIGINT', 'SIGPIPE'] as const) process.on(signal, () => undefined);
  const writer = new CriLogWriter(openSync(cfg.logPath, 'a'));
  const runcArgs = ['--root', cfg.runcRoot, '--log', paths.runcLog, '--log-format', 'json', 'run', '--keep', '--bundle', cfg.bundle, '--pid-file', paths.pidFile, cfg.id];
  const [command, args] = cfg.tty ? ['script', ['-q', '-e', '-c', shellQuote([cfg.runcBinary, ...runcArgs]), '/dev/null']] : [cfg.runcBinary, runcArgs];
  const stdin: number | 'ignore' = cfg.stdinFifo ? openSync(cfg.stdinFifo, 'r+') : 'ignore';
  const stdio = [stdin, 'pipe', 'pipe'] as StdioOptions;
  const child = cfg.process
    ? spawn(cfg.process.args[0]!, cfg.process.args.slice(1), { stdio, cwd: cfg.process.cwd, env: cfg.process.env, detached: true })
    : spawn(command as string, args as string[], { stdio });
  if (cfg.process && child.pid) writeFileSync(paths.pidFile, String(child.pid));
  child.stdout!.on('data', (c: Buffer) => writer.write('stdout', c));
  child.stderr!.on('data', (c: Buffer) => writer.write('stderr', c));
  let notified = false;
  const notify = (message: object) => {
    if (notified) return;
    notified = true;
    process.stdout.write(`${JSON.stringify(message)}\n`, () => process.stdout.destroy());
    process.stdout.on('error', () => undefined);
  };
  let state: ShimState | undefined;
  const running = (pid: number) => {
    state = { state: 'running', shimPid: process.pid, pid, startedAt: Date.now() };
    writeJsonFileSync(paths.state, state);
    clearInterval(poll);
    notify({ pid });
  };
  const poll = setInterval(() => {
    if (state || !existsSync(paths.pidFile)) return;
    const pid = Number(readFileSync(paths.pidFile, 'utf8').trim());
    if (pid) running(pid);
  }, 2);
  if (cfg.process && child.pid) running(child.pid);
  let spawnError: string | undefined;
  child.on('error', (e) => (spawnError = e.message));
  child.on('close', (code, signal) => {
    clearInterval(poll);
    writer.end('stdout');
    writer.end('stderr');
    const finishedAt = Date.now();
    let final: ShimState;
    if (!state) {
      const message = spawnError ?? lastRuncError(paths.runcLog) ?? `runc exited with ${code ?? signal}`;
      final = { state: 'exited', shimPid: process.pid, startedAt: finishedAt, finishedAt, exitCode: 128, reason: 'StartError', message };
    } else {
      const exitCode = code ?? 128 + (signal ? (({ SIGKILL: 9, SIGTERM: 15 }) as Record<string, number>)[signal] ?? 0 : 0);
      const oom = cfg.cgroupsPath !== '' && oomKilled(cfg.cgroupsPath);
      final = { ...state, state: 'exited', finishedAt, exitCode, reason: oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error' };
    }
    writeJsonFileSync(paths.state, final);
    notify(final.reason === 'StartError' ? { error: final.message } : { pid: final.pid });
    setTimeout(() => process.exit(0), 10).unref();
  });
}

function standby(): void {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    text += chunk;
    const nl = text.indexOf('\n');
    if (nl < 0) return;
    process.stdin.removeAllListeners('data');
    process.stdin.removeAllListeners('end');
    process.stdin.destroy();
    const dir = text.slice(0, nl);
    process.on('uncaughtException', (error) => {
      appendFileSync(shimPaths(dir).shimLog, `${error.stack ?? error.message}\n`);
      process.exit(1);
    });
    main(dir);
  });
  process.stdin.on('end', () => process.exit(0));
}

if (process.argv[2] === '--standby') standby();
else main(process.argv[2]!);
