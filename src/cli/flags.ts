/** A flag a subcommand takes: `--name value`, `--name=value`, or a boolean `--name`. */
export interface FlagSpec {
  name: string;
  description: string;
  boolean?: boolean;
  default?: string;
}

export class UsageError extends Error {}

/** Parses `argv` against the specs; unknown flags and missing values are usage errors. */
export function parseFlags(argv: string[], specs: FlagSpec[]): { flags: Map<string, string>; args: string[] } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const flags = new Map<string, string>();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') {
      args.push(arg);
      continue;
    }
    const text = arg.replace(/^--?/, '');
    const eq = text.indexOf('=');
    const name = eq >= 0 ? text.slice(0, eq) : text;
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown flag: --${name}`);
    if (spec.boolean) {
      flags.set(name, eq >= 0 ? text.slice(eq + 1) : 'true');
      continue;
    }
    const value = eq >= 0 ? text.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`flag needs an argument: --${name}`);
    flags.set(name, value);
  }
  for (const spec of specs) if (spec.default !== undefined && !flags.has(spec.name)) flags.set(spec.name, spec.default);
  return { flags, args };
}

export function usage(command: string, summary: string, specs: FlagSpec[]): string {
  const lines = specs.map((s) => `  --${s.name}${s.boolean ? '' : ' value'}`.padEnd(34) + s.description + (s.default !== undefined ? ` (default ${JSON.stringify(s.default)})` : ''));
  return `Usage: skiff ${command} [flags]\n\n${summary}\n\nFlags:\n${lines.join('\n')}\n`;
}
