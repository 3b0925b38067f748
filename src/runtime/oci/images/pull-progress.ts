import type { PullProgress } from '../../types.js';

/** Byte counts of one pull or import, fanned out to every caller waiting on it. */
export class ProgressTracker {
  private readonly listeners = new Set<(p: PullProgress) => void>();
  done = 0;
  total = 0;

  subscribe(listener: ((p: PullProgress) => void) | undefined): void {
    if (!listener) return;
    this.listeners.add(listener);
    if (this.total) listener({ done: this.done, total: this.total });
  }

  addTotal(bytes: number): void {
    this.total += bytes;
    this.emit();
  }

  advance(bytes: number, layer?: string): void {
    this.done += bytes;
    this.emit(layer);
  }

  private emit(layer?: string): void {
    for (const listener of this.listeners) listener({ done: this.done, total: this.total, ...(layer ? { layer } : {}) });
  }
}
