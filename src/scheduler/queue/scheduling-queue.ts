import type { Clock, TimerHandle } from '../../client/index.js';
import {
  ActionType,
  eventMatches,
  PodInfo,
  podKey,
  unschedulableTimeoutEvent,
  type ClusterEvent,
  type ClusterEventWithHint,
  type Pod,
  type QueuedPodInfo,
  type Status,
} from '../framework/index.js';
import { KeyedHeap } from './heap.js';
import { Nominator } from './nominator.js';

/** How the queue is built. */
export interface SchedulingQueueOptions {
  /** the profile's QueueSort (PrioritySort) */
  less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  /** runs the pod's profile's PreEnqueue plugins */
  preEnqueue: (pod: Pod) => Status;
  /** events each plugin registered (EnqueueExtensions) */
  eventsByPlugin: Map<string, ClusterEventWithHint[]>;
  clock: Clock;
  /** default 1 s */
  initialBackoffMs?: number;
  /** default 10 s */
  maxBackoffMs?: number;
  /** how long a pod may stay unschedulable before a flush moves it (default 5 min) */
  maxInUnschedulableMs?: number;
}

/** Sizes of the queue's parts, for `scheduler_pending_pods{queue}`. */
export interface PendingPods {
  active: number;
  backoff: number;
  unschedulable: number;
  gated: number;
}

/**
 * Upstream's PriorityQueue: activeQ (a heap in QueueSort order), backoffQ (a heap by back-off
 * expiry: 1 s doubling per attempt up to 10 s) and unschedulable pods, which move back only on a
 * cluster event one of the plugins that rejected them registered for, or after 5 minutes. Pods
 * a PreEnqueue plugin rejects (scheduling gates) wait among the unschedulable as gated.
 */
export class SchedulingQueue {
  readonly nominator = new Nominator();
  private readonly activeQ: KeyedHeap<QueuedPodInfo>;
  private readonly backoffQ: KeyedHeap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private readonly waiters: Array<(q: QueuedPodInfo | undefined) => void> = [];
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;
  private cycle = 0;
  private moveRequestCycle = -1;
  private closed = false;
  private timers: TimerHandle[] = [];

  constructor(private readonly options: SchedulingQueueOptions) {
    this.initialBackoffMs = options.initialBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.maxInUnschedulableMs = options.maxInUnschedulableMs ?? 5 * 60_000;
    this.activeQ = new KeyedHeap((q) => q.podInfo.key, options.less);
    this.backoffQ = new KeyedHeap((q) => q.podInfo.key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  /** Starts the periodic flushes: backoffQ every second, long-unschedulable pods every 30 s. */
  run(signal: AbortSignal): void {
    const every = (ms: number, fn: () => void) => {
      const tick = () => {
        if (signal.aborted || this.closed) return;
        fn();
        this.timers.push(this.options.clock.setTimeout(tick, ms));
      };
      this.timers.push(this.options.clock.setTimeout(tick, ms));
    };
    every(1000, () => this.flushBackoffQCompleted());
    every(30_000, () => this.flushUnschedulablePodsLeftover());
    signal.addEventListener('abort', () => this.close(), { once: true });
  }

  /** Stops the timers and wakes waiting `pop` calls with undefined. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) this.options.clock.clearTimeout(t);
    this.timers = [];
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** The number of pods popped so far. */
  schedulingCycle(): number {
    return this.cycle;
  }

  /** A new pending pod: activeQ, or gated when a PreEnqueue plugin rejects it. */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.activeQ.has(key) || this.backoffQ.has(key) || this.unschedulable.has(key) || this.inFlight.has(key)) {
      this.update(pod, pod);
      return;
    }
    const now = this.options.clock.now();
    const q: QueuedPodInfo = {
      podInfo: new PodInfo(pod),
      timestamp: now,
      initialAttemptTimestamp: undefined,
      attempts: 0,
      unschedulablePlugins: new Set(),
      pendingPlugins: new Set(),
    };
    this.moveToActiveQ(q);
  }

  /** A pending pod changed. */
  update(oldPod: Pod, newPod: Pod): void {
    const key = podKey(newPod);
    const info = new PodInfo(newPod);
    const inActive = this.activeQ.get(key);
    if (inActive) {
      inActive.podInfo = info;
      this.activeQ.addOrUpdate(inActive);
      return;
    }
    const inBackoff = this.backoffQ.get(key);
    if (inBackoff) {
      inBackoff.podInfo = info;
      this.backoffQ.addOrUpdate(inBackoff);
      return;
    }
    const flying = this.inFlight.get(key);
    if (flying) {
      flying.podInfo = info;
      return;
    }
    const waiting = this.unschedulable.get(key);
    if (!waiting) {
      this.add(newPod);
      return;
    }
    waiting.podInfo = info;
    if (!podSpecOrLabelsChanged(oldPod, newPod)) return;
    this.unschedulable.delete(key);
    if (waiting.gatingPlugin) this.moveToActiveQ(waiting);
    else if (this.isBackingOff(waiting)) this.backoffQ.addOrUpdate(waiting);
    else this.moveToActiveQ(waiting);
  }

  /** A pending pod was deleted (or got bound by someone else). */
  delete(pod: Pod): void {
    const key = podKey(pod);
    this.nominator.deleteNominatedPodIfExists(pod);
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.unschedulable.delete(key);
  }

  /** Whether the queue holds the pod anywhere (or it is being scheduled). */
  has(pod: Pod): boolean {
    const key = podKey(pod);
    return this.activeQ.has(key) || this.backoffQ.has(key) || this.unschedulable.has(key) || this.inFlight.has(key);
  }

  /** The next pod to schedule, waiting until there is one; undefined once closed or aborted. */
  pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    const q = this.tryPop();
    if (q || this.closed) return Promise.resolve(q);
    return new Promise((resolve) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(undefined);
      };
      const waiter = (x: QueuedPodInfo | undefined) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(x);
      };
      if (signal?.aborted) return resolve(undefined);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Pops at once, or undefined when activeQ is empty. */
  tryPop(): QueuedPodInfo | undefined {
    const q = this.activeQ.pop();
    if (!q) return undefined;
    q.attempts++;
    q.initialAttemptTimestamp ??= this.options.clock.now();
    this.cycle++;
    this.inFlight.set(q.podInfo.key, q);
    return q;
  }

  /** The scheduling attempt of a popped pod has ended (bound, or requeued). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * Puts a pod that failed back: to backoffQ when it failed with an error, when no plugin
   * rejected it, or when a move request came in while it was being scheduled; otherwise among
   * the unschedulable to wait for an event its rejecting plugins registered for.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, podSchedulingCycle: number): void {
    const key = q.podInfo.key;
    this.inFlight.delete(key);
    if (this.activeQ.has(key) || this.backoffQ.has(key) || this.unschedulable.has(key)) return;
    q.timestamp = this.options.clock.now();
    const rejected = q.unschedulablePlugins.size > 0 || q.pendingPlugins.size > 0;
    if (!rejected || this.moveRequestCycle >= podSchedulingCycle) {
      this.backoffQ.addOrUpdate(q);
    } else {
      this.unschedulable.set(key, q);
    }
  }

  /** Moves pods whose back-off has expired to activeQ (run every second). */
  flushBackoffQCompleted(): void {
    const now = this.options.clock.now();
    for (;;) {
      const head = this.backoffQ.peek();
      if (!head || this.backoffExpiry(head) > now) break;
      this.backoffQ.pop();
      this.moveToActiveQ(head);
    }
  }

  /** Moves pods that have been unschedulable longer than the limit (5 min). */
  flushUnschedulablePodsLeftover(): void {
    const now = this.options.clock.now();
    const stale = [...this.unschedulable.values()].filter((q) => now - q.timestamp > this.maxInUnschedulableMs);
    this.movePods(stale, unschedulableTimeoutEvent, undefined, undefined, true);
  }

  /**
   * A cluster event happened: unschedulable pods that one of their rejecting plugins registered
   * this event for (and whose queueing hint says Queue) move to activeQ, or backoffQ while backing off.
   */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent, oldObj?: unknown, newObj?: unknown): void {
    if (this.inFlight.size > 0) this.moveRequestCycle = this.cycle;
    if (this.unschedulable.size === 0) return;
    this.movePods([...this.unschedulable.values()], event, oldObj, newObj, false);
  }

  private movePods(pods: QueuedPodInfo[], event: ClusterEvent, oldObj: unknown, newObj: unknown, force: boolean): void {
    for (const q of pods) {
      if (!force && !this.eventMayHelp(q, event, oldObj, newObj)) continue;
      this.unschedulable.delete(q.podInfo.key);
      if (q.gatingPlugin) this.moveToActiveQ(q);
      else if (this.isBackingOff(q)) this.backoffQ.addOrUpdate(q);
      else this.moveToActiveQ(q);
    }
  }

  private eventMayHelp(q: QueuedPodInfo, event: ClusterEvent, oldObj: unknown, newObj: unknown): boolean {
    const plugins = q.gatingPlugin ? [q.gatingPlugin] : [...q.unschedulablePlugins, ...q.pendingPlugins];
    if (plugins.length === 0) return true;
    for (const name of plugins) {
      for (const reg of this.options.eventsByPlugin.get(name) ?? []) {
        if (!eventMatches(reg.event, event)) continue;
        if (!reg.queueingHint || reg.queueingHint(q.podInfo.pod, oldObj, newObj) === 'Queue') return true;
      }
    }
    return false;
  }

  private moveToActiveQ(q: QueuedPodInfo): void {
    const s = this.options.preEnqueue(q.podInfo.pod);
    if (!s.isSuccess()) {
      q.gatingPlugin = s.plugin;
      this.unschedulable.set(q.podInfo.key, q);
      return;
    }
    q.gatingPlugin = undefined;
    this.activeQ.addOrUpdate(q);
    const w = this.waiters.shift();
    if (w) {
      const next = this.tryPop();
      if (next) w(next);
      else this.waiters.unshift(w);
    }
  }

  /** Back-off for the pod's attempts: 1 s, 2 s, 4 s … up to the maximum (upstream's calculateBackoffDuration). */
  backoffDuration(q: QueuedPodInfo): number {
    if (q.attempts === 0) return 0;
    let d = this.initialBackoffMs;
    for (let i = 1; i < q.attempts; i++) {
      if (d > this.maxBackoffMs - d) return this.maxBackoffMs;
      d += d;
    }
    return Math.min(d, this.maxBackoffMs);
  }

  private backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  private isBackingOff(q: QueuedPodInfo): boolean {
    return this.backoffExpiry(q) > this.options.clock.now();
  }

  /** How many pods wait in each part of the queue. */
  pendingPods(): PendingPods {
    let gated = 0;
    for (const q of this.unschedulable.values()) if (q.gatingPlugin) gated++;
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size - gated, gated };
  }

  /** The queued pods of each part, for explanation and tests. */
  podsIn(part: 'active' | 'backoff' | 'unschedulable'): Pod[] {
    const list = part === 'active' ? this.activeQ.list() : part === 'backoff' ? this.backoffQ.list() : [...this.unschedulable.values()];
    return list.map((q) => q.podInfo.pod);
  }
}

/** Whether anything besides status and resourceVersion changed (upstream's isPodUpdated). */
export function podSpecOrLabelsChanged(oldPod: Pod, newPod: Pod): boolean {
  const strip = (p: Pod) => JSON.stringify({ spec: p.spec, labels: p.metadata.labels, annotations: p.metadata.annotations });
  return strip(oldPod) !== strip(newPod);
}

/** The events an unscheduled pod's update amounts to (labels, tolerations, gates removed, other). */
export function unscheduledPodUpdateEvent(oldPod: Pod, newPod: Pod): ClusterEvent {
  let action = 0;
  if (JSON.stringify(oldPod.metadata.labels ?? {}) !== JSON.stringify(newPod.metadata.labels ?? {})) action |= ActionType.UpdatePodLabel;
  if (JSON.stringify(oldPod.spec.tolerations ?? []) !== JSON.stringify(newPod.spec.tolerations ?? [])) action |= ActionType.UpdatePodTolerations;
  if ((oldPod.spec.schedulingGates?.length ?? 0) > 0 && (newPod.spec.schedulingGates?.length ?? 0) === 0) action |= ActionType.UpdatePodSchedulingGatesEliminated;
  if (action === 0) action = ActionType.UpdateOther;
  return { resource: 'UnscheduledPod', actionType: action, label: 'UnscheduledPodUpdate' };
}
