import type { Logger } from 'pino';
import type { Store } from './types.js';

/** How often and how far a store compacts itself. */
export interface AutoCompactOptions {
  /** milliseconds between compactions; 0 disables (default 300000, the apiserver's 5 min) */
  compactInterval?: number;
  /** revisions of history kept behind the current one (default 1000) */
  keepRevisions?: number;
}

export const DEFAULT_COMPACT_INTERVAL_MS = 5 * 60 * 1000;
export const DEFAULT_KEEP_REVISIONS = 1000;

/**
 * Compact `store` to `currentRevision - keepRevisions` every `compactInterval` ms until `signal`
 * aborts. The timer does not keep the process alive; failures are logged and retried next tick.
 */
export function startAutoCompactor(store: Store, options: AutoCompactOptions, signal: AbortSignal, logger?: Logger): void {
  const interval = options.compactInterval ?? DEFAULT_COMPACT_INTERVAL_MS;
  const keep = options.keepRevisions ?? DEFAULT_KEEP_REVISIONS;
  if (!Number.isInteger(interval) || interval < 0) throw new RangeError(`compactInterval must be a non-negative integer, got ${interval}`);
  if (!Number.isInteger(keep) || keep < 0) throw new RangeError(`keepRevisions must be a non-negative integer, got ${keep}`);
  if (interval === 0 || signal.aborted) return;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      const target = (await store.currentRevision()) - keep;
      if (target > (await store.compactedRevision())) {
        const started = Date.now();
        await store.compact(target);
        logger?.debug({ revision: target, ms: Date.now() - started }, 'compacted store');
      }
    })()
      .catch((err: unknown) => {
        if (!signal.aborted) logger?.warn({ err }, 'store compaction failed');
      })
      .finally(() => {
        running = false;
      });
  }, interval);
  timer.unref();
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
