import type { QueuedPodInfo, QueueSortPlugin } from '../framework/index.js';

/** Upstream's PrioritySort: higher `spec.priority` first, then the earlier queue timestamp. */
export class PrioritySort implements QueueSortPlugin {
  static readonly pluginName = 'PrioritySort';
  readonly name = PrioritySort.pluginName;

  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const pa = a.podInfo.pod.spec.priority ?? 0;
    const pb = b.podInfo.pod.spec.priority ?? 0;
    return pa > pb || (pa === pb && a.timestamp < b.timestamp);
  }

  eventsToRegister() {
    return [];
  }
}
