import { ActionType, Status, type ClusterEventWithHint, type CycleState, type EnqueueExtensions, type FilterPlugin, type NodeColumns, type NodeInfo, type Pod } from '../framework/index.js';

/** upstream's NodeName ErrReason */
export const errReasonNodeName = "node(s) didn't match the requested node name";

/** Upstream's NodeName: a pod naming a node in `spec.nodeName` fits only that node. */
export class NodeName implements FilterPlugin, EnqueueExtensions {
  static readonly pluginName = 'NodeName';
  readonly name = NodeName.pluginName;

  /** Success, or UnschedulableAndUnresolvable when the name differs. */
  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    if (!pod.spec.nodeName || pod.spec.nodeName === nodeInfo.name) return Status.success();
    return Status.unresolvable(errReasonNodeName);
  }

  /** Passes every node for a pod without spec.nodeName, else the node of that name. */
  filterRows(_state: CycleState, pod: Pod, columns: NodeColumns, rows: Int32Array, count: number, pass: Uint8Array): void {
    const want = pod.spec.nodeName;
    if (!want) return;
    for (let k = 0; k < count; k++) if (columns.names[rows[k]] !== want) pass[k] = 0;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [{ event: { resource: 'Node', actionType: ActionType.Add } }];
  }
}
