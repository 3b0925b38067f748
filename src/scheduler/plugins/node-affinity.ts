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
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type ScorePlugin,
} from '../framework/index.js';
import { defaultNormalizeScore, defaultNormalizeScoreValues } from './normalize-score.js';
import { matchNodeSelectorTerm, podMatchesNodeSelectorAndAffinity } from './node-selector.js';

const normalize = {
  normalizeScore: (_s: CycleState, _p: Pod, scores: NodeScore[]) => defaultNormalizeScore(scores, false),
  normalizeScoreValues: (_s: CycleState, _p: Pod, scores: Float64Array) => defaultNormalizeScoreValues(scores, false),
};

/** upstream's NodeAffinity ErrReasonPod */
export const errReasonPod = "node(s) didn't match Pod's node affinity/selector";

/**
 * Upstream's NodeAffinity: `spec.nodeSelector` and required node affinity filter nodes (terms
 * ORed, expressions ANDed, operators In/NotIn/Exists/DoesNotExist/Gt/Lt, matchFields on
 * metadata.name); preferred terms score by the sum of the matching terms' weights.
 */
export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  static readonly pluginName = 'NodeAffinity';
  readonly name = NodeAffinity.pluginName;

  /**
   * Skip without a nodeSelector or required affinity; Success, narrowing the nodes when every
   * term pins `metadata.name` with In; UnschedulableAndUnresolvable when a term list is empty.
   */
  preFilter(_state: CycleState, pod: Pod): { result?: PreFilterResult; status: Status } {
    const req = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    const hasSelector = Object.keys(pod.spec.nodeSelector ?? {}).length > 0;
    if (!req && !hasSelector) return { status: Status.skip() };
    if (!req) return { status: Status.success() };
    const terms = req.nodeSelectorTerms ?? [];
    if (terms.length === 0) return { status: Status.unresolvable(errReasonPod) };
    let names: Set<string> | undefined;
    for (const t of terms) {
      const pin = (t.matchFields ?? []).find((f) => f.key === 'metadata.name' && f.operator === 'In' && (f.values?.length ?? 0) > 0);
      if (!pin) return { status: Status.success() };
      names ??= new Set();
      for (const v of pin.values!) names.add(v);
    }
    return { result: { nodeNames: names }, status: Status.success() };
  }

  preFilterExtensions() {
    return undefined;
  }

  /** Success, or UnschedulableAndUnresolvable `node(s) didn't match Pod's node affinity/selector`. */
  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    if (!nodeInfo.node) return Status.error('node not found');
    return podMatchesNodeSelectorAndAffinity(pod, nodeInfo.node) ? Status.success() : Status.unresolvable(errReasonPod);
  }

  /** Skip without preferred terms; else Success. */
  preScore(_state: CycleState, pod: Pod): Status {
    const pref = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    return pref.length > 0 ? Status.success() : Status.skip();
  }

  /** The sum of the weights of the preferred terms the node matches; Success. */
  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    let score = 0;
    for (const t of pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (t.weight && nodeInfo.node && matchNodeSelectorTerm(t.preference ?? {}, nodeInfo.node)) score += t.weight;
    }
    return { score, status: Status.success() };
  }

  scoreExtensions() {
    return normalize;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [{ event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel } }];
  }
}
