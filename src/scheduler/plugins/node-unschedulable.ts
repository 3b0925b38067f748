import { ActionType, ColFlag, Status, type ClusterEventWithHint, type CycleState, type EnqueueExtensions, type FilterPlugin, type NodeColumns, type NodeInfo, type Pod } from '../framework/index.js';
import { taintToleratedByTolerations } from './taints.js';

/** upstream's NodeUnschedulable ErrReasonUnschedulable */
export const errReasonUnschedulable = 'node(s) were unschedulable';

/** Upstream's NodeUnschedulable: cordoned nodes (`spec.unschedulable`) fit only pods tolerating `node.kubernetes.io/unschedulable:NoSchedule`. */
export class NodeUnschedulable implements FilterPlugin, EnqueueExtensions {
  static readonly pluginName = 'NodeUnschedulable';
  readonly name = NodeUnschedulable.pluginName;

  /** Success, or UnschedulableAndUnresolvable `node(s) were unschedulable`. */
  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    if (!nodeInfo.unschedulable) return Status.success();
    const tolerated = taintToleratedByTolerations({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, pod.spec.tolerations);
    return tolerated ? Status.success() : Status.unresolvable(errReasonUnschedulable);
  }

  /** Passes nodes that are not cordoned. */
  filterRows(_state: CycleState, _pod: Pod, columns: NodeColumns, rows: Int32Array, count: number, pass: Uint8Array): void {
    for (let k = 0; k < count; k++) if (columns.has(rows[k], ColFlag.unschedulable)) pass[k] = 0;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [{ event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint } }];
  }
}
