#!/usr/bin/env node
import { agentFlags, runAgent } from './agent.js';
import { parseFlags, usage, UsageError } from './flags.js';
import { imagesFlags, imagesSummary, runImages } from './images.js';
import { runServer, serverFlags } from './server.js';

const commands: Record<string, { summary: string; flags: typeof serverFlags; run: (flags: Map<string, string>, args: string[], signal: AbortSignal) => Promise<void> }> = {
  server: {
    summary: 'Run the API server (with its store) for a Skiff cluster.',
    flags: serverFlags,
    run: (flags, _args, signal) => runServer(flags, signal, (line) => console.log(line)),
  },
  agent: {
    summary: 'Run a kubelet for this machine, joining the cluster at --server with --token.',
    flags: agentFlags,
    run: (flags, _args, signal) => runAgent(flags, signal, (line) => console.log(line)),
  },
  images: {
    summary: imagesSummary,
    flags: imagesFlags,
    run: (flags, args, signal) => runImages(flags, args, signal, (line) => console.log(line)),
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    const list = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`).join('\n');
    console.error(`Usage: skiff <command> [flags]\n\nCommands:\n${list}`);
    return name && name !== 'help' && name !== '--help' ? 2 : 0;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(usage(name, command.summary, command.flags));
    return 0;
  }
  let parsed;
  try {
    parsed = parseFlags(rest, command.flags);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`skiff ${name}: ${error.message}\n\n${usage(name, command.summary, command.flags)}`);
      return 2;
    }
    throw error;
  }
  const stop = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
  await command.run(parsed.flags, parsed.args, stop.signal);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`skiff: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
