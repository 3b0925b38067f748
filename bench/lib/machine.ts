import { execFileSync } from 'node:child_process';
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
