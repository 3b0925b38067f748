import type { LabelSelector } from '../../api/index.js';
import { maxNodeScore, Status, type CycleState, type Handle, type NodeInfo, type NodeScore, type Pod, type PreScorePlugin, type ScorePlugin, type StateData } from '../framework/index.js';
import { countMatchingPods, hostnameLabel, nodeHasAllKeys, nodeIncluded, podSpreadConstraints, systemDefaultConstraints, type SpreadConstraint } from './topology-spread-constraints.js';

const preScoreKey = 'PreScorePodTopologySpread';

class PreScoreState implements StateData {
  constructor(
    readonly constraints: SpreadConstraint[],
    readonly ignoredNodes: Set<string>,
    /** per constraint (not hostname): matching pods per topology value */
    readonly counts: Array<Map<string, number>>,
    readonly weights: number[],
    readonly namespace: string,
  ) {}
  clone(): StateData {
    return this;
  }
}

/** A default constraint as configured (`defaultConstraints`), before its selector is known. */
type DefaultConstraint = { maxSkew: number; topologyKey: string; whenUnsatisfiable: string };

/**
 * The scoring half of PodTopologySpread (upstream's scoring.go): nodes in less crowded topology
 * values score higher, each constraint weighted by log(number of values + 2).
 */
export class PodTopologySpreadScoring implements PreScorePlugin, ScorePlugin {
  readonly name: string = 'PodTopologySpread';

  constructor(
    protected readonly handle: Handle,
    private readonly defaultSelector: (pod: Pod) => LabelSelector | undefined,
    private readonly defaultConstraints?: DefaultConstraint[],
  ) {}

  private scoringConstraints(pod: Pod): { constraints: SpreadConstraint[]; systemDefaulted: boolean } {
    if ((pod.spec.topologySpreadConstraints?.length ?? 0) > 0) return { constraints: podSpreadConstraints(pod, 'ScheduleAnyway'), systemDefaulted: false };
    const defaults = this.defaultConstraints ?? systemDefaultConstraints;
    if (defaults.length === 0) return { constraints: [], systemDefaulted: false };
    const selector = this.defaultSelector(pod);
    if (!selector) return { constraints: [], systemDefaulted: false };
    const constraints = defaults
      .filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway')
      .map((c) => ({ maxSkew: c.maxSkew, topologyKey: c.topologyKey, selector, minDomains: 1, nodeAffinityPolicy: 'Honor' as const, nodeTaintsPolicy: 'Ignore' as const }));
    return { constraints, systemDefaulted: !this.defaultConstraints };
  }

  /** Skip without ScheduleAnyway (or default) constraints; else Success. */
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status {
    if (nodes.length === 0) return Status.skip();
    const { constraints, systemDefaulted } = this.scoringConstraints(pod);
    if (constraints.length === 0) return Status.skip();
    const requireAll = !systemDefaulted;
    const ignored = new Set<string>();
    const counts = constraints.map(() => new Map<string, number>());
    for (const n of nodes) {
      const node = n.node!;
      if (requireAll && !nodeHasAllKeys(constraints, node)) {
        ignored.add(n.name);
        continue;
      }
      const labels = node.metadata.labels ?? {};
      constraints.forEach((c, i) => {
        const v = labels[c.topologyKey];
        if (c.topologyKey !== hostnameLabel && v !== undefined && !counts[i].has(v)) counts[i].set(v, 0);
      });
    }
    const weights = constraints.map((c, i) => Math.log((c.topologyKey === hostnameLabel ? nodes.length - ignored.size : counts[i].size) + 2));
    const ns = pod.metadata.namespace ?? '';
    const needCounts = constraints.some((c) => c.topologyKey !== hostnameLabel);
    if (needCounts) {
      for (const n of this.handle.snapshot().list()) {
        const node = n.node!;
        if (requireAll && !nodeHasAllKeys(constraints, node)) continue;
        const labels = node.metadata.labels ?? {};
        constraints.forEach((c, i) => {
          if (c.topologyKey === hostnameLabel) return;
          const v = labels[c.topologyKey];
          if (v === undefined || !counts[i].has(v) || !nodeIncluded(c, pod, node)) return;
          counts[i].set(v, counts[i].get(v)! + countMatchingPods(n, c.selector, ns));
        });
      }
    }
    state.write(preScoreKey, new PreScoreState(constraints, ignored, counts, weights, ns));
    return Status.success();
  }

  /** The weighted number of matching pods in the node's topology values (lower is better before normalisation); Success. */
  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    const s = state.read<PreScoreState>(preScoreKey);
    if (!s) return { score: 0, status: Status.error(`reading ${preScoreKey} from cycleState: not found`) };
    if (s.ignoredNodes.has(nodeInfo.name)) return { score: 0, status: Status.success() };
    const labels = nodeInfo.node?.metadata.labels ?? {};
    let score = 0;
    s.constraints.forEach((c, i) => {
      const v = labels[c.topologyKey];
      if (v === undefined) return;
      const cnt = c.topologyKey === hostnameLabel ? countMatchingPods(nodeInfo, c.selector, s.namespace) : (s.counts[i].get(v) ?? 0);
      score += cnt * s.weights[i] + (c.maxSkew - 1);
    });
    return { score: Math.round(score), status: Status.success() };
  }

  scoreExtensions() {
    return {
      normalizeScore: (state: CycleState, _p: Pod, scores: NodeScore[]) => {
        const s = state.read<PreScoreState>(preScoreKey);
        if (!s) return Status.error(`reading ${preScoreKey} from cycleState: not found`);
        let min = Infinity;
        let max = 0;
        for (const x of scores) {
          if (s.ignoredNodes.has(x.name)) continue;
          if (x.score < min) min = x.score;
          if (x.score > max) max = x.score;
        }
        for (const x of scores) {
          if (s.ignoredNodes.has(x.name)) x.score = 0;
          else if (max === 0) x.score = maxNodeScore;
          else x.score = Math.trunc((maxNodeScore * (max + min - x.score)) / max);
        }
        return Status.success();
      },
    };
  }
}

