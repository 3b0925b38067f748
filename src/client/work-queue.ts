import { realClock, type Clock, type TimerHandle } from './clock.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

/** How a work queue keeps time and spaces out retries. */
export interface WorkQueueOptions<T> {
  clock?: Clock;
  /** defaults to {@link defaultControllerRateLimiter} */
  rateLimiter?: RateLimiter<T>;
  /** shuts the queue down when aborted */
  signal?: AbortSignal;
}

/**
 * A de-duplicating, delaying, rate-limited work queue (client-go's workqueue). An item added while
 * queued is queued once; an item added while being processed is queued again after `done`, so no
 * item is ever processed by two workers at once.
 *
 * ```ts
 * for (let key; (key = await queue.get()) !== undefined; ) {
 *   try { await reconcile(key); queue.forget(key); } catch { queue.addRateLimited(key); }
 *   finally { queue.done(key); }
 * }
 * ```
 */
export class WorkQueue<T = string> {
  private items: T[] = [];
  private head = 0;
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiting = new Map<T, { due: number; handle: TimerHandle }>();
  private waiters: Array<(item: T | undefined) => void> = [];
  private shuttingDown = false;
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter<T>;

  constructor(options: WorkQueueOptions<T> = {}) {
    this.clock = options.clock ?? realClock;
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
    if (options.signal) {
      if (options.signal.aborted) this.shutDown();
      else options.signal.addEventListener('abort', () => this.shutDown(), { once: true });
    }
  }

  /** Queues `item` unless it is already queued. */
  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.items.push(item);
    this.dispatch();
  }

  /** Queues `item` after `ms`; if it is already waiting, the earlier time wins. */
  addAfter(item: T, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(item);
      return;
    }
    const due = this.clock.now() + ms;
    const existing = this.waiting.get(item);
    if (existing) {
      if (existing.due <= due) return;
      this.clock.clearTimeout(existing.handle);
    }
    const handle = this.clock.setTimeout(() => {
      this.waiting.delete(item);
      this.add(item);
    }, ms);
    this.waiting.set(item, { due, handle });
  }

  /** Queues `item` after the rate limiter's delay (a retry after a failure). */
  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Resets the back-off of `item` (call after it succeeded). */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  /** How many times `item` has been retried since it was last forgotten. */
  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** The next item, waiting for one if the queue is empty; `undefined` once shut down and drained. */
  get(): Promise<T | undefined> {
    if (this.length() > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `item` processed; if it was added meanwhile, it is queued again. */
  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.items.push(item);
      this.dispatch();
    }
  }

  /** Items ready to be processed (not counting those waiting for a delay or in progress). */
  len(): number {
    return this.length();
  }

  /** Stops accepting items, cancels delayed ones and wakes every waiting `get` with `undefined`. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { handle } of this.waiting.values()) this.clock.clearTimeout(handle);
    this.waiting.clear();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(undefined);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private length(): number {
    return this.items.length - this.head;
  }

  private take(): T {
    const item = this.items[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(item);
    this.processing.add(item);
    return item;
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.length() > 0) this.waiters.shift()!(this.take());
  }
}
