import { Col, colStride, maxNodeScore, Status, type CycleState, type NodeColumns, type NodeInfo, type Pod, type PreScorePlugin, type ScorePlugin } from '../framework/index.js';
import { allocatableAndRequestedFromRow, allocatableAndRequestedInto, defaultResourceSpecs, podRequests, rowsCover, type ResourceSpec } from './resource-allocation.js';

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
  private readonly fromRows: boolean;

  constructor(rawArgs?: unknown) {
    const args = (rawArgs ?? {}) as BalancedAllocationArgs;
    this.resources = args.resources?.length ? args.resources : defaultResourceSpecs;
    this.allocatable = new Float64Array(this.resources.length);
    this.requested = new Float64Array(this.resources.length);
    this.fractions = new Float64Array(this.resources.length);
    this.fromRows = rowsCover(this.resources);
  }

  /** Skip for a pod that requests none of the resources; else Success. */
  preScore(_state: CycleState, pod: Pod): Status {
    const req = podRequests(pod).plain;
    return this.resources.some((r) => req.get(r.name) > 0) ? Status.success() : Status.skip();
  }

  /** score per node, from the rows when the resources are cpu and memory. */
  scoreRows(state: CycleState, pod: Pod, columns: NodeColumns, rows: Int32Array, nodes: NodeInfo[], out: Float64Array): Status {
    if (!this.fromRows) {
      for (let k = 0; k < nodes.length; k++) out[k] = this.score(state, pod, nodes[k]).score;
      return Status.success();
    }
    const podReq = podRequests(pod).plain;
    if (this.resources.length === 2) {
      const v = columns.values;
      const cpu0 = this.resources[0].name === 'cpu';
      const cpu1 = this.resources[1].name === 'cpu';
      for (let k = 0; k < nodes.length; k++) {
        const o = rows[k] * colStride;
        const a0 = cpu0 ? v[o + Col.allocMilliCPU] : v[o + Col.allocMemory];
        const a1 = cpu1 ? v[o + Col.allocMilliCPU] : v[o + Col.allocMemory];
        let std = 0;
        if (a0 !== 0 && a1 !== 0) {
          const f0 = Math.min(1, (cpu0 ? v[o + Col.reqMilliCPU] + podReq.milliCPU : v[o + Col.reqMemory] + podReq.memory) / a0);
          const f1 = Math.min(1, (cpu1 ? v[o + Col.reqMilliCPU] + podReq.milliCPU : v[o + Col.reqMemory] + podReq.memory) / a1);
          std = Math.abs((f0 - f1) / 2);
        }
        out[k] = Math.trunc((1 - std) * maxNodeScore);
      }
      return Status.success();
    }
    for (let k = 0; k < nodes.length; k++) {
      allocatableAndRequestedFromRow(columns, rows[k], podReq, this.resources, true, this.allocatable, this.requested);
      out[k] = this.balance();
    }
    return Status.success();
  }

  /** A score 0–100; Success. */
  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    allocatableAndRequestedInto(nodeInfo, pod, this.resources, true, this.allocatable, this.requested);
    return { score: this.balance(), status: Status.success() };
  }

  /** (1 − std of the used fractions) × 100 from this.allocatable / this.requested. */
  private balance(): number {
    const { allocatable, requested, fractions } = this;
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
    return Math.trunc((1 - std) * maxNodeScore);
  }

  eventsToRegister() {
    return [];
  }
}
