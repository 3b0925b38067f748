import {
  ActionType,
  Status,
  type ClusterEventWithHint,
  type CycleState,
  type EnqueueExtensions,
  type FilterPlugin,
  type NodeInfo,
  type NodeScore,
  type Pod,
  type PreScorePlugin,
  type ScorePlugin,
} from '../framework/index.js';
import { defaultNormalizeScore } from './normalize-score.js';
import { findMatchingUntoleratedTaint, toleratesTaint } from './taints.js';

/**
 * Upstream's TaintToleration: NoSchedule and NoExecute taints the pod does not tolerate filter
 * the node out; untolerated PreferNoSchedule taints lower its score.
 */
export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  static readonly pluginName = 'TaintToleration';
  readonly name = TaintToleration.pluginName;

  /** Success, or UnschedulableAndUnresolvable `node(s) had untolerated taint {key: value}`. */
  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const taint = findMatchingUntoleratedTaint(nodeInfo.node?.spec?.taints, pod.spec.tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
    if (!taint) return Status.success();
    return Status.unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  }

  /** Success. */
  preScore(): Status {
    return Status.success();
  }

  /** The number of untolerated PreferNoSchedule taints (reversed by normalisation); Success. */
  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    const tolerations = (pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    let count = 0;
    for (const taint of nodeInfo.node?.spec?.taints ?? []) {
      if (taint.effect !== 'PreferNoSchedule') continue;
      if (!tolerations.some((t) => toleratesTaint(t, taint))) count++;
    }
    return { score: count, status: Status.success() };
  }

  scoreExtensions() {
    return { normalizeScore: (_s: CycleState, _p: Pod, scores: NodeScore[]) => defaultNormalizeScore(scores, true) };
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint } },
      { event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodTolerations } },
    ];
  }
}
