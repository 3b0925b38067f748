import {
  ActionType,
  Col,
  colStride,
  maxNodeScore,
  Status,
  type ClusterEventWithHint,
  type CycleState,
  type EnqueueExtensions,
  type FilterPlugin,
  type NodeColumns,
  type NodeInfo,
  type Pod,
  type PreFilterPlugin,
  type Resource,
  type ScorePlugin,
  type StateData,
} from '../framework/index.js';
import { allocatableAndRequestedInto, defaultResourceSpecs, podRequests, rowsCover, type ResourceSpec } from './resource-allocation.js';

/** NodeResourcesFitArgs (kubescheduler.config.k8s.io/v1). */
export interface NodeResourcesFitArgs {
  ignoredResources?: string[];
  ignoredResourceGroups?: string[];
  scoringStrategy?: { type?: 'LeastAllocated' | 'MostAllocated' | string; resources?: ResourceSpec[] };
}

/** A resource the node lacks for the pod. */
export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
  /** the pod asks for more than the node has at all: preemption cannot help */
  unresolvable: boolean;
}

const stateKey = 'PreFilterNodeResourcesFit';

class FitState implements StateData {
  constructor(readonly request: Resource) {}
  clone(): StateData {
    return this;
  }
}

/** Validates and defaults NodeResourcesFitArgs; throws with the field at fault. */
export function nodeResourcesFitArgs(raw: unknown): Required<Pick<NodeResourcesFitArgs, 'ignoredResources' | 'ignoredResourceGroups'>> & { strategy: 'LeastAllocated' | 'MostAllocated'; resources: ResourceSpec[] } {
  const a = (raw ?? {}) as NodeResourcesFitArgs;
  const type = a.scoringStrategy?.type ?? 'LeastAllocated';
  if (type !== 'LeastAllocated' && type !== 'MostAllocated') {
    throw new Error(`NodeResourcesFitArgs: scoringStrategy.type: Unsupported value: ${JSON.stringify(type)}: supported values: "LeastAllocated", "MostAllocated"`);
  }
  const resources = a.scoringStrategy?.resources?.length ? a.scoringStrategy.resources : defaultResourceSpecs;
  for (const [i, r] of resources.entries()) {
    if (!r.name) throw new Error(`NodeResourcesFitArgs: scoringStrategy.resources[${i}].name: Required value`);
    if (!Number.isInteger(r.weight) || r.weight < 1 || r.weight > 100) throw new Error(`NodeResourcesFitArgs: scoringStrategy.resources[${i}].weight: Invalid value: ${r.weight}: resource weight of ${r.name} should be in a range [1, 100]`);
  }
  return { ignoredResources: a.ignoredResources ?? [], ignoredResourceGroups: a.ignoredResourceGroups ?? [], strategy: type, resources };
}

/** What a node lacks to hold the pod (upstream's fitsRequest); empty when it fits. */
export function fitsRequest(request: Resource, nodeInfo: NodeInfo, ignored: Set<string> = new Set(), ignoredGroups: Set<string> = new Set()): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  if (nodeInfo.pods.length + 1 > alloc.allowedPodNumber) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: nodeInfo.pods.length, capacity: alloc.allowedPodNumber, unresolvable: false });
  }
  if (request.milliCPU === 0 && request.memory === 0 && request.ephemeralStorage === 0 && !request.scalar?.size) return out;
  const check = (name: string, want: number, have: number, inUse: number) => {
    if (want > 0 && want > have - inUse) out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used: inUse, capacity: have, unresolvable: want > have });
  };
  check('cpu', request.milliCPU, alloc.milliCPU, used.milliCPU);
  check('memory', request.memory, alloc.memory, used.memory);
  check('ephemeral-storage', request.ephemeralStorage, alloc.ephemeralStorage, used.ephemeralStorage);
  for (const [name, want] of request.scalar ?? []) {
    if (want === 0 || ignored.has(name)) continue;
    const slash = name.indexOf('/');
    if (slash >= 0 && ignoredGroups.has(name.slice(0, slash))) continue;
    check(name, want, alloc.scalar?.get(name) ?? 0, used.scalar?.get(name) ?? 0);
  }
  return out;
}

/** Whether the pod fits for certain without building reasons: the common case of the Filter, allocation-free; false means "run fitsRequest". */
function fitsPlainly(request: Resource, nodeInfo: NodeInfo): boolean {
  const alloc = nodeInfo.allocatable;
  if (nodeInfo.pods.length + 1 > alloc.allowedPodNumber) return false;
  if (request.scalar?.size) return false;
  const used = nodeInfo.requested;
  if (request.milliCPU > 0 && request.milliCPU > alloc.milliCPU - used.milliCPU) return false;
  if (request.memory > 0 && request.memory > alloc.memory - used.memory) return false;
  if (request.ephemeralStorage > 0 && request.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) return false;
  return true;
}

function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * maxNodeScore) / capacity);
}

function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  if (requested > capacity) return maxNodeScore;
  return Math.trunc((requested * maxNodeScore) / capacity);
}

/**
 * Upstream's NodeResourcesFit: the pod's requests (containers, init containers, sidecars and
 * overhead) must fit in what the node has left, and the pod count too. Scores by LeastAllocated
 * (default) or MostAllocated over the configured resources (cpu and memory, weight 1 each).
 */
export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, ScorePlugin, EnqueueExtensions {
  static readonly pluginName = 'NodeResourcesFit';
  readonly name = NodeResourcesFit.pluginName;
  private readonly ignored: Set<string>;
  private readonly ignoredGroups: Set<string>;
  private readonly resources: ResourceSpec[];
  private readonly scorer: (requested: number, capacity: number) => number;
  private readonly allocatable: Float64Array;
  private readonly requested: Float64Array;
  private readonly fromRows: boolean;
  /** the last cycle's state and the request read from it (Filter runs once per node with the same state) */
  private lastState: CycleState | undefined;
  private lastRequest: Resource | undefined;

  constructor(rawArgs?: unknown) {
    const args = nodeResourcesFitArgs(rawArgs);
    this.ignored = new Set(args.ignoredResources);
    this.ignoredGroups = new Set(args.ignoredResourceGroups);
    this.resources = args.resources;
    this.scorer = args.strategy === 'MostAllocated' ? mostRequestedScore : leastRequestedScore;
    this.allocatable = new Float64Array(this.resources.length);
    this.requested = new Float64Array(this.resources.length);
    this.fromRows = rowsCover(this.resources);
  }

  /** Success (the pod's requests are kept in the state). */
  preFilter(state: CycleState, pod: Pod) {
    state.write(stateKey, new FitState(podRequests(pod).plain));
    return { status: Status.success() };
  }

  preFilterExtensions() {
    return undefined;
  }

  /** Success; Unschedulable with every `Insufficient <resource>` / `Too many pods` reason; UnschedulableAndUnresolvable when the pod exceeds the node's allocatable outright. */
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    if (state !== this.lastState) {
      this.lastState = state;
      this.lastRequest = state.read<FitState>(stateKey)?.request;
    }
    const request = this.lastRequest ?? podRequests(pod).plain;
    if (fitsPlainly(request, nodeInfo)) return Status.success();
    const insufficient = fitsRequest(request, nodeInfo, this.ignored, this.ignoredGroups);
    if (insufficient.length === 0) return Status.success();
    const reasons = insufficient.map((r) => r.reason);
    return insufficient.some((r) => r.unresolvable) ? Status.unresolvable(...reasons) : Status.unschedulable(...reasons);
  }

  /** Passes the nodes where the pod plainly fits (pods, cpu, memory, ephemeral storage; no extended resources asked). */
  filterRows(state: CycleState, pod: Pod, columns: NodeColumns, rows: Int32Array, count: number, pass: Uint8Array): void {
    const request = state.read<FitState>(stateKey)?.request ?? podRequests(pod).plain;
    if (request.scalar?.size) {
      pass.fill(0, 0, count);
      return;
    }
    const v = columns.values;
    const { milliCPU, memory, ephemeralStorage } = request;
    for (let k = 0; k < count; k++) {
      const o = rows[k] * colStride;
      if (
        v[o + Col.podCount] + 1 > v[o + Col.allocPods] ||
        (milliCPU > 0 && milliCPU > v[o + Col.allocMilliCPU] - v[o + Col.reqMilliCPU]) ||
        (memory > 0 && memory > v[o + Col.allocMemory] - v[o + Col.reqMemory]) ||
        (ephemeralStorage > 0 && ephemeralStorage > v[o + Col.allocEphemeralStorage] - v[o + Col.reqEphemeralStorage])
      ) {
        pass[k] = 0;
      }
    }
  }

  /** score per node, from the rows when the scored resources are cpu and memory. */
  scoreRows(state: CycleState, pod: Pod, columns: NodeColumns, rows: Int32Array, nodes: NodeInfo[], out: Float64Array): Status {
    if (!this.fromRows) {
      for (let k = 0; k < nodes.length; k++) out[k] = this.score(state, pod, nodes[k]).score;
      return Status.success();
    }
    const podReq = podRequests(pod).nonZero;
    const v = columns.values;
    const specs = this.resources;
    const most = this.scorer === mostRequestedScore;
    for (let k = 0; k < nodes.length; k++) {
      const o = rows[k] * colStride;
      let total = 0;
      let weights = 0;
      for (let i = 0; i < specs.length; i++) {
        const cpu = specs[i].name === 'cpu';
        const alloc = cpu ? v[o + Col.allocMilliCPU] : v[o + Col.allocMemory];
        if (alloc === 0) continue;
        const req = cpu ? v[o + Col.nonZeroMilliCPU] + podReq.milliCPU : v[o + Col.nonZeroMemory] + podReq.memory;
        const w = specs[i].weight;
        total += (most ? mostRequestedScore(req, alloc) : leastRequestedScore(req, alloc)) * w;
        weights += w;
      }
      out[k] = weights === 0 ? 0 : Math.trunc(total / weights);
    }
    return Status.success();
  }

  /** A score 0–100 from the strategy, weighted over the resources; Success. */
  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    allocatableAndRequestedInto(nodeInfo, pod, this.resources, false, this.allocatable, this.requested);
    return { score: this.combine(), status: Status.success() };
  }

  /** The weighted score of the numbers in this.allocatable / this.requested. */
  private combine(): number {
    const { allocatable, requested } = this;
    let total = 0;
    let weights = 0;
    for (let i = 0; i < this.resources.length; i++) {
      if (allocatable[i] === 0) continue;
      total += this.scorer(requested[i], allocatable[i]) * this.resources[i].weight;
      weights += this.resources[i].weight;
    }
    return weights === 0 ? 0 : Math.trunc(total / weights);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'AssignedPod', actionType: ActionType.Delete | ActionType.UpdatePodScaleDown } },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeAllocatable | ActionType.UpdateNodeTaint | ActionType.UpdateNodeLabel } },
    ];
  }
}
