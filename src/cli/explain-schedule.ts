import { Client, fromKubeconfigPath } from '../client/index.js';
import { explainPathPrefix, type PodSchedulingExplanation } from '../scheduler/index.js';
import type { FlagSpec } from './flags.js';
import { UsageError } from './flags.js';

export const explainScheduleFlags: FlagSpec[] = [
  { name: 'namespace', description: 'namespace of the pod', default: 'default' },
  { name: 'n', description: 'short for --namespace' },
  { name: 'kubeconfig', description: 'kubeconfig file (default $KUBECONFIG, then ~/.kube/config)' },
];

/** Formats an explanation as a header and a table: NODE, per-plugin scores, TOTAL, FILTERED BY, best first. */
export function formatExplanation(e: PodSchedulingExplanation): string[] {
  const lines: string[] = [];
  const where = e.result === 'Scheduled' ? `Scheduled on ${e.selectedNode}` : e.result;
  lines.push(`Pod ${e.namespace}/${e.name}: ${where} (attempt ${e.attempt}, profile ${e.profile}, ${e.time})`);
  lines.push(`Nodes: ${e.numAllNodes} in the cluster, ${e.nodesEvaluated} evaluated, ${e.feasibleNodes} feasible`);
  if (e.message) lines.push(`Message: ${e.message}`);
  if (e.preFilterRejection) lines.push(`PreFilter: ${e.preFilterRejection.plugin}: ${e.preFilterRejection.reasons.join(', ')}`);
  if (e.postFilter?.message || e.postFilter?.nominatedNodeName) lines.push(`Preemption: ${e.postFilter.nominatedNodeName ? `nominated node ${e.postFilter.nominatedNodeName}` : e.postFilter.message?.replace(/^preemption: /, '')}`);
  const plugins: Array<{ plugin: string; weight: number }> = [];
  for (const n of e.nodes) for (const s of n.scores ?? []) if (!plugins.some((p) => p.plugin === s.plugin)) plugins.push({ plugin: s.plugin, weight: s.weight });
  const header = ['NODE', ...plugins.map((p) => `${p.plugin}(x${p.weight})`), 'TOTAL', 'FILTERED BY'];
  const rows = e.nodes.map((n) => {
    const name = n.selected ? `${n.name} *` : n.name;
    const scores = plugins.map((p) => {
      const s = n.scores?.find((x) => x.plugin === p.plugin);
      return s ? String(s.score) : '-';
    });
    const filtered = n.filteredOut ? `${n.filteredOut.plugin}: ${n.filteredOut.reasons.join(', ')}` : '';
    return [name, ...scores, n.totalScore !== undefined ? String(n.totalScore) : n.filteredOut ? '-' : 'n/a', filtered];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('   ').trimEnd();
  lines.push('', fmt(header), ...rows.map(fmt));
  if (e.nodes.some((n) => n.selected)) lines.push('', '* the node chosen');
  return lines;
}

/** `skiff explain-schedule <pod> [-n namespace] [--kubeconfig path]`. */
export async function runExplainSchedule(flags: Map<string, string>, args: string[], signal: AbortSignal, out: (line: string) => void): Promise<void> {
  if (args.length !== 1) throw new UsageError('expected exactly one pod name');
  const namespace = flags.get('n') ?? flags.get('namespace') ?? 'default';
  const client = new Client(fromKubeconfigPath(flags.get('kubeconfig') || undefined));
  const path = `${explainPathPrefix}${encodeURIComponent(namespace)}/${encodeURIComponent(args[0])}`;
  const res = await client.request({ method: 'GET', path, signal });
  for (const line of formatExplanation(res.body as PodSchedulingExplanation)) out(line);
}
