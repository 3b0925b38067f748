import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../client/index.js';

/** What one sync of a pod answers: when to look again, or that the pod is gone for good. */
export interface WorkResult {
  requeueAfterMs?: number;
  done?: boolean;
}

interface Worker {
  running: boolean;
  pending: boolean;
  timer?: TimerHandle;
  idle?: Promise<void>;
}

/**
 * One serial async worker per pod UID (upstream's podWorkers): `update` while a sync runs marks
 * the pod for one more pass instead of queueing it twice; the sync reads the latest desired state
 * itself. A sync that asks for `requeueAfterMs` runs again then unless an update comes first.
 */
export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private stopped = false;

  constructor(
    private readonly sync: (uid: string) => Promise<WorkResult>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Asks for a sync of `uid` as soon as its worker is free. */
  update(uid: string): void {
    if (this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) {
      w = { running: false, pending: false };
      this.workers.set(uid, w);
    }
    if (w.timer !== undefined) {
      this.clock.clearTimeout(w.timer);
      w.timer = undefined;
    }
    w.pending = true;
    if (!w.running) w.idle = this.loop(uid, w);
  }

  /** UIDs with a worker. */
  uids(): string[] {
    return [...this.workers.keys()];
  }

  /** Resolves once every worker is between syncs. */
  async idle(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.idle));
  }

  /** Stops scheduling syncs; running ones finish. */
  stop(): void {
    this.stopped = true;
    for (const w of this.workers.values()) if (w.timer !== undefined) this.clock.clearTimeout(w.timer);
  }

  private async loop(uid: string, w: Worker): Promise<void> {
    w.running = true;
    let result: WorkResult = {};
    while (w.pending && !this.stopped) {
      w.pending = false;
      try {
        result = await this.sync(uid);
      } catch (error) {
        this.logger.error({ err: error, podUid: uid }, 'pod sync failed; retrying');
        result = { requeueAfterMs: 1000 };
      }
      if (result.done) {
        if (!w.pending) {
          this.workers.delete(uid);
          w.running = false;
          return;
        }
      }
    }
    w.running = false;
    if (!this.stopped && result.requeueAfterMs !== undefined) {
      w.timer = this.clock.setTimeout(() => {
        w.timer = undefined;
        this.update(uid);
      }, result.requeueAfterMs);
    }
  }
}
