import { computePodResourceRequest, type NodeInfo, type Pod, type Resource } from '../framework/index.js';

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

/** A pod's requests, computed once per pod object: plain, and with the scoring defaults for missing cpu/memory. */
export function podRequests(pod: Pod): { plain: Resource; nonZero: Resource } {
  let r = podRequestCache.get(pod);
  if (!r) {
    r = { plain: computePodResourceRequest(pod), nonZero: computePodResourceRequest(pod, true) };
    podRequestCache.set(pod, r);
  }
  return r;
}

/**
 * Per resource, the node's allocatable and what would be requested with the pod on it (upstream's
 * calculateResourceAllocatableRequest). `useRequested` reads actual requests; otherwise cpu and
 * memory count the scoring defaults for containers without requests. Scalar resources the pod
 * does not request are left out (allocatable 0).
 */
export function allocatableAndRequested(nodeInfo: NodeInfo, pod: Pod, specs: ResourceSpec[], useRequested: boolean): { allocatable: number[]; requested: number[] } {
  const reqs = podRequests(pod);
  const podReq = useRequested ? reqs.plain : reqs.nonZero;
  const nodeReq = useRequested ? nodeInfo.requested : nodeInfo.nonZeroRequested;
  const allocatable: number[] = [];
  const requested: number[] = [];
  for (const spec of specs) {
    const podAmount = podReq.get(spec.name);
    const isScalar = spec.name !== 'cpu' && spec.name !== 'memory' && spec.name !== 'ephemeral-storage' && spec.name !== 'pods';
    if (isScalar && podAmount === 0) {
      allocatable.push(0);
      requested.push(0);
      continue;
    }
    allocatable.push(nodeInfo.allocatable.get(spec.name));
    requested.push(nodeReq.get(spec.name) + podAmount);
  }
  return { allocatable, requested };
}
