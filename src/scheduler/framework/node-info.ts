import { computePodResourceRequest, Resource } from './resource.js';
import { podKey, type Node, type Pod } from './types.js';

/** A pod with what the scheduler derives from it once (upstream's PodInfo). */
export class PodInfo {
  readonly key: string;
  readonly requests: Resource;
  readonly nonZeroRequests: Resource;
  readonly hasAffinity: boolean;
  readonly hasRequiredAntiAffinity: boolean;

  constructor(readonly pod: Pod) {
    this.key = podKey(pod);
    this.requests = computePodResourceRequest(pod);
    this.nonZeroRequests = computePodResourceRequest(pod, true);
    const a = pod.spec.affinity;
    this.hasAffinity = !!(a?.podAffinity || a?.podAntiAffinity);
    this.hasRequiredAntiAffinity = (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
  }
}

/** An image on a node and on how many nodes it is (upstream's ImageStateSummary). */
export interface ImageStateSummary {
  size: number;
  numNodes: number;
}

/** The host ports in use on a node, by IP then `protocol/port` (upstream's HostPortInfo). */
export class HostPortInfo {
  private readonly byIp = new Map<string, Set<string>>();

  add(ip: string | undefined, protocol: string | undefined, port: number): void {
    if (!port) return;
    const k = `${protocol || 'TCP'}/${port}`;
    const addr = ip || '0.0.0.0';
    let set = this.byIp.get(addr);
    if (!set) this.byIp.set(addr, (set = new Set()));
    set.add(k);
  }

  remove(ip: string | undefined, protocol: string | undefined, port: number): void {
    if (!port) return;
    const addr = ip || '0.0.0.0';
    const set = this.byIp.get(addr);
    set?.delete(`${protocol || 'TCP'}/${port}`);
    if (set?.size === 0) this.byIp.delete(addr);
  }

  /** Whether the port conflicts: 0.0.0.0 conflicts with every IP. */
  conflicts(ip: string | undefined, protocol: string | undefined, port: number): boolean {
    if (!port) return false;
    const k = `${protocol || 'TCP'}/${port}`;
    const addr = ip || '0.0.0.0';
    if (addr === '0.0.0.0') {
      for (const set of this.byIp.values()) if (set.has(k)) return true;
      return false;
    }
    return !!(this.byIp.get(addr)?.has(k) || this.byIp.get('0.0.0.0')?.has(k));
  }

  get size(): number {
    let n = 0;
    for (const s of this.byIp.values()) n += s.size;
    return n;
  }

  clone(): HostPortInfo {
    const c = new HostPortInfo();
    for (const [ip, set] of this.byIp) c.byIp.set(ip, new Set(set));
    return c;
  }
}

function forEachHostPort(pod: Pod, fn: (ip: string | undefined, protocol: string | undefined, port: number) => void): void {
  for (const c of pod.spec.containers ?? []) for (const p of c.ports ?? []) if (p.hostPort) fn(p.hostIP, p.protocol, p.hostPort);
  for (const c of pod.spec.initContainers ?? []) {
    if (c.restartPolicy !== 'Always') continue;
    for (const p of c.ports ?? []) if (p.hostPort) fn(p.hostIP, p.protocol, p.hostPort);
  }
}

/** The host ports a pod asks for (containers and sidecars). */
export function podHostPorts(pod: Pod): Array<{ hostIP?: string; protocol?: string; hostPort: number }> {
  const out: Array<{ hostIP?: string; protocol?: string; hostPort: number }> = [];
  forEachHostPort(pod, (hostIP, protocol, hostPort) => out.push({ hostIP, protocol, hostPort }));
  return out;
}

/** The image states of every node without images: one shared, never-written map (ImageLocality's per-node check then stays in cache). */
export const noImageStates = new Map<string, ImageStateSummary>();

let generationCounter = 0;

/** The next value of the global generation counter NodeInfos are stamped with. */
export function nextGeneration(): number {
  return ++generationCounter;
}

/**
 * A node with the pods on it (assigned and assumed) and what they use (upstream's NodeInfo).
 * `requested` is the sum of the pods' requests; `nonZeroRequested` counts containers without
 * requests at the scoring defaults.
 */
export class NodeInfo {
  node: Node | undefined;
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  usedPorts = new HostPortInfo();
  requested = new Resource();
  nonZeroRequested = new Resource();
  allocatable = new Resource();
  imageStates: Map<string, ImageStateSummary> = noImageStates;
  generation = nextGeneration();

  constructor(node?: Node, pods: Pod[] = []) {
    if (node) this.setNode(node);
    for (const p of pods) this.addPod(p);
  }

  /** The node's name ('' while only pods are known); kept as a field so per-node loops need not reach into the Node object. */
  name = '';
  /** the Node's `spec.unschedulable` and `spec.taints`, kept here for the same reason */
  unschedulable = false;
  taints: NonNullable<Node['spec']>['taints'] = undefined;

  setNode(node: Node): void {
    this.node = node;
    this.name = node.metadata.name ?? '';
    this.unschedulable = !!node.spec?.unschedulable;
    this.taints = node.spec?.taints;
    this.allocatable = Resource.fromList(node.status?.allocatable ?? node.status?.capacity);
    this.imageStates = node.status?.images?.length ? new Map() : noImageStates;
    for (const img of node.status?.images ?? []) {
      for (const n of img.names ?? []) this.imageStates.set(n, { size: img.sizeBytes ?? 0, numNodes: 1 });
    }
    this.generation = nextGeneration();
  }

  removeNode(): void {
    this.node = undefined;
    this.name = '';
    this.unschedulable = false;
    this.taints = undefined;
    this.generation = nextGeneration();
  }

  addPod(pod: Pod | PodInfo): void {
    const info = pod instanceof PodInfo ? pod : new PodInfo(pod);
    this.pods.push(info);
    if (info.hasAffinity) this.podsWithAffinity.push(info);
    if (info.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity.push(info);
    this.update(info, 1);
  }

  /** Removes a pod by namespace/name (and uid when given); answers whether it was there. */
  removePod(pod: Pod | PodInfo): boolean {
    const p = pod instanceof PodInfo ? pod.pod : pod;
    const uid = p.metadata.uid;
    const key = pod instanceof PodInfo ? pod.key : podKey(p);
    const match = (x: PodInfo) => x.key === key && (!uid || !x.pod.metadata.uid || x.pod.metadata.uid === uid);
    const i = this.pods.findIndex(match);
    if (i < 0) return false;
    const info = this.pods[i];
    this.pods.splice(i, 1);
    if (info.hasAffinity) this.podsWithAffinity = this.podsWithAffinity.filter((x) => x !== info);
    if (info.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity.filter((x) => x !== info);
    this.update(info, -1);
    return true;
  }

  private update(info: PodInfo, sign: 1 | -1): void {
    if (sign > 0) {
      this.requested.add(info.requests);
      this.nonZeroRequested.add(info.nonZeroRequests);
      forEachHostPort(info.pod, (ip, proto, port) => this.usedPorts.add(ip, proto, port));
    } else {
      this.requested.sub(info.requests);
      this.nonZeroRequested.sub(info.nonZeroRequests);
      forEachHostPort(info.pod, (ip, proto, port) => this.usedPorts.remove(ip, proto, port));
    }
    this.generation = nextGeneration();
  }

  /** A copy whose pod lists and sums can change without touching this one (pods themselves are shared). */
  clone(): NodeInfo {
    const c = new NodeInfo();
    c.node = this.node;
    c.name = this.name;
    c.unschedulable = this.unschedulable;
    c.taints = this.taints;
    c.pods = this.pods.slice();
    c.podsWithAffinity = this.podsWithAffinity.slice();
    c.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity.slice();
    c.usedPorts = this.usedPorts.clone();
    c.requested = this.requested.clone();
    c.nonZeroRequested = this.nonZeroRequested.clone();
    c.allocatable = this.allocatable.clone();
    c.imageStates = this.imageStates;
    c.generation = this.generation;
    return c;
  }
}
