import { podKey, type Pod, type PodInfo, type PodNominator } from '../framework/index.js';

const none: PodInfo[] = Object.freeze([]) as unknown as PodInfo[];

/** Pods nominated to nodes by preemption (`status.nominatedNodeName`), by node (upstream's nominator). */
export class Nominator implements PodNominator {
  private readonly byNode = new Map<string, PodInfo[]>();
  private readonly nodeOfPod = new Map<string, string>();

  addNominatedPod(podInfo: PodInfo, nodeName: string): void {
    this.deleteNominatedPodIfExists(podInfo.pod);
    const node = nodeName || podInfo.pod.status?.nominatedNodeName;
    if (!node) return;
    this.nodeOfPod.set(podInfo.key, node);
    const list = this.byNode.get(node) ?? [];
    list.push(podInfo);
    this.byNode.set(node, list);
  }

  deleteNominatedPodIfExists(pod: Pod): void {
    const key = podKey(pod);
    const node = this.nodeOfPod.get(key);
    if (node === undefined) return;
    this.nodeOfPod.delete(key);
    const list = (this.byNode.get(node) ?? []).filter((p) => p.key !== key);
    if (list.length > 0) this.byNode.set(node, list);
    else this.byNode.delete(node);
  }

  hasNominatedPods(): boolean {
    return this.byNode.size > 0;
  }

  nominatedPodsForNode(nodeName: string): PodInfo[] {
    if (this.byNode.size === 0) return none;
    return this.byNode.get(nodeName) ?? none;
  }

  /** The node a pod is nominated to, if any. */
  nominatedNodeOf(pod: Pod): string | undefined {
    return this.nodeOfPod.get(podKey(pod));
  }
}
