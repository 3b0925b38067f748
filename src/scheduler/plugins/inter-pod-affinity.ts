import type { KubeObject } from '../../api/index.js';
import {
  ActionType,
  maxNodeScore,
  Status,
  type ClusterEventWithHint,
  type CycleState,
  type EnqueueExtensions,
  type FilterPlugin,
  type Handle,
  type NodeColumns,
  type NodeInfo,
  type NodeScore,
  type Pod,
  type PodInfo,
  type PreFilterExtensions,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  type StateData,
} from '../framework/index.js';
import { LayeredCounts } from './layered-counts.js';
import { PodAffinityIndex, type ValueCounts } from './pod-affinity-index.js';
import { matchesAllTerms, podAffinityTerms, TermMatchMemo, type NamespaceLabels, type PodAffinityTerms } from './pod-affinity-terms.js';

/** upstream's ErrReasonAffinityRulesNotMatch */
export const errReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
/** upstream's ErrReasonAntiAffinityRulesNotMatch */
export const errReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";
/** upstream's ErrReasonExistingAntiAffinityRulesNotMatch */
export const errReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";

const preFilterKey = 'PreFilterInterPodAffinity';
const pluginName = 'InterPodAffinity';
/** Filter's rejections, made once (already naming the plugin, so the framework hands them on as they are). */
const affinityRejection = Status.unresolvable(errReasonAffinityRulesNotMatch).withPlugin(pluginName);
const antiAffinityRejection = Status.unschedulable(errReasonAntiAffinityRulesNotMatch).withPlugin(pluginName);
const existingAntiAffinityRejection = Status.unschedulable(errReasonExistingAntiAffinityRulesNotMatch).withPlugin(pluginName);
const preScoreKey = 'PreScoreInterPodAffinity';

class PreFilterState implements StateData {
  constructor(
    readonly memo: TermMatchMemo,
    readonly terms: PodAffinityTerms,
    /** existing pods whose required anti-affinity matches the incoming pod */
    readonly existingAntiAffinityCounts: LayeredCounts,
    /** existing pods matching all the incoming pod's required affinity terms */
    readonly affinityCounts: LayeredCounts,
    /** existing pods matching one of the incoming pod's required anti-affinity terms */
    readonly antiAffinityCounts: LayeredCounts,
  ) {}

  clone(): StateData {
    return new PreFilterState(this.memo, this.terms, this.existingAntiAffinityCounts.clone(), this.affinityCounts.clone(), this.antiAffinityCounts.clone());
  }
}

class PreScoreState implements StateData {
  constructor(readonly topologyScore: Map<string, Map<string, number>>) {}
  clone(): StateData {
    return this;
  }
}

/** InterPodAffinity's args (upstream's InterPodAffinityArgs). */
export interface InterPodAffinityArgs {
  hardPodAffinityWeight?: number;
  ignorePreferredTermsOfExistingPods?: boolean;
}

/**
 * Upstream's InterPodAffinity. PreFilter counts, per topology value, the existing pods that
 * match the incoming pod's required terms and the existing pods whose required anti-affinity
 * matches the incoming pod, so Filter is a few map lookups per node. Preferred terms (the
 * incoming pod's and the existing pods') and existing pods' required affinity
 * (hardPodAffinityWeight) score per topology value.
 */
export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  static readonly pluginName = pluginName;
  readonly name = InterPodAffinity.pluginName;
  private readonly hardPodAffinityWeight: number;
  private readonly ignorePreferredTermsOfExistingPods: boolean;
  private readonly nsLabels: NamespaceLabels;

  constructor(args: unknown, private readonly handle: Handle) {
    const a = (args ?? {}) as InterPodAffinityArgs;
    this.hardPodAffinityWeight = a.hardPodAffinityWeight ?? 1;
    this.ignorePreferredTermsOfExistingPods = a.ignorePreferredTermsOfExistingPods ?? false;
    const informer = handle.informers?.informerFor<KubeObject>('namespaces');
    this.nsLabels = (ns) => informer?.store.getByName(undefined, ns)?.metadata.labels;
  }

  /**
   * Skip when neither the pod nor any existing pod has required (anti-)affinity; else Success.
   * Existing pods are matched per group of the snapshot's PodAffinityIndex (same selector or
   * same namespace and labels), whose counts per topology value become the state's layers.
   */
  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]) {
    const terms = podAffinityTerms(pod);
    const snapshot = this.handle.snapshot();
    const withAnti = snapshot.havePodsWithRequiredAntiAffinityList;
    if (terms.requiredAffinity.length === 0 && terms.requiredAntiAffinity.length === 0 && withAnti.length === 0) return { status: Status.skip() };
    const s = new PreFilterState(new TermMatchMemo(this.nsLabels), terms, new LayeredCounts(), new LayeredCounts(), new LayeredCounts());
    if (nodes !== snapshot.list()) {
      for (const n of withAnti) for (const pi of n.podsWithRequiredAntiAffinity) this.updateExistingAnti(s, pod, pi, n, 1);
      if (terms.requiredAffinity.length > 0 || terms.requiredAntiAffinity.length > 0) {
        for (const n of nodes) for (const pi of n.pods) this.updateIncoming(s, pi, n, 1);
      }
    } else {
      const index = PodAffinityIndex.of(snapshot);
      if (withAnti.length > 0) {
        for (const g of index.antiTerms.values()) if (s.memo.matches(g.term, pod)) s.existingAntiAffinityCounts.addLayer(g.topologyKey, g.counts);
      }
      const { requiredAffinity, requiredAntiAffinity } = terms;
      if (requiredAffinity.length > 0) {
        for (const t of requiredAffinity) index.podGroupsFor(t.topologyKey);
        for (const g of index.pods.values()) {
          if (!requiredAffinity.every((t) => s.memo.matches(t, g.pod))) continue;
          for (const t of requiredAffinity) {
            const counts = g.byKey.get(t.topologyKey);
            if (counts) s.affinityCounts.addLayer(t.topologyKey, counts);
          }
        }
      }
      for (const t of requiredAntiAffinity) {
        for (const g of index.podGroupsFor(t.topologyKey)) {
          const counts = g.byKey.get(t.topologyKey);
          if (counts && s.memo.matches(t, g.pod)) s.antiAffinityCounts.addLayer(t.topologyKey, counts);
        }
      }
    }
    state.write(preFilterKey, s);
    return { status: Status.success() };
  }

  private updateExistingAnti(s: PreFilterState, incoming: Pod, existing: PodInfo, node: NodeInfo, delta: number): void {
    const labels = node.node?.metadata.labels;
    if (!labels) return;
    for (const t of podAffinityTerms(existing.pod).requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && s.memo.matches(t, incoming)) s.existingAntiAffinityCounts.add(t.topologyKey, v, delta);
    }
  }

  private updateIncoming(s: PreFilterState, existing: PodInfo, node: NodeInfo, delta: number): void {
    const labels = node.node?.metadata.labels;
    if (!labels) return;
    const { requiredAffinity, requiredAntiAffinity } = s.terms;
    if (requiredAffinity.length > 0 && requiredAffinity.every((t) => s.memo.matches(t, existing.pod))) {
      for (const t of requiredAffinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined) s.affinityCounts.add(t.topologyKey, v, delta);
      }
    }
    for (const t of requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && s.memo.matches(t, existing.pod)) s.antiAffinityCounts.add(t.topologyKey, v, delta);
    }
  }

  preFilterExtensions(): PreFilterExtensions {
    const update = (state: CycleState, pod: Pod, pi: PodInfo, node: NodeInfo, delta: number) => {
      const s = state.read<PreFilterState>(preFilterKey);
      if (!s) return Status.error(`reading ${preFilterKey} from cycleState: not found`);
      this.updateExistingAnti(s, pod, pi, node, delta);
      this.updateIncoming(s, pi, node, delta);
      return Status.success();
    };
    return {
      addPod: (state, pod, pi, node) => update(state, pod, pi, node, 1),
      removePod: (state, pod, pi, node) => update(state, pod, pi, node, -1),
    };
  }

  /**
   * Success; UnschedulableAndUnresolvable `node(s) didn't match pod affinity rules`;
   * Unschedulable `node(s) didn't match pod anti-affinity rules` or
   * `node(s) didn't satisfy existing pods anti-affinity rules`; Error without PreFilter state.
   */
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const s = state.read<PreFilterState>(preFilterKey);
    if (!s) return Status.error(`reading ${preFilterKey} from cycleState: not found`);
    return this.rejection(s, pod, nodeInfo.node?.metadata.labels ?? {}) ?? Status.success();
  }

  /** filter over snapshot rows: the node's labels come from the row; rejections are final. */
  filterRows(state: CycleState, pod: Pod, columns: NodeColumns, rows: Int32Array, count: number, pass: Uint8Array, verdicts: Array<Status | undefined>): void {
    const s = state.read<PreFilterState>(preFilterKey);
    if (!s) {
      pass.fill(0, 0, count);
      return;
    }
    for (let k = 0; k < count; k++) {
      if (pass[k] === 0) continue;
      const rejected = this.rejection(s, pod, columns.labels[rows[k]] ?? {});
      if (rejected) {
        pass[k] = 0;
        verdicts[k] = rejected;
      }
    }
  }

  /** Filter's rejection for a node with these labels, or undefined when it fits. */
  private rejection(s: PreFilterState, pod: Pod, labels: Record<string, string>): Status | undefined {
    if (!this.satisfiesAffinity(s, pod, labels)) return affinityRejection;
    for (const t of s.terms.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && s.antiAffinityCounts.get(t.topologyKey, v) > 0) return antiAffinityRejection;
    }
    if (s.existingAntiAffinityCounts.anyPositive(labels)) return existingAntiAffinityRejection;
    return undefined;
  }

  private satisfiesAffinity(s: PreFilterState, pod: Pod, labels: Record<string, string>): boolean {
    let podsExist = true;
    for (const t of s.terms.requiredAffinity) {
      const v = labels[t.topologyKey];
      if (v === undefined) return false;
      if (s.affinityCounts.get(t.topologyKey, v) <= 0) podsExist = false;
    }
    if (podsExist) return true;
    return s.affinityCounts.isEmpty() && matchesAllTerms(s.terms.requiredAffinity, pod, this.nsLabels);
  }

  /** Skip when no preferred terms and no existing pod with affinity could score; else Success. */
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status {
    if (nodes.length === 0) return Status.skip();
    const terms = podAffinityTerms(pod);
    const snapshot = this.handle.snapshot();
    const hasPreferred = terms.preferredAffinity.length > 0 || terms.preferredAntiAffinity.length > 0;
    const ignoreExisting = this.ignorePreferredTermsOfExistingPods;
    if (!hasPreferred && (ignoreExisting || snapshot.havePodsWithAffinityList.length === 0)) return Status.skip();
    const memo = new TermMatchMemo(this.nsLabels);
    const topologyScore = new Map<string, Map<string, number>>();
    const addAll = (key: string, counts: ValueCounts, w: number) => {
      let m = topologyScore.get(key);
      if (!m) topologyScore.set(key, (m = new Map()));
      for (const [value, n] of counts) m.set(value, (m.get(value) ?? 0) + w * n);
    };
    const index = PodAffinityIndex.of(snapshot);
    if (hasPreferred) {
      for (const [list, sign] of [[terms.preferredAffinity, 1], [terms.preferredAntiAffinity, -1]] as const) {
        for (const t of list) {
          for (const g of index.podGroupsFor(t.topologyKey)) {
            const counts = g.byKey.get(t.topologyKey);
            if (counts && counts.size > 0 && memo.matches(t, g.pod)) addAll(t.topologyKey, counts, sign * t.weight);
          }
        }
      }
    }
    if (!ignoreExisting) {
      for (const g of index.scoringTerms.values()) {
        if (g.hard && this.hardPodAffinityWeight <= 0) continue;
        if (g.counts.size > 0 && memo.matches(g.term, pod)) addAll(g.topologyKey, g.counts, g.hard ? this.hardPodAffinityWeight : g.weight);
      }
    }
    if (topologyScore.size === 0) return Status.skip();
    state.write(preScoreKey, new PreScoreState(topologyScore));
    return Status.success();
  }

  /** The sum of the topology scores of the node's label values; Success, or Error without PreScore state. */
  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    const s = state.read<PreScoreState>(preScoreKey);
    if (!s) return { score: 0, status: Status.error(`reading ${preScoreKey} from cycleState: not found`) };
    const labels = nodeInfo.node?.metadata.labels ?? {};
    let score = 0;
    for (const [key, byValue] of s.topologyScore) {
      const v = labels[key];
      if (v !== undefined) score += byValue.get(v) ?? 0;
    }
    return { score, status: Status.success() };
  }

  scoreExtensions() {
    return {
      normalizeScore: (_s: CycleState, _p: Pod, scores: NodeScore[]) => {
        let min = Infinity;
        let max = -Infinity;
        for (const s of scores) {
          if (s.score < min) min = s.score;
          if (s.score > max) max = s.score;
        }
        const diff = max - min;
        for (const s of scores) s.score = diff > 0 ? Math.trunc((maxNodeScore * (s.score - min)) / diff) : 0;
        return Status.success();
      },
    };
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Pod', actionType: ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete } },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel } },
    ];
  }
}
