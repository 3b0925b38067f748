import type { Informer } from '../client/index.js';
import { ActionType, type ClusterEvent, type Node, type Pod } from './framework/index.js';
import { unscheduledPodUpdateEvent } from './queue/index.js';
import type { Scheduler } from './scheduler.js';

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The update flags of a node change (upstream's nodeSchedulingPropertiesChange). */
export function nodeUpdateEvent(oldNode: Node, newNode: Node): ClusterEvent | undefined {
  let action = 0;
  if (!same(oldNode.status?.allocatable, newNode.status?.allocatable)) action |= ActionType.UpdateNodeAllocatable;
  if (!same(oldNode.metadata.labels, newNode.metadata.labels)) action |= ActionType.UpdateNodeLabel;
  if (!same(oldNode.spec?.taints, newNode.spec?.taints) || !!oldNode.spec?.unschedulable !== !!newNode.spec?.unschedulable) action |= ActionType.UpdateNodeTaint;
  const conds = (n: Node) => (n.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).sort().join(',');
  if (conds(oldNode) !== conds(newNode)) action |= ActionType.UpdateNodeCondition;
  if (!same(oldNode.metadata.annotations, newNode.metadata.annotations)) action |= ActionType.UpdateNodeAnnotation;
  if (!same(oldNode.status?.images, newNode.status?.images)) action |= ActionType.UpdateOther;
  return action === 0 ? undefined : { resource: 'Node', actionType: action, label: 'NodeUpdate' };
}

function assignedPodUpdateEvent(oldPod: Pod, newPod: Pod): ClusterEvent {
  let action = 0;
  if (!same(oldPod.metadata.labels, newPod.metadata.labels)) action |= ActionType.UpdatePodLabel;
  const req = (p: Pod) => JSON.stringify(p.spec.containers.map((c) => c.resources?.requests ?? {}));
  if (req(oldPod) !== req(newPod)) action |= ActionType.UpdatePodScaleDown;
  return { resource: 'AssignedPod', actionType: action || ActionType.UpdateOther, label: 'AssignedPodUpdate' };
}

/**
 * Wires the informers to the cache and the queue (upstream's addAllEventHandlers): pending pods
 * of this scheduler's profiles go to the queue, assigned pods and nodes to the cache, and each
 * change is offered to the unschedulable pods as a cluster event.
 */
export function addEventHandlers(sched: Scheduler, pods: Informer<Pod>, nodes: Informer<Node>): void {
  const responsible = (pod: Pod) => sched.frameworkFor(pod) !== undefined;
  const assigned = (pod: Pod) => !!pod.spec.nodeName;

  const addAssigned = (pod: Pod) => {
    if (isTerminal(pod)) return;
    sched.cache.addPod(pod);
    sched.queue.moveAllToActiveOrBackoffQueue({ resource: 'AssignedPod', actionType: ActionType.Add, label: 'AssignedPodAdd' }, undefined, pod);
  };
  const deleteAssigned = (pod: Pod) => {
    sched.cache.removePod(pod);
    sched.queue.moveAllToActiveOrBackoffQueue({ resource: 'AssignedPod', actionType: ActionType.Delete, label: 'AssignedPodDelete' }, pod, undefined);
  };
  const rejectWaiting = (pod: Pod) => {
    for (const f of sched.frameworks.values()) f.getWaitingPod(pod.metadata.uid ?? '')?.reject('', 'pod was deleted');
  };

  pods.addEventHandler({
    onAdd: (pod) => {
      if (assigned(pod)) addAssigned(pod);
      else if (responsible(pod) && !isTerminal(pod)) sched.queue.add(pod);
    },
    onUpdate: (oldPod, newPod) => {
      if (assigned(newPod)) {
        if (!assigned(oldPod)) {
          sched.queue.delete(oldPod);
          addAssigned(newPod);
        } else if (isTerminal(newPod)) {
          deleteAssigned(newPod);
        } else {
          sched.cache.updatePod(oldPod, newPod);
          sched.queue.moveAllToActiveOrBackoffQueue(assignedPodUpdateEvent(oldPod, newPod), oldPod, newPod);
        }
        return;
      }
      if (!responsible(newPod) || isTerminal(newPod)) {
        sched.queue.delete(newPod);
        return;
      }
      if (sched.cache.isAssumedPod(newPod)) return;
      sched.queue.update(oldPod, newPod);
    },
    onDelete: (pod) => {
      if (assigned(pod) || sched.cache.isAssumedPod(pod)) {
        deleteAssigned(pod);
      } else {
        sched.queue.delete(pod);
      }
      rejectWaiting(pod);
    },
  });

  nodes.addEventHandler({
    onAdd: (node) => {
      sched.cache.addNode(node);
      sched.queue.moveAllToActiveOrBackoffQueue({ resource: 'Node', actionType: ActionType.Add, label: 'NodeAdd' }, undefined, node);
    },
    onUpdate: (oldNode, newNode) => {
      sched.cache.updateNode(oldNode, newNode);
      const ev = nodeUpdateEvent(oldNode, newNode);
      if (ev) sched.queue.moveAllToActiveOrBackoffQueue(ev, oldNode, newNode);
    },
    onDelete: (node) => {
      sched.cache.removeNode(node);
      sched.queue.moveAllToActiveOrBackoffQueue({ resource: 'Node', actionType: ActionType.Delete, label: 'NodeDelete' }, node, undefined);
    },
  });
}
