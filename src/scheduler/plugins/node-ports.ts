import {
  ActionType,
  podHostPorts,
  Status,
  type ClusterEventWithHint,
  type CycleState,
  type EnqueueExtensions,
  type FilterPlugin,
  type NodeInfo,
  type Pod,
  type PreFilterPlugin,
  type StateData,
} from '../framework/index.js';

/** upstream's NodePorts ErrReason */
export const errReasonNodePorts = "node(s) didn't have free ports for the requested pod ports";

const stateKey = 'PreFilterNodePorts';

class PortsState implements StateData {
  constructor(readonly ports: ReturnType<typeof podHostPorts>) {}
  clone(): StateData {
    return this;
  }
}

/** Upstream's NodePorts: a node where a requested hostPort (per IP and protocol) is taken does not fit. */
export class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  static readonly pluginName = 'NodePorts';
  readonly name = NodePorts.pluginName;

  /** Skip when the pod asks for no host ports, else Success. */
  preFilter(state: CycleState, pod: Pod) {
    const ports = podHostPorts(pod);
    if (ports.length === 0) return { status: Status.skip() };
    state.write(stateKey, new PortsState(ports));
    return { status: Status.success() };
  }

  preFilterExtensions() {
    return undefined;
  }

  /** Success, Unschedulable when a port is taken, Error without PreFilter state. */
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const s = state.read<PortsState>(stateKey);
    const ports = s ? s.ports : podHostPorts(pod);
    for (const p of ports) if (nodeInfo.usedPorts.conflicts(p.hostIP, p.protocol, p.hostPort)) return Status.unschedulable(errReasonNodePorts);
    return Status.success();
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'AssignedPod', actionType: ActionType.Delete } },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateOther } },
    ];
  }
}
