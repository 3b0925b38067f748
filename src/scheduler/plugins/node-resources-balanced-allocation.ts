import { maxNodeScore, Status, type CycleState, type NodeInfo, type Pod, type PreScorePlugin, type ScorePlugin } from '../framework/index.js';
import { allocatableAndRequestedInto, defaultResourceSpecs, podRequests, type ResourceSpec } from './resource-allocation.js';

/** NodeResourcesBalancedAllocationArgs. */
export interface BalancedAllocationArgs {
  resources?: ResourceSpec[];
}

/**
 * Upstream's NodeResourcesBalancedAllocation: favours nodes where, with the pod, the used
 * fractions of the resources (cpu and memory) are close to each other: score = (1 − std) × 100.
 * Best-effort pods are not scored (Skip), as upstream.
 */
export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  static readonly pluginName = 'NodeResourcesBalancedAllocation';
  readonly name = NodeResourcesBalancedAllocation.pluginName;
  private readonly resources: ResourceSpec[];
  private readonly allocatable: Float64Array;
  private readonly requested: Float64Array;
  private readonly fractions: Float64Array;

  constructor(rawArgs?: unknown) {
    const args = (rawArgs ?? {}) as BalancedAllocationArgs;
    this.resources = args.resources?.length ? args.resources : defaultResourceSpecs;
    this.allocatable = new Float64Array(this.resources.length);
    this.requested = new Float64Array(this.resources.length);
    this.fractions = new Float64Array(this.resources.length);
  }

  /** Skip for a pod that requests none of the resources; else Success. */
  preScore(_state: CycleState, pod: Pod): Status {
    const req = podRequests(pod).plain;
    return this.resources.some((r) => req.get(r.name) > 0) ? Status.success() : Status.skip();
  }

  /** A score 0–100; Success. */
  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    const { allocatable, requested, fractions } = this;
    allocatableAndRequestedInto(nodeInfo, pod, this.resources, true, allocatable, requested);
    let n = 0;
    for (let i = 0; i < allocatable.length; i++) {
      if (allocatable[i] === 0) continue;
      fractions[n++] = Math.min(1, requested[i] / allocatable[i]);
    }
    let std = 0;
    if (n === 2) {
      std = Math.abs((fractions[0] - fractions[1]) / 2);
    } else if (n > 2) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += fractions[i];
      const mean = sum / n;
      let sq = 0;
      for (let i = 0; i < n; i++) sq += (fractions[i] - mean) ** 2;
      std = Math.sqrt(sq / n);
    }
    return { score: Math.trunc((1 - std) * maxNodeScore), status: Status.success() };
  }

  eventsToRegister() {
    return [];
  }
}
