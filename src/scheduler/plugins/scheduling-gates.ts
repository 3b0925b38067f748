import { ActionType, Status, type ClusterEventWithHint, type EnqueueExtensions, type Pod, type PreEnqueuePlugin } from '../framework/index.js';

/** Upstream's SchedulingGates: a pod with `spec.schedulingGates` stays out of activeQ until they are all removed. */
export class SchedulingGates implements PreEnqueuePlugin, EnqueueExtensions {
  static readonly pluginName = 'SchedulingGates';
  readonly name = SchedulingGates.pluginName;

  /** Success without gates; UnschedulableAndUnresolvable `waiting for scheduling gates: [a b]` with them. */
  preEnqueue(pod: Pod): Status {
    const gates = pod.spec.schedulingGates ?? [];
    if (gates.length === 0) return Status.success();
    return Status.unresolvable(`waiting for scheduling gates: [${gates.map((g) => g.name).join(' ')}]`);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [{ event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodSchedulingGatesEliminated } }];
  }
}
