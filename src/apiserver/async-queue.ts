/**
 * An unbounded-until-limit push queue read as an async iterable: the bridge between a producer
 * (the watch cache's dispatcher) and one consumer (a watch response). Past `limit` queued items
 * the queue closes itself with an overflow error, as upstream drops watchers that cannot keep up.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private head = 0;
  private waiter: ((result: IteratorResult<T>) => void) | undefined;
  private closed = false;
  private failure: Error | undefined;

  constructor(private readonly limit = 100_000, private readonly onClose?: () => void) {}

  get isClosed(): boolean {
    return this.closed;
  }

  push(item: T): void {
    if (this.closed) return;
    if (this.waiter) {
      const resolve = this.waiter;
      this.waiter = undefined;
      resolve({ value: item, done: false });
      return;
    }
    if (this.items.length - this.head >= this.limit) {
      this.close(new Error('watch consumer too slow: event queue overflow'));
      return;
    }
    this.items.push(item);
  }

  /** Ends the stream after the queued items; with an error, the reader sees it after them. */
  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.failure = error;
    if (this.waiter && this.head >= this.items.length) {
      const resolve = this.waiter;
      this.waiter = undefined;
      resolve({ value: undefined, done: true });
    }
    this.onClose?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.head < this.items.length) {
          const value = this.items[this.head++];
          if (this.head > 1024 && this.head * 2 > this.items.length) {
            this.items.splice(0, this.head);
            this.head = 0;
          }
          return Promise.resolve({ value, done: false });
        }
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
