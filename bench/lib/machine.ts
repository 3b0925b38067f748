import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

/** One line naming the machine a benchmark ran on: CPU model, cores, memory, kernel, Node. */
export function machineDetails(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  return `machine: ${model}, ${cpu.length} cores, ${gib} GiB memory, Linux ${release()}, Node ${process.version}`;
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
