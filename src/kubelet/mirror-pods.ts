import type { Logger } from 'pino';
import { ApiError } from '../api/index.js';
import type { Client } from '../client/index.js';
import { configAnnotations, type Pod } from './pod-types.js';

/**
 * Keeps one mirror pod in the API for each static pod (upstream's mirror_client): a copy with
 * `kubernetes.io/config.mirror` = the static pod's hash and the Node as controller owner. A mirror
 * that is missing, being deleted, or carries another hash is (re)created; a mirror with no
 * static pod behind it is deleted.
 *
 * A mirror deleted through the API with a grace period is removed at once but recreated only
 * `recreateDelayMs` later: `kubectl delete` reads the pod, then lists it by name and waits for a
 * DELETED event, and a replacement that appears between the two would keep it waiting forever.
 */
export class MirrorPodManager {
  /** mirrors removed after an API delete, by namespace/name: not recreated before this time */
  private readonly held = new Map<string, number>();

  constructor(
    private readonly client: Client,
    private readonly nodeName: string,
    private readonly nodeUid: () => string | undefined,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly recreateDelayMs = 1000,
  ) {}

  /** The mirror pod to create for a static pod. */
  mirrorOf(pod: Pod, nodeUid: string): Pod {
    const m = structuredClone(pod);
    const { uid: _uid, resourceVersion: _rv, ...meta } = m.metadata;
    m.metadata = {
      ...meta,
      annotations: { ...meta.annotations, [configAnnotations.mirror]: pod.metadata.annotations?.[configAnnotations.hash] ?? pod.metadata.uid! },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: nodeUid, controller: true }],
    };
    delete m.status;
    return m;
  }

  /**
   * Brings the mirrors in the API in line with the static pods; answers the mirrors (re)created
   * and, when a recreation is held back, how soon to sync again.
   */
  async sync(staticPods: Pod[], mirrors: Pod[]): Promise<{ created: Pod[]; retryAfterMs?: number }> {
    const nodeUid = this.nodeUid();
    if (!nodeUid) return { created: [] };
    const now = this.now();
    let retryAfterMs: number | undefined;
    const pods = this.client.resource<Pod>('pods');
    const key = (p: Pod) => `${p.metadata.namespace}/${p.metadata.name}`;
    const byKey = new Map(mirrors.map((m) => [key(m), m]));
    const created: Pod[] = [];
    for (const pod of staticPods) {
      const hash = pod.metadata.annotations?.[configAnnotations.hash];
      const mirror = byKey.get(key(pod));
      byKey.delete(key(pod));
      if (mirror && mirror.metadata.annotations?.[configAnnotations.mirror] === hash && !mirror.metadata.deletionTimestamp) continue;
      try {
        if (mirror?.metadata.deletionTimestamp) {
          await this.remove(mirror);
          this.held.set(key(pod), now + this.recreateDelayMs);
        } else if (mirror) {
          await this.remove(mirror);
        }
        const until = this.held.get(key(pod));
        if (until !== undefined && until > now) {
          retryAfterMs = Math.min(retryAfterMs ?? Infinity, until - now);
          continue;
        }
        this.held.delete(key(pod));
        created.push(await pods.create(pod.metadata.namespace, this.mirrorOf(pod, nodeUid), { fieldManager: 'kubelet' }));
        this.logger.info({ pod: key(pod) }, mirror ? 'mirror pod recreated' : 'mirror pod created');
      } catch (error) {
        if (error instanceof ApiError && error.reason === 'AlreadyExists') continue;
        this.logger.warn({ err: error, pod: key(pod) }, 'could not create mirror pod');
      }
    }
    for (const orphan of byKey.values()) {
      try {
        await this.remove(orphan);
        this.logger.info({ pod: key(orphan) }, 'mirror pod deleted: its static pod is gone');
      } catch (error) {
        this.logger.warn({ err: error, pod: key(orphan) }, 'could not delete mirror pod');
      }
    }
    for (const [k, until] of this.held) if (until <= now) this.held.delete(k);
    return retryAfterMs === undefined ? { created } : { created, retryAfterMs };
  }

  private async remove(mirror: Pod): Promise<void> {
    try {
      await this.client.resource<Pod>('pods').delete(mirror.metadata.namespace, mirror.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: mirror.metadata.uid! } });
    } catch (error) {
      if (error instanceof ApiError && (error.reason === 'NotFound' || error.reason === 'Conflict')) return;
      throw error;
    }
  }
}
