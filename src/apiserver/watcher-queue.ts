import type { WatchEvent } from '../api/index.js';

/**
 * How much one watcher may have waiting for its client before the watch cache ends its watch.
 *
 * Upstream's cacher gives each watcher a buffered channel (10 events for most resources, up to
 * 1,000 when an index narrows the watchers) and closes a watcher whose channel stays full past a
 * dispatch budget of at most 100 ms ("Forcing … watcher close due to unresponsiveness"). Skiff
 * counts the queued events' stored bytes instead of their number, since one event may be a 3 MiB
 * object or a 1 KiB lease, and is more patient, since the queue only holds references to objects
 * the cache shares among all watchers.
 */
export interface WatcherBounds {
  /**
   * Bytes (stored encoding of the queued objects) above which a watcher counts as behind: 32 MiB
   * by default, ten of the largest (3 MiB) objects, like upstream's 10-event channel of
   * maximal objects; a burst of 1,000 ordinary events (a few KiB each) stays well under it.
   */
  maxBytes: number;
  /** How long a watcher may stay above `maxBytes` before its watch is ended: 5 s by default. */
  graceMs: number;
  /** Above this many bytes the watch ends at once, whatever the grace: 4 × `maxBytes` by default. */
  hardMaxBytes: number;
  /** Above this many queued live events (the starting state does not count) the watch ends at once: 100,000 by default. */
  maxEvents: number;
}

export const defaultWatcherBounds: WatcherBounds = { maxBytes: 32 * 1024 * 1024, graceMs: 5000, hardMaxBytes: 128 * 1024 * 1024, maxEvents: 100_000 };

/** Why a watch ended early: its client did not take the events it was sent (the reader of the watch sees it). */
export class UnresponsiveWatcherError extends Error {
  constructor(readonly resource: string, readonly queuedEvents: number, readonly queuedBytes: number) {
    super(`forcing ${resource} watcher close due to unresponsiveness: ${queuedEvents} events (${queuedBytes} bytes) queued`);
    this.name = 'UnresponsiveWatcherError';
  }
}

/** A source that tells when it is closed, before its reader gets there (a reader waiting for its client). */
export interface EndingSource {
  /** resolves when the source is closed: with the error when the watch cache dropped an unresponsive watcher */
  readonly ended: Promise<UnresponsiveWatcherError | undefined>;
}

/**
 * The events waiting for one watcher, read as an async iterable by its watch response. Events
 * pushed with a size count toward the watcher's bounds (the starting state and history a watch
 * begins with do not, as upstream sends those apart from the channel); a watcher that stays above
 * them is failed: its queue is dropped at once and its reader gets an UnresponsiveWatcherError.
 */
export class WatcherQueue implements AsyncIterable<WatchEvent>, EndingSource {
  readonly ended: Promise<UnresponsiveWatcherError | undefined>;
  private resolveEnded!: (error: UnresponsiveWatcherError | undefined) => void;
  private items: WatchEvent[] = [];
  private sizes: number[] = [];
  private head = 0;
  private bytes = 0;
  /** live (sized) events waiting: the starting state a watch begins with does not count */
  private counted = 0;
  private waiter: ((result: IteratorResult<WatchEvent>) => void) | undefined;
  private closed = false;
  private failure: UnresponsiveWatcherError | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly resource: string, private readonly bounds: WatcherBounds, private readonly onClose?: () => void) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Events waiting for the reader. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Stored bytes of the counted events waiting for the reader. */
  get queuedBytes(): number {
    return this.bytes;
  }

  push(event: WatchEvent, size = 0): void {
    if (this.closed) return;
    if (this.waiter) {
      const resolve = this.waiter;
      this.waiter = undefined;
      resolve({ value: event, done: false });
      return;
    }
    this.items.push(event);
    this.sizes.push(size);
    this.bytes += size;
    if (size > 0) this.counted++;
    if (this.bytes > this.bounds.hardMaxBytes || this.counted > this.bounds.maxEvents) this.fail();
    else if (this.bytes > this.bounds.maxBytes && !this.timer) {
      this.timer = setTimeout(() => this.fail(), this.bounds.graceMs);
    }
  }

  /** Ends the stream after the queued events. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTimer();
    this.resolveEnded(this.failure);
    if (this.waiter && this.length === 0) {
      const resolve = this.waiter;
      this.waiter = undefined;
      resolve({ value: undefined, done: true });
    }
    this.onClose?.();
  }

  /** Ends the stream now: the queued events are dropped and the reader gets an UnresponsiveWatcherError. */
  private fail(): void {
    if (this.closed) return;
    this.failure = new UnresponsiveWatcherError(this.resource, this.length, this.bytes);
    this.items = [];
    this.sizes = [];
    this.head = 0;
    this.bytes = 0;
    this.counted = 0;
    this.close();
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private take(): WatchEvent {
    const value = this.items[this.head];
    this.bytes -= this.sizes[this.head];
    if (this.sizes[this.head] > 0) this.counted--;
    // a taken event must not keep its object alive (it may be long gone from the cache)
    (this.items as (WatchEvent | undefined)[])[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.head = 0;
    }
    if (this.timer && this.bytes <= this.bounds.maxBytes) this.stopTimer();
    return value;
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    return {
      next: () => {
        if (this.head < this.items.length) return Promise.resolve({ value: this.take(), done: false });
        if (this.closed) {
          if (this.failure) {
            const error = this.failure;
            this.failure = undefined;
            return Promise.reject(error);
          }
          return Promise.resolve({ value: undefined, done: true });
        }
        return new Promise((resolve) => {
          this.waiter = resolve;
        });
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
