import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

/** One line naming the machine a benchmark ran on: CPU model, cores, memory, kernel, Node. */
export function machineDetails(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  return `machine: ${model}, ${cpu.length} cores, ${gib} GiB memory, Linux ${release()}, Node ${process.version}`;
}

/** The temp folder and its file system type (`/tmp on ext4`), which decides what an fsync costs. */
export function tmpFilesystem(): string {
  let type = 'unknown file system';
  try {
    type = execFileSync('df', ['-T', tmpdir()], { encoding: 'utf8' }).split('\n')[1]?.split(/\s+/)[1] ?? type;
  } catch {
    // no df on this machine: the type stays unknown, the figures are still worth printing
  }
  return `${tmpdir()} on ${type}`;
}

/** Prints the benchmark's title and the machine details. */
export function printHeader(title: string, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): void {
  out(`# ${title}`);
  out(machineDetails());
  out(`date: ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, skiff ${commit()}`);
}

function commit(): string {
  try {
    const cwd = fileURLToPath(new URL('../../../', import.meta.url));
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} + uncommitted src changes` : head;
  } catch {
    return 'unknown commit';
  }
}

/** CPU time (ms, user + system) a process has used so far, from /proc/<pid>/stat. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

/** The whole machine's busy and total CPU time (ms, all cores) so far, from /proc/stat. */
function machineCpuMs(): { busy: number; total: number } {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = ticks[3]! + ticks[4]!; // idle + iowait
  return { busy: ((total - idle) * 1000) / clockTicks, total: (total * 1000) / clockTicks };
}

const clockTicks = 100; // USER_HZ, 100 on every Linux this runs on

/**
 * Where a measured window's CPU went: named processes (by pid; this process is `self`) and the
 * whole machine, so a figure can say which part was the limit. Call `edge('start')` and
 * `edge('end')` at the window's bounds, then `report(windowMs)`.
 */
export class CpuWindow {
  private readonly used = new Map<string, number>();
  private machine = { busy: 0, total: 0 };

  constructor(private readonly pids: Record<string, number>) {}

  edge(edge: 'start' | 'end'): void {
    const sign = edge === 'start' ? -1 : 1;
    for (const [name, pid] of Object.entries(this.pids)) this.used.set(name, (this.used.get(name) ?? 0) + sign * processCpuMs(pid));
    const own = process.cpuUsage();
    this.used.set('self', (this.used.get('self') ?? 0) + (sign * (own.user + own.system)) / 1000);
    const m = machineCpuMs();
    this.machine = { busy: this.machine.busy + sign * m.busy, total: this.machine.total + sign * m.total };
  }

  /** CPU ms a named process used in the window */
  ms(name: string): number {
    return this.used.get(name) ?? 0;
  }

  /** `server 95%, etcd 61%, bench client 30% of a core; machine 96% busy (of 2 cores)`; `ops` adds µs per operation */
  report(windowMs: number, ops: number, labels: Record<string, string> = {}): string {
    const parts = [...this.used].map(([name, ms]) => `${labels[name] ?? name} ${((100 * ms) / windowMs).toFixed(0)}% (${((1000 * ms) / Math.max(1, ops)).toFixed(0)} µs/op)`);
    const cores = cpus().length;
    const busy = this.machine.total > 0 ? (100 * this.machine.busy) / this.machine.total : 0;
    return `CPU of a core in the measured window: ${parts.join(', ')}; machine ${busy.toFixed(0)}% busy (all ${cores} cores)`;
  }
}
