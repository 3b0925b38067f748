import { matchLabelSelector, type KubeObject, type LabelSelector } from '../../api/index.js';
import {
  ActionType,
  Status,
  type ClusterEventWithHint,
  type CycleState,
  type EnqueueExtensions,
  type FilterPlugin,
  type Handle,
  type NodeInfo,
  type Pod,
  type PodInfo,
  type PreFilterExtensions,
  type PreFilterPlugin,
  type StateData,
} from '../framework/index.js';
import { defaultSpreadSelector, type SpreadOwnerLookup } from './default-spread-selector.js';
import { countMatchingPods, nodeHasAllKeys, nodeIncluded, podSpreadConstraints, type SpreadConstraint } from './topology-spread-constraints.js';
import { PodTopologySpreadScoring } from './pod-topology-spread-score.js';

/** upstream's ErrReasonConstraintsNotMatch */
export const errReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
/** upstream's ErrReasonNodeLabelNotMatch */
export const errReasonNodeLabelNotMatch = `${errReasonConstraintsNotMatch} (missing required label)`;

const preFilterKey = 'PreFilterPodTopologySpread';

class PreFilterState implements StateData {
  constructor(
    readonly constraints: SpreadConstraint[],
    /** per constraint: matching pods per topology value (every eligible domain present, maybe 0) */
    readonly counts: Array<Map<string, number>>,
    /** per constraint: the smallest count among its domains */
    readonly minCounts: number[],
  ) {}

  clone(): StateData {
    return new PreFilterState(this.constraints, this.counts.map((m) => new Map(m)), this.minCounts.slice());
  }

  recomputeMin(i: number): void {
    let min = Infinity;
    for (const v of this.counts[i].values()) if (v < min) min = v;
    this.minCounts[i] = min === Infinity ? 0 : min;
  }
}

/** PodTopologySpread's args (upstream's PodTopologySpreadArgs): `defaultingType` System (default) or List with `defaultConstraints`. */
export interface PodTopologySpreadArgs {
  defaultingType?: 'System' | 'List';
  defaultConstraints?: Array<{ maxSkew: number; topologyKey: string; whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway' }>;
}

/**
 * Upstream's PodTopologySpread. DoNotSchedule constraints filter: PreFilter counts the
 * matching pods per topology value over the eligible nodes (nodeAffinityPolicy,
 * nodeTaintsPolicy, all topology keys present), and Filter rejects a node when placing the pod
 * there would make `count + self − global minimum` exceed maxSkew (the minimum is 0 while there
 * are fewer domains than minDomains). ScheduleAnyway constraints, or the system defaults for
 * pods of a Service/ReplicaSet/StatefulSet without constraints, score.
 */
export class PodTopologySpread extends PodTopologySpreadScoring implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  static readonly pluginName = 'PodTopologySpread';
  override readonly name = PodTopologySpread.pluginName;

  constructor(args: unknown, handle: Handle) {
    const a = (args ?? {}) as PodTopologySpreadArgs;
    const informers = handle.informers;
    const lookup: SpreadOwnerLookup | undefined = informers
      ? {
          services: informers.informerFor<KubeObject & { spec?: { selector?: Record<string, string> } }>('services'),
          replicasets: informers.informerFor<KubeObject & { spec?: { selector?: object } }>('replicasets'),
          statefulsets: informers.informerFor<KubeObject & { spec?: { selector?: object } }>('statefulsets'),
        }
      : undefined;
    const defaults = a.defaultingType === 'List' ? (a.defaultConstraints ?? []) : undefined;
    super(handle, (pod) => defaultSpreadSelector(pod, lookup), defaults);
  }

  /** Skip without DoNotSchedule constraints; else Success. */
  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]) {
    const constraints = podSpreadConstraints(pod, 'DoNotSchedule');
    if (constraints.length === 0) return { status: Status.skip() };
    const ns = pod.metadata.namespace ?? '';
    const counts = constraints.map(() => new Map<string, number>());
    for (const n of nodes) {
      const node = n.node;
      if (!node || !nodeHasAllKeys(constraints, node)) continue;
      const labels = node.metadata.labels!;
      for (let i = 0; i < constraints.length; i++) {
        const c = constraints[i];
        if (!nodeIncluded(c, pod, node)) continue;
        const v = labels[c.topologyKey];
        counts[i].set(v, (counts[i].get(v) ?? 0) + countMatchingPods(n, c.selector, ns));
      }
    }
    const s = new PreFilterState(constraints, counts, constraints.map(() => 0));
    for (let i = 0; i < constraints.length; i++) s.recomputeMin(i);
    state.write(preFilterKey, s);
    return { status: Status.success() };
  }

  preFilterExtensions(): PreFilterExtensions {
    const update = (state: CycleState, pod: Pod, pi: PodInfo, nodeInfo: NodeInfo, delta: number) => {
      const s = state.read<PreFilterState>(preFilterKey);
      if (!s) return Status.error(`reading ${preFilterKey} from cycleState: not found`);
      const node = nodeInfo.node;
      const other = pi.pod;
      if (!node || other.metadata.namespace !== pod.metadata.namespace || !nodeHasAllKeys(s.constraints, node)) return Status.success();
      s.constraints.forEach((c, i) => {
        if (!nodeIncluded(c, pod, node) || !matchLabelSelector(c.selector, other.metadata.labels)) return;
        const v = node.metadata.labels![c.topologyKey];
        s.counts[i].set(v, (s.counts[i].get(v) ?? 0) + delta);
        s.recomputeMin(i);
      });
      return Status.success();
    };
    return {
      addPod: (state, pod, pi, node) => update(state, pod, pi, node, 1),
      removePod: (state, pod, pi, node) => update(state, pod, pi, node, -1),
    };
  }

  /**
   * Success; UnschedulableAndUnresolvable when the node lacks a topology key; Unschedulable
   * `node(s) didn't match pod topology spread constraints` when the skew would exceed maxSkew.
   */
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const s = state.read<PreFilterState>(preFilterKey);
    if (!s) return Status.error(`reading ${preFilterKey} from cycleState: not found`);
    const labels = nodeInfo.node?.metadata.labels ?? {};
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      const v = labels[c.topologyKey];
      if (v === undefined) return Status.unresolvable(errReasonNodeLabelNotMatch);
      const self = selfMatch(c.selector, pod);
      const min = s.counts[i].size < c.minDomains ? 0 : s.minCounts[i];
      const skew = (s.counts[i].get(v) ?? 0) + self - min;
      if (skew > c.maxSkew) return Status.unschedulable(errReasonConstraintsNotMatch);
    }
    return Status.success();
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Pod', actionType: ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete } },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint } },
    ];
  }
}

function selfMatch(selector: LabelSelector, pod: Pod): number {
  return matchLabelSelector(selector, pod.metadata.labels) ? 1 : 0;
}
