import type { Logger } from 'pino';
import type { Store } from './types.js';

/** How often and how far a store compacts itself. */
export interface AutoCompactOptions {
  /** milliseconds between compactions; 0 disables (default 300000, the apiserver's 5 min) */
  compactInterval?: number;
  /** revisions of history kept behind the current one (default 1000) */
  keepRevisions?: number;
  /**
   * compact early once this many revisions have piled up beyond the kept ones (default 10000),
   * so that heavy churn cannot grow the database between two timed compactions
   */
  maxBacklog?: number;
}

/** How often the compactor runs unless told (upstream's apiserver default, 5 min). */
export const DEFAULT_COMPACT_INTERVAL_MS = 5 * 60 * 1000;
/** How many recent revisions a compaction keeps, so that watches resuming shortly after still can. */
export const DEFAULT_KEEP_REVISIONS = 1000;
/** Revisions waiting beyond the kept ones that trigger an early compaction. */
export const DEFAULT_MAX_BACKLOG = 10_000;
const checkEveryMs = 1000;

/**
 * Compact `store` to `currentRevision - keepRevisions` every `compactInterval` ms, or sooner when
 * more than `maxBacklog` revisions wait, until `signal` aborts. The timer does not keep the
 * process alive; failures are logged and retried at the next check.
 */
export function startAutoCompactor(store: Store, options: AutoCompactOptions, signal: AbortSignal, logger?: Logger): void {
  const interval = options.compactInterval ?? DEFAULT_COMPACT_INTERVAL_MS;
  const keep = options.keepRevisions ?? DEFAULT_KEEP_REVISIONS;
  const backlog = options.maxBacklog ?? DEFAULT_MAX_BACKLOG;
  for (const [name, value] of Object.entries({ compactInterval: interval, keepRevisions: keep, maxBacklog: backlog })) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
  if (interval === 0 || signal.aborted) return;
  let running = false;
  let last = Date.now();
  const timer = setInterval(
    () => {
      if (running) return;
      running = true;
      void (async () => {
        const current = await store.currentRevision();
        const compacted = await store.compactedRevision();
        const target = current - keep;
        const due = Date.now() - last >= interval || (backlog > 0 && target - compacted > backlog);
        if (!due || target <= compacted) return;
        const started = Date.now();
        await store.compact(target);
        last = Date.now();
        logger?.debug({ revision: target, ms: last - started }, 'compacted store');
      })()
        .catch((err: unknown) => {
          if (!signal.aborted) logger?.warn({ err }, 'store compaction failed');
        })
        .finally(() => {
          running = false;
        });
    },
    Math.min(interval, checkEveryMs),
  );
  timer.unref();
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
