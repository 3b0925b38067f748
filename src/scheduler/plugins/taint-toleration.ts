import {
  ActionType,
  ColFlag,
  Status,
  type ClusterEventWithHint,
  type CycleState,
  type EnqueueExtensions,
  type FilterPlugin,
  type NodeColumns,
  type NodeInfo,
  type NodeScore,
  type Pod,
  type PreScorePlugin,
  type ScorePlugin,
  type Taint,
  type Toleration,
} from '../framework/index.js';
import { defaultNormalizeScore, defaultNormalizeScoreValues } from './normalize-score.js';
import { findMatchingUntoleratedTaint, toleratesTaint } from './taints.js';

const normalizeReversed = {
  normalizeScore: (_s: CycleState, _p: Pod, scores: NodeScore[]) => defaultNormalizeScore(scores, true),
  normalizeScoreValues: (_s: CycleState, _p: Pod, scores: Float64Array) => defaultNormalizeScoreValues(scores, true),
};

function scheduleOrExecute(t: Taint): boolean {
  return t.effect === 'NoSchedule' || t.effect === 'NoExecute';
}

/**
 * Upstream's TaintToleration: NoSchedule and NoExecute taints the pod does not tolerate filter
 * the node out; untolerated PreferNoSchedule taints lower its score.
 */
export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  static readonly pluginName = 'TaintToleration';
  readonly name = TaintToleration.pluginName;

  /** Success, or UnschedulableAndUnresolvable `node(s) had untolerated taint {key: value}`. */
  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const taints = nodeInfo.taints;
    if (!taints || taints.length === 0) return Status.success();
    const taint = findMatchingUntoleratedTaint(taints, pod.spec.tolerations, scheduleOrExecute);
    if (!taint) return Status.success();
    return Status.unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  }

  /** Passes nodes without taints. */
  filterRows(_state: CycleState, _pod: Pod, columns: NodeColumns, rows: Int32Array, count: number, pass: Uint8Array): void {
    for (let k = 0; k < count; k++) if (columns.has(rows[k], ColFlag.taints)) pass[k] = 0;
  }

  /** Success. */
  preScore(): Status {
    return Status.success();
  }

  /** The number of untolerated PreferNoSchedule taints (reversed by normalisation); Success. */
  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    const taints = nodeInfo.taints;
    let count = 0;
    if (!taints || taints.length === 0) return { score: count, status: Status.success() };
    let tolerations: Toleration[] | undefined;
    for (const taint of taints) {
      if (taint.effect !== 'PreferNoSchedule') continue;
      tolerations ??= (pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
      if (!tolerations.some((t) => toleratesTaint(t, taint))) count++;
    }
    return { score: count, status: Status.success() };
  }

  /** score per node; nodes without taints score 0 without reading their NodeInfo. */
  scoreRows(state: CycleState, pod: Pod, columns: NodeColumns, rows: Int32Array, nodes: NodeInfo[], out: Float64Array): Status {
    for (let k = 0; k < nodes.length; k++) out[k] = columns.has(rows[k], ColFlag.taints) ? this.score(state, pod, nodes[k]).score : 0;
    return Status.success();
  }

  scoreExtensions() {
    return normalizeReversed;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint } },
      { event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodTolerations } },
    ];
  }
}
