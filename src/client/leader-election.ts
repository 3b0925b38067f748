import { ApiError, type KubeObject } from '../api/index.js';
import type { Client } from './client.js';
import { realClock, sleep, type Clock } from './clock.js';
import { silentLogger, type Logger } from './logger.js';
import type { ResourceClient } from './resource-client.js';

/** coordination.k8s.io/v1 Lease, as far as leader election reads it. */
export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Settings of a {@link LeaderElector}; durations follow client-go's defaults. */
export interface LeaderElectionOptions {
  client: Client;
  /** the Lease's namespace and name, e.g. `kube-system` / `kube-scheduler` */
  namespace: string;
  name: string;
  /** this candidate, unique among candidates (e.g. `hostname_uuid`) */
  identity: string;
  /** how long a lease is honoured after its last renewal as observed (default 15 s) */
  leaseDurationMs?: number;
  /** how long the leader keeps retrying a renewal before giving up (default 10 s) */
  renewDeadlineMs?: number;
  /** time between attempts (default 2 s) */
  retryPeriodMs?: number;
  /** clear the lease when `run`'s signal aborts while leading, so another candidate takes over at once (default true) */
  releaseOnCancel?: boolean;
  /** called on becoming leader; `signal` aborts when leadership ends */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** called when leadership ends, however it ends */
  onStoppedLeading?(): void;
  /** called when the observed leader changes (including to this candidate) */
  onNewLeader?(identity: string): void;
  clock?: Clock;
  logger?: Logger;
}

/** A Lease time: RFC 3339 with microseconds, `2006-01-02T15:04:05.000000Z`. */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease (client-go's leaderelection). Writes are
 * conditional on the Lease's resourceVersion, so of two candidates racing, one gets a Conflict
 * and loses. A lease held by another is respected until `leaseDuration` has passed on this
 * candidate's clock since the lease last changed, which tolerates clock skew between machines.
 */
export class LeaderElector {
  private readonly leases: ResourceClient<Lease>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private observedRecord = '';
  private observedTime = 0;
  private observedHolder = '';
  private lease?: Lease;
  private leading = false;

  constructor(private readonly options: LeaderElectionOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (!options.identity) throw new Error('leader election needs an identity');
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod');
    this.leases = options.client.resource<Lease>('leases');
    this.clock = options.clock ?? realClock;
    this.logger = (options.logger ?? silentLogger()).child({ component: 'leader-election', lease: `${options.namespace}/${options.name}`, identity: options.identity });
  }

  /** Whether this candidate currently leads. */
  isLeader(): boolean {
    return this.leading;
  }

  /** The holder of the lease as last observed ('' if none). */
  leader(): string {
    return this.observedHolder;
  }

  /**
   * Campaigns until it leads, leads until renewal fails or `signal` aborts, then returns. To stand
   * again after losing, call `run` again.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.acquire(signal))) return;
    const leadership = new AbortController();
    this.leading = true;
    this.logger.info('became leader');
    Promise.resolve()
      .then(() => this.options.onStartedLeading(leadership.signal))
      .catch((err: unknown) => this.logger.error({ err }, 'onStartedLeading failed'));
    try {
      await this.renewLoop(signal);
    } finally {
      leadership.abort();
      this.leading = false;
      if (signal.aborted && this.options.releaseOnCancel !== false) await this.release();
      this.logger.info('stopped leading');
      try {
        this.options.onStoppedLeading?.();
      } catch (err) {
        this.logger.error({ err }, 'onStoppedLeading failed');
      }
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.attempt(signal, this.retryPeriodMs)) return true;
      if (!(await sleep(this.clock, this.retryPeriodMs, signal))) return false;
    }
    return false;
  }

  private async renewLoop(signal: AbortSignal): Promise<void> {
    for (;;) {
      if (!(await sleep(this.clock, this.retryPeriodMs, signal))) return;
      const deadline = this.clock.now() + this.renewDeadlineMs;
      for (;;) {
        if (await this.attempt(signal, deadline - this.clock.now())) break;
        if (signal.aborted) return;
        if (this.clock.now() + this.retryPeriodMs >= deadline) {
          this.logger.warn('failed to renew the lease within the renew deadline');
          return;
        }
        if (!(await sleep(this.clock, this.retryPeriodMs, signal))) return;
      }
    }
  }

  /** One tryAcquireOrRenew, abandoned after `timeoutMs`. */
  private async attempt(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
    const timeout = new AbortController();
    const handle = this.clock.setTimeout(() => timeout.abort(), Math.max(0, timeoutMs));
    const combined = AbortSignal.any([signal, timeout.signal]);
    try {
      return await Promise.race([this.tryAcquireOrRenew(combined), aborted(combined)]);
    } catch (err) {
      if (!combined.aborted) this.logger.warn({ err }, 'lease request failed');
      return false;
    } finally {
      this.clock.clearTimeout(handle);
    }
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = this.clock.now();
    const { namespace, name, identity } = this.options;
    const durationSeconds = Math.round(this.leaseDurationMs / 1000);
    let current: Lease;
    try {
      current = await this.leases.get(namespace, name, { signal });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
      const fresh: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: formatMicroTime(now), renewTime: formatMicroTime(now), leaseTransitions: 0 },
      };
      return this.write(() => this.leases.create(namespace, fresh, { signal }), now);
    }
    const spec = current.spec ?? {};
    this.observe(current, now);
    const holder = spec.holderIdentity ?? '';
    const heldFor = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (holder && holder !== identity && this.observedTime + heldFor > now) return false;
    const renewing = holder === identity;
    const next: Lease = {
      ...current,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: renewing && spec.acquireTime ? spec.acquireTime : formatMicroTime(now),
        renewTime: formatMicroTime(now),
        leaseTransitions: renewing ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      },
    };
    return this.write(() => this.leases.update(namespace, next, { signal }), now);
  }

  private async write(call: () => Promise<Lease>, now: number): Promise<boolean> {
    try {
      this.observe(await call(), now);
      return true;
    } catch (err) {
      if (err instanceof ApiError && (err.reason === 'Conflict' || err.reason === 'AlreadyExists')) return false;
      throw err;
    }
  }

  private observe(lease: Lease, now: number): void {
    this.lease = lease;
    const spec = lease.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity ?? '', spec.renewTime ?? '', spec.acquireTime ?? '', spec.leaseTransitions ?? 0, spec.leaseDurationSeconds ?? 0]);
    if (record === this.observedRecord) return;
    this.observedRecord = record;
    this.observedTime = now;
    const holder = spec.holderIdentity ?? '';
    if (holder !== this.observedHolder) {
      this.observedHolder = holder;
      if (holder) this.options.onNewLeader?.(holder);
    }
  }

  private async release(): Promise<void> {
    const lease = this.lease;
    if (!lease || lease.spec?.holderIdentity !== this.options.identity) return;
    const now = formatMicroTime(this.clock.now());
    const released: Lease = {
      ...lease,
      spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
    };
    const timeout = new AbortController();
    const handle = this.clock.setTimeout(() => timeout.abort(), this.renewDeadlineMs);
    try {
      await this.write(() => this.leases.update(this.options.namespace, released, { signal: timeout.signal }), this.clock.now());
    } catch (err) {
      this.logger.warn({ err }, 'failed to release the lease');
    } finally {
      this.clock.clearTimeout(handle);
    }
  }
}

function aborted(signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(false);
    else signal.addEventListener('abort', () => resolve(false), { once: true });
  });
}
