import { maxNodeScore, Status, type CycleState, type NodeInfo, type Pod, type PreScorePlugin, type ScorePlugin } from '../framework/index.js';
import { allocatableAndRequested, defaultResourceSpecs, podRequests, type ResourceSpec } from './resource-allocation.js';

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

  constructor(rawArgs?: unknown) {
    const args = (rawArgs ?? {}) as BalancedAllocationArgs;
    this.resources = args.resources?.length ? args.resources : defaultResourceSpecs;
  }

  /** Skip for a pod that requests none of the resources; else Success. */
  preScore(_state: CycleState, pod: Pod): Status {
    const req = podRequests(pod).plain;
    return this.resources.some((r) => req.get(r.name) > 0) ? Status.success() : Status.skip();
  }

  /** A score 0–100; Success. */
  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    const { allocatable, requested } = allocatableAndRequested(nodeInfo, pod, this.resources, true);
    const fractions: number[] = [];
    for (let i = 0; i < allocatable.length; i++) {
      if (allocatable[i] === 0) continue;
      fractions.push(Math.min(1, requested[i] / allocatable[i]));
    }
    let std = 0;
    if (fractions.length === 2) {
      std = Math.abs((fractions[0] - fractions[1]) / 2);
    } else if (fractions.length > 2) {
      const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
      std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
    }
    return { score: Math.trunc((1 - std) * maxNodeScore), status: Status.success() };
  }

  eventsToRegister() {
    return [];
  }
}
