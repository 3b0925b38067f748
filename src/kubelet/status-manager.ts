import type { Logger } from 'pino';
import { ApiError } from '../api/index.js';
import type { Client } from '../client/index.js';
import type { Pod, PodStatus } from './pod-types.js';

/**
 * Keeps the status the kubelet computed for each pod and patches `pods/<name>/status` only when
 * it changed since the last successful write. A static pod's status goes to its mirror pod.
 */
export class StatusManager {
  private readonly computed = new Map<string, { pod: Pod; status: PodStatus }>();
  private readonly sent = new Map<string, string>();

  constructor(
    private readonly client: () => Client | undefined,
    private readonly logger: Logger,
  ) {}

  /** The status last computed for a pod. */
  get(uid: string): PodStatus | undefined {
    return this.computed.get(uid)?.status;
  }

  /** Records a pod's status and writes it if it changed; answers whether a write happened. */
  async set(pod: Pod, status: PodStatus): Promise<boolean> {
    const uid = pod.metadata.uid!;
    this.computed.set(uid, { pod, status });
    return this.write(uid);
  }

  /** Writes every status not yet written (after the API server came back, or a mirror pod appeared). */
  async flushAll(): Promise<void> {
    for (const uid of this.computed.keys()) await this.write(uid);
  }

  /** Forgets a mirror's last write, so the next status is written to the (new) mirror pod. */
  invalidate(namespace: string, name: string): void {
    for (const [uid, entry] of this.computed) {
      if (entry.pod.metadata.namespace === namespace && entry.pod.metadata.name === name) this.sent.delete(uid);
    }
  }

  forget(uid: string): void {
    this.computed.delete(uid);
    this.sent.delete(uid);
  }

  private async write(uid: string): Promise<boolean> {
    const entry = this.computed.get(uid);
    const client = this.client();
    if (!entry || !client) return false;
    const json = JSON.stringify(entry.status);
    if (this.sent.get(uid) === json) return false;
    const { pod, status } = entry;
    const body = { status: { reason: null, message: null, podIP: null, podIPs: null, initContainerStatuses: null, ...status } };
    try {
      await client.resource<Pod>('pods').patch(pod.metadata.namespace, pod.metadata.name!, body, 'merge', { subresource: 'status', fieldManager: 'kubelet' });
      this.sent.set(uid, json);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.reason === 'NotFound') return false;
      this.logger.warn({ err: error, pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'could not update pod status');
      return false;
    }
  }
}
