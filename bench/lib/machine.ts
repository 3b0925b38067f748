import { cpus, release, totalmem } from 'node:os';

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
  out(`date: ${new Date().toISOString()}`);
}
