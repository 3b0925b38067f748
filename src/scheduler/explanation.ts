import type { Status } from './framework/index.js';

/** Why one node was rejected: the plugin and its reasons. */
export interface NodeRejection {
  plugin: string;
  /** Unschedulable, UnschedulableAndUnresolvable … */
  code: string;
  reasons: string[];
}

/** One node in an explanation: either rejected by a plugin, or scored by each Score plugin. */
export interface NodeExplanation {
  name: string;
  filteredOut?: NodeRejection;
  /** weighted score per Score plugin; absent when scoring was skipped (a single feasible node) */
  scores?: Array<{ plugin: string; weight: number; score: number }>;
  totalScore?: number;
  selected?: boolean;
}

/** The last scheduling decision about a pod, as `explain(namespace, name)` returns it. */
export interface ScheduleExplanation {
  namespace: string;
  name: string;
  uid?: string;
  profile: string;
  /** RFC 3339 time of the attempt */
  time: string;
  attempt: number;
  result: 'Scheduled' | 'Unschedulable' | 'Error';
  selectedNode?: string;
  /** the FailedScheduling message, or the error */
  message?: string;
  numAllNodes: number;
  /** nodes the Filter plugins ran on (adaptive percentageOfNodesToScore may stop early) */
  nodesEvaluated: number;
  feasibleNodes: number;
  /** set when a PreFilter plugin rejected the pod before any node was looked at */
  preFilterRejection?: NodeRejection;
  /** what PostFilter (preemption) did */
  postFilter?: { message?: string; nominatedNodeName?: string };
  nodes: NodeExplanation[];
}

/** The data of one cycle, kept compactly and turned into a ScheduleExplanation on demand. */
export interface CycleRecord {
  namespace: string;
  name: string;
  uid?: string;
  profile: string;
  timeMs: number;
  attempt: number;
  result: ScheduleExplanation['result'];
  selectedNode?: string;
  message?: string;
  numAllNodes: number;
  nodesEvaluated: number;
  preFilterStatus?: Status;
  postFilter?: { message?: string; nominatedNodeName?: string };
  rejected?: Map<string, Status>;
  feasible?: string[];
  scorePlugins?: string[];
  weights?: number[];
  /** per feasible node, per plugin, weighted scores (row-major) */
  scores?: Float64Array;
}

function rejection(s: Status): NodeRejection {
  return { plugin: s.plugin, code: s.codeName(), reasons: s.reasons };
}

/** Turns a record into the explanation shown to users, nodes sorted: selected, then by score, then rejected. */
export function explanationOf(r: CycleRecord): ScheduleExplanation {
  const nodes: NodeExplanation[] = [];
  const plugins = r.scorePlugins ?? [];
  for (const [i, name] of (r.feasible ?? []).entries()) {
    const n: NodeExplanation = { name };
    if (r.scores && plugins.length > 0) {
      n.scores = plugins.map((p, j) => ({ plugin: p, weight: r.weights![j], score: r.scores![i * plugins.length + j] }));
      n.totalScore = n.scores.reduce((a, s) => a + s.score, 0);
    }
    if (name === r.selectedNode) n.selected = true;
    nodes.push(n);
  }
  nodes.sort((a, b) => Number(!!b.selected) - Number(!!a.selected) || (b.totalScore ?? 0) - (a.totalScore ?? 0) || (a.name < b.name ? -1 : 1));
  const rejected = [...(r.rejected ?? [])].sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [name, s] of rejected) nodes.push({ name, filteredOut: rejection(s) });
  return {
    namespace: r.namespace,
    name: r.name,
    uid: r.uid,
    profile: r.profile,
    time: new Date(r.timeMs).toISOString(),
    attempt: r.attempt,
    result: r.result,
    selectedNode: r.selectedNode,
    message: r.message,
    numAllNodes: r.numAllNodes,
    nodesEvaluated: r.nodesEvaluated,
    feasibleNodes: r.feasible?.length ?? 0,
    preFilterRejection: r.preFilterStatus ? rejection(r.preFilterStatus) : undefined,
    postFilter: r.postFilter,
    nodes,
  };
}

/** The last decision per pod, bounded: the oldest are dropped past `limit`. */
export class ExplanationStore {
  private readonly records = new Map<string, CycleRecord>();

  constructor(private readonly limit = 500) {}

  record(r: CycleRecord): void {
    const key = `${r.namespace}/${r.name}`;
    this.records.delete(key);
    this.records.set(key, r);
    if (this.records.size > this.limit) this.records.delete(this.records.keys().next().value!);
  }

  get(namespace: string, name: string): ScheduleExplanation | undefined {
    const r = this.records.get(`${namespace}/${name}`);
    return r ? explanationOf(r) : undefined;
  }

  get size(): number {
    return this.records.size;
  }
}
