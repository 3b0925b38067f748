import type { Logger } from 'pino';
import { WorkQueue } from '../client/index.js';

/** What a reconcile asks of the runner (controller-runtime's reconcile.Result). */
export interface Result {
  /** look again after this many milliseconds (time-based work, waiting on others) */
  requeueAfter?: number;
}

/** A level-based controller: it reads the world afresh for a key and makes it right. */
export interface Reconciler {
  readonly name: string;
  /** wires informers to `enqueue`; resolves when its caches have synced */
  start(enqueue: (key: string) => void, signal: AbortSignal): Promise<void>;
  reconcile(key: string, signal: AbortSignal): Promise<Result | void>;
}

/**
 * Runs a reconciler: a de-duplicating, rate-limited queue feeding `workers` serial loops. Errors
 * requeue the key with back-off; success forgets its failures.
 */
export async function runController(reconciler: Reconciler, options: { workers?: number; logger: Logger; signal: AbortSignal }): Promise<void> {
  const { logger, signal } = options;
  const queue = new WorkQueue<string>();
  signal.addEventListener('abort', () => queue.shutDown(), { once: true });
  await reconciler.start((key) => queue.add(key), signal);
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await reconciler.reconcile(key, signal);
        queue.forget(key);
        if (result?.requeueAfter !== undefined) queue.addAfter(key, result.requeueAfter);
      } catch (error) {
        if (signal.aborted) return;
        logger.warn({ err: error, key, controller: reconciler.name }, 'reconcile failed; retrying with back-off');
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers ?? 1 }, worker));
}
