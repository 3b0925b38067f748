/**
 * The scheduling queue: activeQ, backoffQ, unschedulable pods, and the nominator.
 * @module
 */
export { SchedulingQueue, type SchedulingQueueOptions, type PendingPods, podSpecOrLabelsChanged, unscheduledPodUpdateEvent } from './scheduling-queue.js';
export { Nominator } from './nominator.js';
export { KeyedHeap } from './heap.js';
