import type { Pod } from './types.js';

/** What changed in the cluster, as bit flags (upstream's framework.ActionType). */
export const ActionType = {
  Add: 1,
  Delete: 2,
  UpdateNodeAllocatable: 4,
  UpdateNodeLabel: 8,
  UpdateNodeTaint: 16,
  UpdateNodeCondition: 32,
  UpdateNodeAnnotation: 64,
  UpdatePodLabel: 128,
  UpdatePodScaleDown: 256,
  UpdatePodTolerations: 512,
  UpdatePodSchedulingGatesEliminated: 1024,
  /** any update not covered by the flags above (unschedulable flag, generic changes) */
  UpdateOther: 2048,
} as const;

/** All update flags. */
export const Update = 4 | 8 | 16 | 32 | 64 | 128 | 256 | 512 | 1024 | 2048;
/** Every action. */
export const All = 1 | 2 | Update;

/** The kinds of object whose changes the queue hears about. `AssignedPod` is a pod bound to a node, `UnscheduledPod` one that is not. */
export type EventResource = 'Pod' | 'AssignedPod' | 'UnscheduledPod' | 'Node' | 'PersistentVolume' | 'PersistentVolumeClaim' | 'StorageClass' | 'Namespace' | 'PriorityClass' | '*';

/** A change of one kind of object (upstream's ClusterEvent). */
export interface ClusterEvent {
  resource: EventResource;
  /** a mask of ActionType flags */
  actionType: number;
  /** for logs and metrics, e.g. `NodeAdd` */
  label?: string;
}

/** A queueing hint's answer: whether the event may make the pod schedulable. */
export type QueueingHint = 'Queue' | 'QueueSkip';

/** Decides for one rejected pod whether an event may help it (upstream's QueueingHintFn). */
export type QueueingHintFn = (pod: Pod, oldObj: unknown, newObj: unknown) => QueueingHint;

/** An event a plugin wants to hear about, with an optional hint to skip needless requeues. */
export interface ClusterEventWithHint {
  event: ClusterEvent;
  queueingHint?: QueueingHintFn;
}

/** Whether an event matches what a plugin registered. Pod covers AssignedPod and UnscheduledPod. */
export function eventMatches(registered: ClusterEvent, happened: ClusterEvent): boolean {
  if ((registered.actionType & happened.actionType) === 0) return false;
  if (registered.resource === '*' || registered.resource === happened.resource) return true;
  return registered.resource === 'Pod' && (happened.resource === 'AssignedPod' || happened.resource === 'UnscheduledPod');
}

/** Events that could make any pod schedulable: the queue moves everything on them. */
export const wildcardEvent: ClusterEvent = { resource: '*', actionType: All, label: 'WildCardEvent' };
/** The periodic flush of pods left unschedulable too long. */
export const unschedulableTimeoutEvent: ClusterEvent = { resource: '*', actionType: All, label: 'UnschedulableTimeout' };
