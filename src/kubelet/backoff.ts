/** Upstream's container and image back-off: 10 s, doubling, capped at 300 s, forgotten after 10 min. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** an entry not touched for this long starts over at `initialMs` */
  resetMs?: number;
}

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

/** Per-key exponential back-off (client-go's flowcontrol.Backoff as the kubelet uses it). */
export class Backoff {
  private readonly entries = new Map<string, Entry>();
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly resetMs: number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 10_000;
    this.maxMs = options.maxMs ?? 300_000;
    this.resetMs = options.resetMs ?? 600_000;
    if (this.initialMs <= 0 || this.maxMs < this.initialMs) throw new Error('back-off: need 0 < initialMs <= maxMs');
  }

  /** Records one more failure of `key` at `now`; answers the new delay. */
  next(key: string, now: number): number {
    const entry = this.entries.get(key);
    const delayMs = !entry || now - entry.lastUpdate > this.resetMs ? this.initialMs : Math.min(entry.delayMs * 2, this.maxMs);
    this.entries.set(key, { delayMs, lastUpdate: now });
    return delayMs;
  }

  /** The milliseconds left before `key` may be retried, counted from `since`; 0 when not backing off. */
  remaining(key: string, since: number, now: number): number {
    const entry = this.entries.get(key);
    if (!entry || now - entry.lastUpdate > this.resetMs) return 0;
    return Math.max(0, since + entry.delayMs - now);
  }

  /** The milliseconds left before `key` may be retried, counted from its last failure. */
  remainingSinceUpdate(key: string, now: number): number {
    const entry = this.entries.get(key);
    return entry ? this.remaining(key, entry.lastUpdate, now) : 0;
  }

  /** The current delay of `key` (0 if none). */
  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key starting with `prefix` (a pod's entries when it goes away). */
  resetPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
