import { cpus, totalmem, tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';

/** Parse `--name value` / `--flag` arguments. */
export function benchArgs(argv = process.argv.slice(2)): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) args.set(arg.slice(2), argv[++i]!);
    else args.set(arg.slice(2), 'true');
  }
  return args;
}

/** One line describing the machine a benchmark ran on. */
export function machineLine(): string {
  let fs = '?';
  try {
    fs = execFileSync('df', ['-T', tmpdir()], { encoding: 'utf8' }).split('\n')[1]?.split(/\s+/)[1] ?? '?';
  } catch {
    // df missing: leave unknown
  }
  const cpu = cpus();
  return `machine: ${cpu.length} x ${cpu[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${tmpdir()} on ${fs}`;
}

/** The q-quantile (0..1) of an ascending-sorted array. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Print a bench line (benches are command-line programs: stdout is their output). */
export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
