import { NodeColumns } from './node-columns.js';
import type { NodeInfo } from './node-info.js';

/**
 * The scheduler's view of the cluster for one cycle (upstream's Snapshot / NodeInfoLister):
 * the nodes in a stable order, the subsets with pods that carry (anti-)affinity, and lookups.
 */
export class Snapshot {
  nodeInfoList: NodeInfo[] = [];
  havePodsWithAffinityList: NodeInfo[] = [];
  havePodsWithRequiredAntiAffinityList: NodeInfo[] = [];
  readonly nodeInfoMap = new Map<string, NodeInfo>();
  /** the hot numbers of `nodeInfoList`, row i for node i (kept by rebuildLists and setAt) */
  readonly columns = new NodeColumns();
  generation = 0;
  /**
   * Names of the nodes whose NodeInfo the last update (the one that set `generation`) replaced
   * or removed; undefined when not known (then readers must compare every node).
   */
  changedNodes: string[] | undefined;

  /** A snapshot of the given NodeInfos (tests and simulations). */
  static of(nodeInfos: NodeInfo[]): Snapshot {
    const s = new Snapshot();
    for (const n of nodeInfos) s.nodeInfoMap.set(n.name, n);
    s.rebuildLists(nodeInfos);
    return s;
  }

  /** Recomputes the lists from the given order (nodes with a Node object only). */
  rebuildLists(order: Iterable<NodeInfo>): void {
    this.nodeInfoList = [];
    this.havePodsWithAffinityList = [];
    this.havePodsWithRequiredAntiAffinityList = [];
    for (const n of order) {
      if (!n.node) continue;
      this.nodeInfoList.push(n);
      if (n.podsWithAffinity.length > 0) this.havePodsWithAffinityList.push(n);
      if (n.podsWithRequiredAntiAffinity.length > 0) this.havePodsWithRequiredAntiAffinityList.push(n);
    }
    this.columns.fill(this.nodeInfoList);
  }

  /** Replaces the NodeInfo at position i of the node list (same node, newer state). */
  setAt(i: number, n: NodeInfo): void {
    this.nodeInfoList[i] = n;
    this.columns.set(i, n);
  }

  /** All nodes. */
  list(): NodeInfo[] {
    return this.nodeInfoList;
  }

  /** One node by name, or undefined. */
  get(nodeName: string): NodeInfo | undefined {
    const n = this.nodeInfoMap.get(nodeName);
    return n?.node ? n : undefined;
  }

  numNodes(): number {
    return this.nodeInfoList.length;
  }
}
