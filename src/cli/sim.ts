import { pino } from 'pino';
import { Client, fromKubeconfigPath } from '../client/index.js';
import { parseLabelSpec, SimNodes } from '../sim/index.js';
import { UsageError, type FlagSpec } from './flags.js';

export const simFlags: FlagSpec[] = [
  { name: 'nodes', description: 'how many nodes to simulate', default: '10' },
  { name: 'cpu', description: 'cpu capacity of each node', default: '8' },
  { name: 'memory', description: 'memory capacity of each node', default: '32Gi' },
  { name: 'pods', description: 'pod capacity of each node', default: '110' },
  { name: 'labels', description: 'extra node labels, key=v1|v2|v3 cycling over the nodes, comma-separated', default: '' },
  { name: 'name-prefix', description: 'node name prefix; nodes are <prefix>0 … <prefix>N-1', default: 'sim-' },
  { name: 'kubeconfig', description: 'kubeconfig file (default $KUBECONFIG, then ~/.kube/config)' },
  { name: 'log-level', description: 'trace, debug, info, warn or error', default: 'info' },
];

/** `skiff sim --nodes N …`: registers the nodes, prints a line when they are ready, runs until SIGINT/SIGTERM. */
export async function runSim(flags: Map<string, string>, signal: AbortSignal, out: (line: string) => void): Promise<void> {
  const count = Number(flags.get('nodes'));
  const pods = Number(flags.get('pods'));
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--nodes must be a positive integer, got ${flags.get('nodes')}`);
  if (!Number.isInteger(pods) || pods < 1) throw new UsageError(`--pods must be a positive integer, got ${flags.get('pods')}`);
  let labels;
  try {
    labels = parseLabelSpec(flags.get('labels') ?? '');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const logger = pino({ level: flags.get('log-level') ?? 'info', base: { component: 'sim' } }, pino.destination(2));
  const client = new Client(fromKubeconfigPath(flags.get('kubeconfig') || undefined));
  const sim = new SimNodes({ client, logger, count, namePrefix: flags.get('name-prefix')!, cpu: flags.get('cpu')!, memory: flags.get('memory')!, pods, labels });
  await sim.run(signal, () => out(`${count} simulated nodes ready (${flags.get('name-prefix')}0 … ${flags.get('name-prefix')}${count - 1})`));
  out('simulated nodes removed');
}
