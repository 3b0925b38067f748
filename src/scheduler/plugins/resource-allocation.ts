import { Col, colStride, computePodResourceRequest, type NodeColumns, type NodeInfo, type Pod, type Resource } from '../framework/index.js';

/** A resource a scoring strategy looks at and its weight (upstream's ResourceSpec). */
export interface ResourceSpec {
  name: string;
  weight: number;
}

/** cpu and memory, weight 1 each: upstream's default scoring resources. */
export const defaultResourceSpecs: ResourceSpec[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

const podRequestCache = new WeakMap<Pod, { plain: Resource; nonZero: Resource }>();

let lastPod: Pod | undefined;
let lastRequests: { plain: Resource; nonZero: Resource } | undefined;

/** A pod's requests, computed once per pod object: plain, and with the scoring defaults for missing cpu/memory. */
export function podRequests(pod: Pod): { plain: Resource; nonZero: Resource } {
  if (pod === lastPod) return lastRequests!;
  let r = podRequestCache.get(pod);
  if (!r) {
    r = { plain: computePodResourceRequest(pod), nonZero: computePodResourceRequest(pod, true) };
    podRequestCache.set(pod, r);
  }
  lastPod = pod;
  lastRequests = r;
  return r;
}

/** Whether the specs name only cpu and memory, the resources NodeColumns rows hold. */
export function rowsCover(specs: ResourceSpec[]): boolean {
  return specs.every((s) => s.name === 'cpu' || s.name === 'memory');
}

/**
 * allocatableAndRequestedInto from a NodeColumns row (specs naming only cpu and memory, see
 * rowsCover): the same numbers without reading the NodeInfo.
 */
export function allocatableAndRequestedFromRow(columns: NodeColumns, row: number, podReq: Resource, specs: ResourceSpec[], useRequested: boolean, allocatable: { [i: number]: number }, requested: { [i: number]: number }): void {
  const v = columns.values;
  const o = row * colStride;
  for (let i = 0; i < specs.length; i++) {
    if (specs[i].name === 'cpu') {
      allocatable[i] = v[o + Col.allocMilliCPU];
      requested[i] = v[o + (useRequested ? Col.reqMilliCPU : Col.nonZeroMilliCPU)] + podReq.milliCPU;
    } else {
      allocatable[i] = v[o + Col.allocMemory];
      requested[i] = v[o + (useRequested ? Col.reqMemory : Col.nonZeroMemory)] + podReq.memory;
    }
  }
}

/**
 * Per resource, the node's allocatable and what would be requested with the pod on it (upstream's
 * calculateResourceAllocatableRequest). `useRequested` reads actual requests; otherwise cpu and
 * memory count the scoring defaults for containers without requests. Scalar resources the pod
 * does not request are left out (allocatable 0).
 */
export function allocatableAndRequested(nodeInfo: NodeInfo, pod: Pod, specs: ResourceSpec[], useRequested: boolean): { allocatable: number[]; requested: number[] } {
  const allocatable = new Array<number>(specs.length);
  const requested = new Array<number>(specs.length);
  allocatableAndRequestedInto(nodeInfo, pod, specs, useRequested, allocatable, requested);
  return { allocatable, requested };
}

/** allocatableAndRequested into the caller's arrays (one slot per spec), without allocating. */
export function allocatableAndRequestedInto(nodeInfo: NodeInfo, pod: Pod, specs: ResourceSpec[], useRequested: boolean, allocatable: { [i: number]: number }, requested: { [i: number]: number }): void {
  const reqs = podRequests(pod);
  const podReq = useRequested ? reqs.plain : reqs.nonZero;
  const nodeReq = useRequested ? nodeInfo.requested : nodeInfo.nonZeroRequested;
  const alloc = nodeInfo.allocatable;
  for (let i = 0; i < specs.length; i++) {
    const name = specs[i].name;
    if (name === 'cpu') {
      allocatable[i] = alloc.milliCPU;
      requested[i] = nodeReq.milliCPU + podReq.milliCPU;
      continue;
    }
    if (name === 'memory') {
      allocatable[i] = alloc.memory;
      requested[i] = nodeReq.memory + podReq.memory;
      continue;
    }
    const podAmount = podReq.get(name);
    const isScalar = name !== 'ephemeral-storage' && name !== 'pods';
    if (isScalar && podAmount === 0) {
      allocatable[i] = 0;
      requested[i] = 0;
      continue;
    }
    allocatable[i] = alloc.get(name);
    requested[i] = nodeReq.get(name) + podAmount;
  }
}
