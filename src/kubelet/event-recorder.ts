import type { Logger } from 'pino';
import type { KubeObject } from '../api/index.js';
import type { Client, Clock } from '../client/index.js';
import { rfc3339 } from './pod-types.js';

/** The object an Event is about (core/v1 ObjectReference). */
export interface InvolvedObject {
  kind: string;
  apiVersion?: string;
  namespace?: string;
  name: string;
  uid?: string;
  fieldPath?: string;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

/**
 * Writes core/v1 Events from the kubelet (source.component `kubelet`, host the node). A repeat of
 * the same object, reason and message bumps `count` and `lastTimestamp` instead of making a new
 * Event, as upstream's correlator does. Names are `<object>.<hex unix nanoseconds>` as upstream's, so
 * listing order (what `kubectl describe` keeps for equal timestamps) is the order they happened. Writes are queued in order and never block the caller;
 * without an API server (static pods before it starts) events are dropped.
 */
export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private chain: Promise<void> = Promise.resolve();
  private sequence = 0;

  constructor(
    private readonly client: () => Client | undefined,
    private readonly node: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Records an event; `type` Normal or Warning. */
  record(object: InvolvedObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.chain = this.chain.then(() => this.write(object, type, reason, message)).catch((error: unknown) => {
      this.logger.debug({ err: error, reason, object: object.name }, 'could not write event');
    });
  }

  /** Resolves when every event recorded so far was written (or dropped). */
  flush(): Promise<void> {
    return this.chain;
  }

  private async write(object: InvolvedObject, type: string, reason: string, message: string): Promise<void> {
    const client = this.client();
    if (!client) return;
    const events = client.resource<KubeObject>('events');
    const now = rfc3339(this.clock.now());
    const key = [object.uid ?? object.name, object.fieldPath ?? '', type, reason, message].join('|');
    const seen = this.seen.get(key);
    if (seen) {
      seen.count++;
      try {
        await events.patch(seen.namespace, seen.name, { count: seen.count, lastTimestamp: now }, 'merge');
        return;
      } catch {
        this.seen.delete(key);
      }
    }
    const namespace = object.namespace || 'default';
    const nanos = BigInt(this.clock.now()) * 1_000_000n + BigInt(this.sequence++ % 1_000_000);
    const name = `${object.name}.${nanos.toString(16)}`;
    await events.create(namespace, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: { apiVersion: object.apiVersion ?? 'v1', ...object },
      reason,
      message,
      type,
      source: { component: 'kubelet', host: this.node },
      reportingComponent: 'kubelet',
      reportingInstance: this.node,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
    if (this.seen.size > 4096) this.seen.clear();
    this.seen.set(key, { name, namespace, count: 1 });
  }
}
