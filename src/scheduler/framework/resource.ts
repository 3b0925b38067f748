import { quantityMilliValue } from '../../api/index.js';
import type { Container, Pod, ResourceList } from './types.js';

/** upstream's DefaultMilliCPURequest: the cpu a container without a request counts as, for scoring */
export const defaultMilliCPURequest = 100;
/** upstream's DefaultMemoryRequest (200 MB), for scoring */
export const defaultMemoryRequest = 200 * 1024 * 1024;

const milliCache = new Map<string, number>();

/** A quantity in milli-units (cpu), cached per string; upstream's MilliValue. */
export function milliValue(q: string | number | undefined): number {
  if (q === undefined) return 0;
  if (typeof q === 'number') return Math.ceil(q * 1000);
  let v = milliCache.get(q);
  if (v === undefined) {
    v = quantityMilliValue(q);
    if (milliCache.size < 10_000) milliCache.set(q, v);
  }
  return v;
}

/** A quantity in whole units rounded up (memory, storage, counts); upstream's Value. */
export function unitValue(q: string | number | undefined): number {
  if (q === undefined) return 0;
  return Math.ceil(milliValue(q) / 1000);
}

/** Whether a resource name is one NodeResourcesFit treats as scalar (extended, hugepages, attachable volumes). */
function isScalar(name: string): boolean {
  return name !== 'cpu' && name !== 'memory' && name !== 'ephemeral-storage' && name !== 'pods';
}

/** Amounts of resources (upstream's framework.Resource): cpu in millicores, the rest in units. */
export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  allowedPodNumber = 0;
  scalar: Map<string, number> | undefined;

  /** A Resource from a resource list (requests, allocatable). */
  static fromList(list: ResourceList | undefined): Resource {
    const r = new Resource();
    if (list) r.addList(list);
    return r;
  }

  addList(list: ResourceList): void {
    for (const [name, q] of Object.entries(list)) {
      switch (name) {
        case 'cpu':
          this.milliCPU += milliValue(q);
          break;
        case 'memory':
          this.memory += unitValue(q);
          break;
        case 'ephemeral-storage':
          this.ephemeralStorage += unitValue(q);
          break;
        case 'pods':
          this.allowedPodNumber += unitValue(q);
          break;
        default:
          if (isScalar(name)) this.addScalar(name, unitValue(q));
      }
    }
  }

  addScalar(name: string, v: number): void {
    this.scalar ??= new Map();
    this.scalar.set(name, (this.scalar.get(name) ?? 0) + v);
  }

  add(o: Resource): void {
    this.milliCPU += o.milliCPU;
    this.memory += o.memory;
    this.ephemeralStorage += o.ephemeralStorage;
    this.allowedPodNumber += o.allowedPodNumber;
    if (o.scalar) for (const [k, v] of o.scalar) this.addScalar(k, v);
  }

  sub(o: Resource): void {
    this.milliCPU -= o.milliCPU;
    this.memory -= o.memory;
    this.ephemeralStorage -= o.ephemeralStorage;
    this.allowedPodNumber -= o.allowedPodNumber;
    if (o.scalar) for (const [k, v] of o.scalar) this.addScalar(k, -v);
  }

  /** Per resource, the larger of this and o. */
  setMax(o: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, o.milliCPU);
    this.memory = Math.max(this.memory, o.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, o.ephemeralStorage);
    this.allowedPodNumber = Math.max(this.allowedPodNumber, o.allowedPodNumber);
    if (o.scalar) for (const [k, v] of o.scalar) {
      this.scalar ??= new Map();
      this.scalar.set(k, Math.max(this.scalar.get(k) ?? 0, v));
    }
  }

  /** The amount of one named resource. */
  get(name: string): number {
    switch (name) {
      case 'cpu':
        return this.milliCPU;
      case 'memory':
        return this.memory;
      case 'ephemeral-storage':
        return this.ephemeralStorage;
      case 'pods':
        return this.allowedPodNumber;
      default:
        return this.scalar?.get(name) ?? 0;
    }
  }

  clone(): Resource {
    const r = new Resource();
    r.add(this);
    return r;
  }
}

function containerRequests(c: Container, nonZero: boolean): Resource {
  const r = Resource.fromList(c.resources?.requests);
  if (nonZero) {
    const req = c.resources?.requests;
    if (req?.cpu === undefined) r.milliCPU = defaultMilliCPURequest;
    if (req?.memory === undefined) r.memory = defaultMemoryRequest;
  }
  return r;
}

/**
 * What a pod requests, as upstream's computePodResourceRequest / resourcehelper.PodRequests: the
 * sum of the app containers and the restartable init containers (sidecars), at least the largest
 * regular init container plus the sidecars started before it, plus the pod overhead. With
 * `nonZero`, containers without a cpu or memory request count the scoring defaults
 * (100m, 200 MB) as upstream's NonZeroRequested.
 */
export function computePodResourceRequest(pod: Pod, nonZero = false): Resource {
  const reqs = new Resource();
  for (const c of pod.spec.containers ?? []) reqs.add(containerRequests(c, nonZero));
  const sidecars = new Resource();
  const initMax = new Resource();
  for (const c of pod.spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      reqs.add(r);
      sidecars.add(r);
      initMax.setMax(sidecars);
    } else {
      const effective = r.clone();
      effective.add(sidecars);
      initMax.setMax(effective);
    }
  }
  reqs.setMax(initMax);
  if (pod.spec.overhead) reqs.addList(pod.spec.overhead);
  return reqs;
}
