#!/usr/bin/env node
import { setMaxListeners } from 'node:events';
import { parseFlags, usage, UsageError, type FlagSpec } from './flags.js';

/** A subcommand, loaded only when it is the one asked for (a broken or heavy command costs the others nothing). */
interface Command {
  summary: string;
  load(): Promise<{ flags: FlagSpec[]; run(flags: Map<string, string>, args: string[], signal: AbortSignal): Promise<void> }>;
}

const out = (line: string) => console.log(line);

const commands: Record<string, Command> = {
  server: {
    summary: 'Run the API server (with its store) for a Skiff cluster.',
    load: async () => {
      const { runServer, serverFlags } = await import('./server.js');
      return { flags: serverFlags, run: (flags, _args, signal) => runServer(flags, signal, out) };
    },
  },
  agent: {
    summary: 'Run a kubelet for this machine, joining the cluster at --server with --token.',
    load: async () => {
      const { agentFlags, runAgent } = await import('./agent.js');
      return { flags: agentFlags, run: (flags, _args, signal) => runAgent(flags, signal, out) };
    },
  },
  sim: {
    summary: 'Add N simulated nodes (like kwok) whose pods go Running without containers; removed on exit.',
    load: async () => {
      const { runSim, simFlags } = await import('./sim.js');
      return { flags: simFlags, run: (flags, _args, signal) => runSim(flags, signal, out) };
    },
  },
  'explain-schedule': {
    summary: 'Show per node why the scheduler placed a pod where it did, or could not: the filtering plugin or the scores.',
    load: async () => {
      const { explainScheduleFlags, runExplainSchedule } = await import('./explain-schedule.js');
      return { flags: explainScheduleFlags, run: (flags, args, signal) => runExplainSchedule(flags, args, signal, out) };
    },
  },
  images: {
    summary: "Manage the node's images: ls, pull REF, import FILE…, rm REF… (works while the node runs).",
    load: async () => {
      const { imagesFlags, runImages } = await import('./images.js');
      return { flags: imagesFlags, run: (flags, args, signal) => runImages(flags, args, signal, out) };
    },
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    const list = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(18)} ${c.summary}`).join('\n');
    console.error(`Usage: skiff <command> [flags]\n\nCommands:\n${list}`);
    return name && name !== 'help' && name !== '--help' ? 2 : 0;
  }
  const loaded = await command.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(usage(name, command.summary, loaded.flags));
    return 0;
  }
  let parsed;
  try {
    parsed = parseFlags(rest, loaded.flags);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`skiff ${name}: ${error.message}\n\n${usage(name, command.summary, loaded.flags)}`);
      return 2;
    }
    throw error;
  }
  const stop = new AbortController();
  // every component of the process hangs its shutdown on this one signal
  setMaxListeners(0, stop.signal);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
  await loaded.run(parsed.flags, parsed.args, stop.signal);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`skiff: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
