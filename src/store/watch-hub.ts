import type { StoreEvent } from './types.js';

/**
 * One live watcher's buffer: the hub pushes committed events into it, the watch iterator pulls.
 * Unbounded on purpose: a store never drops or blocks on a slow watcher; the API server bounds
 * its own watch queues.
 */
export class Subscription {
  private buffer: StoreEvent[] = [];
  private head = 0;
  private waiter: ((event: StoreEvent | undefined) => void) | undefined;
  private failWaiter: ((err: unknown) => void) | undefined;
  private ended = false;
  private error: unknown;

  constructor(readonly prefix: string, private readonly detach: (sub: Subscription) => void) {}

  /** @internal called by the hub */
  push(event: StoreEvent): void {
    if (this.ended) return;
    if (this.waiter) {
      const wake = this.waiter;
      this.waiter = this.failWaiter = undefined;
      wake(event);
      return;
    }
    this.buffer.push(event);
  }

  /** Stop the subscription; pending and later `next()` calls see the end (or `err`). */
  end(err?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = err;
    this.detach(this);
    if (this.waiter) {
      const wake = this.waiter;
      const fail = this.failWaiter!;
      this.waiter = this.failWaiter = undefined;
      if (err === undefined) wake(undefined);
      else fail(err);
    }
  }

  /** The next buffered event, waiting for one; `undefined` once ended. */
  next(): Promise<StoreEvent | undefined> {
    if (this.head < this.buffer.length) {
      const event = this.buffer[this.head]!;
      // a taken event must not keep its values alive until the next compaction
      (this.buffer as (StoreEvent | undefined)[])[this.head++] = undefined;
      if (this.head > 1024 && this.head * 2 > this.buffer.length) {
        this.buffer = this.buffer.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve(event);
    }
    if (this.ended) return this.error === undefined ? Promise.resolve(undefined) : Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
  }
}

/** In-process fan-out of committed events to the watchers whose prefix matches. */
export class WatchHub {
  private readonly subs = new Set<Subscription>();

  /** Register a watcher; it ends when `signal` aborts. */
  subscribe(prefix: string, signal: AbortSignal): Subscription {
    const sub = new Subscription(prefix, (s) => this.subs.delete(s));
    if (signal.aborted) {
      sub.end();
      return sub;
    }
    this.subs.add(sub);
    signal.addEventListener('abort', () => sub.end(), { once: true });
    return sub;
  }

  /** Deliver events (in revision order) to every matching watcher. */
  publish(events: readonly StoreEvent[]): void {
    if (this.subs.size === 0) return;
    for (const event of events) {
      for (const sub of this.subs) {
        if (event.kv.key.startsWith(sub.prefix)) sub.push(event);
      }
    }
  }

  /** End every watcher, e.g. when the store closes. */
  closeAll(err?: unknown): void {
    for (const sub of [...this.subs]) sub.end(err);
  }

  get size(): number {
    return this.subs.size;
  }
}

/**
 * The watch algorithm shared by the embedded drivers: subscribe to live events first, replay
 * history page by page (each page read, possibly asynchronous, must fail with CompactedError when
 * the cursor fell below the compacted revision), then follow live events, skipping those the
 * replay already delivered.
 */
export async function* replayThenFollow(
  hub: WatchHub,
  prefix: string,
  fromRevision: number,
  signal: AbortSignal,
  readPage: (afterRevision: number) => StoreEvent[] | Promise<StoreEvent[]>,
): AsyncGenerator<StoreEvent> {
  const sub = hub.subscribe(prefix, signal);
  try {
    let cursor = fromRevision;
    for (;;) {
      if (signal.aborted) return;
      const page = await readPage(cursor);
      if (page.length === 0) break;
      for (const event of page) {
        cursor = event.kv.modRevision;
        yield event;
        if (signal.aborted) return;
      }
    }
    for (;;) {
      const event = await sub.next();
      if (event === undefined) return;
      if (event.kv.modRevision <= cursor) continue;
      cursor = event.kv.modRevision;
      yield event;
    }
  } finally {
    sub.end();
  }
}

/** The smallest string greater than every string starting with `prefix` ('' for no bound). */
export function prefixEnd(prefix: string): string {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix.charCodeAt(i);
    if (code < 0xffff) return prefix.slice(0, i) + String.fromCharCode(code + 1);
  }
  return '';
}
