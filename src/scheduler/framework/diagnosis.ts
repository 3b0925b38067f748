import type { NodeToStatusMap } from './interface.js';
import type { Pod } from './types.js';

/** Why no node fitted (upstream's Diagnosis). */
export interface Diagnosis {
  /** statuses of the nodes that were rejected */
  nodeToStatus: NodeToStatusMap;
  /** plugins that rejected the pod somewhere; their events requeue it */
  unschedulablePlugins: Set<string>;
  /** plugins that returned Pending */
  pendingPlugins: Set<string>;
  /** set when PreFilter rejected the pod on every node */
  preFilterMsg: string;
  /** what PostFilter (preemption) said */
  postFilterMsg: string;
}

/** An empty diagnosis. */
export function newDiagnosis(): Diagnosis {
  return { nodeToStatus: new Map(), unschedulablePlugins: new Set(), pendingPlugins: new Set(), preFilterMsg: '', postFilterMsg: '' };
}

/**
 * The error of a cycle that found no node, whose message is upstream's FitError.Error():
 * `0/5 nodes are available: 2 Insufficient cpu, 3 node(s) didn't match Pod's node affinity/selector. preemption: …`
 * Reason counts are formatted as `<count> <reason>` and sorted as strings, as upstream does.
 */
export class FitError extends Error {
  constructor(
    readonly pod: Pod,
    readonly numAllNodes: number,
    readonly diagnosis: Diagnosis,
  ) {
    super(fitErrorMessage(numAllNodes, diagnosis));
    this.name = 'FitError';
  }
}

/** The FailedScheduling message for a diagnosis. */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const counts = new Map<string, number>();
    for (const status of d.nodeToStatus.values()) {
      for (const r of status.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort(compareGoStrings);
    if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}.`;
  return msg;
}

/** Byte-wise string order, as Go's sort.Strings. */
export function compareGoStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
