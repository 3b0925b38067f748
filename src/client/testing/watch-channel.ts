/**
 * An async-iterable queue: producers `push` and `end`, one consumer iterates. Ends when the
 * consumer stops iterating or `signal` aborts.
 */
export class WatchChannel<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  private wake?: () => void;
  private closed = false;

  constructor(
    signal?: AbortSignal,
    private readonly onClose?: () => void,
  ) {
    if (signal?.aborted) this.closed = true;
    else signal?.addEventListener('abort', () => this.end(), { once: true });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  push(item: T): void {
    if (this.closed) return;
    this.buffer.push(item);
    this.notify();
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.();
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        if (this.buffer.length > 0) {
          yield this.buffer.shift()!;
          continue;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      this.end();
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
