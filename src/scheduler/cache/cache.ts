import type { Clock, Logger } from '../../client/index.js';
import { NodeInfo, noImageStates, PodInfo, podKey, type ImageStateSummary, type Node, type Pod, type Snapshot } from '../framework/index.js';

interface PodState {
  pod: Pod;
  /** when an assumed pod whose binding finished expires (ms); undefined while binding */
  deadline?: number;
  bindingFinished: boolean;
}

/** How the cache behaves. */
export interface SchedulerCacheOptions {
  clock: Clock;
  logger: Logger;
  /** how long an assumed pod may wait for its informer event after binding; 0 = never expire (upstream's default) */
  assumedPodTtlMs?: number;
}

/**
 * The scheduler's cache of nodes and the pods on them (upstream's cacheImpl). A pod is
 * *assumed* on its node as soon as the scheduling cycle picks the node, so the next cycle counts
 * it before the binding is written; the informer's event later confirms it, and a failed binding
 * forgets it. Snapshots are updated incrementally: only the nodes changed since the last one are cloned.
 */
export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  private readonly assumed = new Set<string>();
  private readonly images = new Map<string, ImageStateSummary & { nodes: Set<string> }>();
  private readonly dirty = new Set<string>();
  private nodeSetChanged = true;
  private readonly ttlMs: number;

  constructor(private readonly options: SchedulerCacheOptions) {
    this.ttlMs = options.assumedPodTtlMs ?? 0;
  }

  private nodeInfoFor(name: string): NodeInfo {
    let n = this.nodes.get(name);
    if (!n) {
      n = new NodeInfo();
      this.nodes.set(name, n);
    }
    this.dirty.add(name);
    return n;
  }

  private addPodToNode(pod: Pod): void {
    this.nodeInfoFor(pod.spec.nodeName!).addPod(new PodInfo(pod));
  }

  private removePodFromNode(pod: Pod): void {
    const name = pod.spec.nodeName!;
    const n = this.nodes.get(name);
    if (!n) return;
    n.removePod(pod);
    this.dirty.add(name);
    if (!n.node && n.pods.length === 0) {
      this.nodes.delete(name);
      this.nodeSetChanged = true;
    }
  }

  /** Counts a pod (with spec.nodeName set) on its node before the binding is written. Throws if the pod is already known. */
  assumePod(pod: Pod): void {
    const key = podKey(pod);
    if (this.podStates.has(key)) throw new Error(`pod ${key} is in the cache, so can't be assumed`);
    this.addPodToNode(pod);
    this.podStates.set(key, { pod, bindingFinished: false });
    this.assumed.add(key);
  }

  /** The binding of an assumed pod was written; it may now expire if its event never comes. */
  finishBinding(pod: Pod): void {
    const st = this.podStates.get(podKey(pod));
    if (!st || !this.assumed.has(podKey(pod))) return;
    st.bindingFinished = true;
    if (this.ttlMs > 0) st.deadline = this.options.clock.now() + this.ttlMs;
  }

  /** Undoes assumePod after a failed binding. */
  forgetPod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.podStates.get(key);
    if (!st || !this.assumed.has(key)) return;
    this.removePodFromNode(st.pod);
    this.podStates.delete(key);
    this.assumed.delete(key);
  }

  isAssumedPod(pod: Pod): boolean {
    return this.assumed.has(podKey(pod));
  }

  /** The cached pod with this namespace/name, if any. */
  getPod(pod: Pod): Pod | undefined {
    return this.podStates.get(podKey(pod))?.pod;
  }

  /** An assigned pod the informer saw: confirms an assumed pod (moving it if it landed elsewhere) or adds it. */
  addPod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.podStates.get(key);
    if (st && this.assumed.has(key)) {
      if (st.pod.spec.nodeName !== pod.spec.nodeName) this.options.logger.warn({ pod: key, assumed: st.pod.spec.nodeName, actual: pod.spec.nodeName }, 'pod was assumed on one node but bound to another');
      this.removePodFromNode(st.pod);
      this.addPodToNode(pod);
      this.assumed.delete(key);
      this.podStates.set(key, { pod, bindingFinished: true });
      return;
    }
    if (st) {
      this.updatePod(st.pod, pod);
      return;
    }
    this.addPodToNode(pod);
    this.podStates.set(key, { pod, bindingFinished: true });
  }

  /** An assigned pod changed. */
  updatePod(_oldPod: Pod, newPod: Pod): void {
    const key = podKey(newPod);
    const st = this.podStates.get(key);
    if (!st) {
      this.addPod(newPod);
      return;
    }
    if (this.assumed.has(key)) {
      this.addPod(newPod);
      return;
    }
    this.removePodFromNode(st.pod);
    this.addPodToNode(newPod);
    st.pod = newPod;
  }

  /** An assigned pod was deleted. */
  removePod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.podStates.get(key);
    if (!st) return;
    this.removePodFromNode(st.pod);
    this.podStates.delete(key);
    this.assumed.delete(key);
  }

  addNode(node: Node): void {
    const name = node.metadata.name!;
    const n = this.nodeInfoFor(name);
    if (!n.node) this.nodeSetChanged = true;
    this.removeNodeImages(name);
    n.setNode(node);
    this.addNodeImages(n);
  }

  updateNode(_oldNode: Node, newNode: Node): void {
    this.addNode(newNode);
  }

  removeNode(node: Node): void {
    const name = node.metadata.name!;
    const n = this.nodes.get(name);
    if (!n) return;
    this.removeNodeImages(name);
    n.removeNode();
    if (n.pods.length === 0) this.nodes.delete(name);
    this.dirty.add(name);
    this.nodeSetChanged = true;
  }

  private addNodeImages(n: NodeInfo): void {
    const shared = new Map<string, ImageStateSummary>();
    for (const [imageName, st] of n.imageStates) {
      let s = this.images.get(imageName);
      if (!s) {
        s = { size: st.size, numNodes: 0, nodes: new Set() };
        this.images.set(imageName, s);
      }
      s.nodes.add(n.name);
      s.numNodes = s.nodes.size;
      s.size = st.size;
      shared.set(imageName, s);
    }
    n.imageStates = shared.size > 0 ? shared : noImageStates;
  }

  private removeNodeImages(name: string): void {
    const n = this.nodes.get(name);
    if (!n) return;
    for (const imageName of n.imageStates.keys()) {
      const s = this.images.get(imageName);
      if (!s) continue;
      s.nodes.delete(name);
      s.numNodes = s.nodes.size;
      if (s.nodes.size === 0) this.images.delete(imageName);
    }
  }

  /** Removes assumed pods whose binding finished more than the TTL ago without an informer event. */
  cleanupExpiredAssumedPods(): void {
    const now = this.options.clock.now();
    for (const key of [...this.assumed]) {
      const st = this.podStates.get(key)!;
      if (st.bindingFinished && st.deadline !== undefined && st.deadline < now) {
        this.options.logger.warn({ pod: key, node: st.pod.spec.nodeName }, 'assumed pod expired');
        this.removePodFromNode(st.pod);
        this.podStates.delete(key);
        this.assumed.delete(key);
      }
    }
  }

  /** Brings a snapshot up to date, cloning only the nodes that changed since its last update. */
  updateSnapshot(snapshot: Snapshot): void {
    if (this.dirty.size === 0 && !this.nodeSetChanged) return;
    let affinityChanged = false;
    for (const name of this.dirty) {
      const prev = snapshot.nodeInfoMap.get(name);
      const cur = this.nodes.get(name);
      const prevAffinity = !!prev && (prev.podsWithAffinity.length > 0 || prev.podsWithRequiredAntiAffinity.length > 0);
      if (!cur) {
        if (prevAffinity) affinityChanged = true;
        snapshot.nodeInfoMap.delete(name);
        continue;
      }
      const clone = cur.clone();
      snapshot.nodeInfoMap.set(name, clone);
      const i = !this.nodeSetChanged && prev ? snapshotIndex(snapshot, name) : -1;
      if (i >= 0) snapshot.setAt(i, clone);
      if (!prevAffinity && clone.podsWithAffinity.length === 0 && clone.podsWithRequiredAntiAffinity.length === 0) continue;
      if (affinityChanged || i < 0) {
        affinityChanged = true;
        continue;
      }
      const indices = indexOf.get(snapshot)!;
      placeInList(snapshot.havePodsWithAffinityList, indices, i, clone, clone.podsWithAffinity.length > 0);
      placeInList(snapshot.havePodsWithRequiredAntiAffinityList, indices, i, clone, clone.podsWithRequiredAntiAffinity.length > 0);
    }
    snapshot.changedNodes = [...this.dirty];
    this.dirty.clear();
    if (this.nodeSetChanged || affinityChanged) {
      const order: NodeInfo[] = [];
      for (const name of this.nodes.keys()) {
        const n = snapshot.nodeInfoMap.get(name);
        if (n) order.push(n);
      }
      snapshot.rebuildLists(order);
      if (this.nodeSetChanged || !indexOf.has(snapshot)) indexOf.set(snapshot, new Map(snapshot.nodeInfoList.map((n, i) => [n.name, i])));
      this.nodeSetChanged = false;
    }
    snapshot.generation++;
  }

  /** Numbers for logs and tests. */
  stats(): { nodes: number; pods: number; assumedPods: number } {
    let nodes = 0;
    for (const n of this.nodes.values()) if (n.node) nodes++;
    return { nodes, pods: this.podStates.size, assumedPods: this.assumed.size };
  }
}

const indexOf = new WeakMap<Snapshot, Map<string, number>>();

/**
 * Keeps one of the snapshot's affinity lists (in node order) up to date for a node at position
 * `index` whose NodeInfo was replaced by `clone`: the entry is replaced, removed or inserted in place, so a
 * pod with affinity landing on a node costs O(list) instead of a rebuild over every node.
 */
function placeInList(list: NodeInfo[], indices: Map<string, number>, index: number, clone: NodeInfo, belongs: boolean): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((indices.get(list[mid].name) ?? -1) < index) lo = mid + 1;
    else hi = mid;
  }
  const present = lo < list.length && list[lo].name === clone.name;
  if (present && belongs) list[lo] = clone;
  else if (present) list.splice(lo, 1);
  else if (belongs) list.splice(lo, 0, clone);
}

function snapshotIndex(s: Snapshot, name: string): number {
  return indexOf.get(s)?.get(name) ?? -1;
}
