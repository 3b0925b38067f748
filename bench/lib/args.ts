/** Parsed `--name value`, `--name=value` and bare `--name` (→ 'true') arguments. */
export class BenchArgs {
  private readonly values = new Map<string, string>();

  constructor(argv: readonly string[] = process.argv.slice(2)) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
      const eq = arg.indexOf('=');
      if (eq > 0) this.values.set(arg.slice(2, eq), arg.slice(eq + 1));
      else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) this.values.set(arg.slice(2), argv[++i]);
      else this.values.set(arg.slice(2), 'true');
    }
  }

  /** A numeric flag, or its default. */
  number(name: string, fallback: number): number {
    const raw = this.values.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got ${raw}`);
    return value;
  }

  /** A string flag, or its default. */
  string(name: string, fallback: string): string {
    return this.values.get(name) ?? fallback;
  }

  /** A boolean flag. */
  flag(name: string): boolean {
    const raw = this.values.get(name);
    return raw !== undefined && raw !== 'false';
  }
}

/**
 * Where the server's CPU profile goes: `--cpu-prof [DIR]` or `SKIFF_BENCH_CPU_PROF=DIR` (`1` for a
 * fresh temp folder); undefined when profiling is off.
 */
export function cpuProfileRequest(args: BenchArgs): string | undefined {
  const flag = args.string('cpu-prof', process.env.SKIFF_BENCH_CPU_PROF ?? '');
  if (flag === '' || flag === 'false' || flag === '0') return undefined;
  return flag === 'true' || flag === '1' ? '' : flag;
}
