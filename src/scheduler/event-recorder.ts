import { hostname } from 'node:os';
import type { Client, Clock, Logger } from '../client/index.js';
import type { Pod } from './framework/index.js';

/**
 * Writes core/v1 Events about pods from `default-scheduler`. A repeat of the same event
 * (same pod, reason and message) bumps the count of the one already written, as client-go's
 * event correlator does, so a pod retried for hours does not produce thousands of objects.
 */
export class SchedulerEventRecorder {
  private readonly written = new Map<string, { name: string; count: number; first: string }>();
  /** `default-scheduler-<hostname>`, as client-go's event recorder names the instance */
  private readonly instance: string;

  constructor(
    private readonly client: Client,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly component = 'default-scheduler',
    private readonly limit = 4096,
  ) {
    this.instance = `${component}-${hostname()}`;
  }

  /** Records an event; never throws (failures are logged). */
  record(pod: Pod, type: 'Normal' | 'Warning', reason: string, action: string, message: string): void {
    void this.write(pod, type, reason, action, message).catch((err: unknown) => this.logger.warn({ err, pod: `${pod.metadata.namespace}/${pod.metadata.name}`, reason }, 'could not record event'));
  }

  private async write(pod: Pod, type: 'Normal' | 'Warning', reason: string, action: string, message: string): Promise<void> {
    const ns = pod.metadata.namespace ?? 'default';
    const key = `${pod.metadata.uid}|${reason}|${message}`;
    const now = new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const events = this.client.resource('events');
    const seen = this.written.get(key);
    if (seen) {
      seen.count++;
      try {
        await events.patch(ns, seen.name, { count: seen.count, lastTimestamp: now }, 'merge');
        return;
      } catch {
        this.written.delete(key);
      }
    }
    const name = `${pod.metadata.name}.${(BigInt(this.clock.now()) * 1_000_000n + BigInt(process.hrtime()[1] % 1_000_000)).toString(16)}`;
    await events.create(ns, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion },
      reason,
      message,
      type,
      action,
      source: { component: this.component },
      reportingComponent: this.component,
      reportingInstance: this.instance,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
    this.written.set(key, { name, count: 1, first: now });
    if (this.written.size > this.limit) this.written.delete(this.written.keys().next().value!);
  }
}
