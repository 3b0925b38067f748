import type { ValueCounts } from './pod-affinity-index.js';

/**
 * Counts per topology key and value: shared read-only layers (an index's maps, summed) under an
 * own delta that PreFilter extensions change when a cycle simulates adding or removing pods.
 */
export class LayeredCounts {
  private cachedEmpty: boolean | undefined;

  constructor(
    private readonly base = new Map<string, ValueCounts[]>(),
    private readonly delta = new Map<string, ValueCounts>(),
  ) {}

  /** Adds a shared layer for a topology key (it is read, never written). */
  addLayer(key: string, counts: ValueCounts): void {
    const list = this.base.get(key);
    if (list) list.push(counts);
    else this.base.set(key, [counts]);
    this.cachedEmpty = undefined;
  }

  /** Adds `delta` to the count of (key, value) in this copy only. */
  add(key: string, value: string, delta: number): void {
    let byValue = this.delta.get(key);
    if (!byValue) this.delta.set(key, (byValue = new Map()));
    const n = (byValue.get(value) ?? 0) + delta;
    if (n === 0) byValue.delete(value);
    else byValue.set(value, n);
    if (byValue.size === 0) this.delta.delete(key);
    this.cachedEmpty = undefined;
  }

  get(key: string, value: string): number {
    let n = this.delta.size === 0 ? 0 : (this.delta.get(key)?.get(value) ?? 0);
    const layers = this.base.get(key);
    if (layers) for (let i = 0; i < layers.length; i++) n += layers[i].get(value) ?? 0;
    return n;
  }

  /** Whether some key with a value counted by `labels` has a positive total. */
  anyPositive(labels: Record<string, string>): boolean {
    for (const key of this.base.keys()) {
      const v = labels[key];
      if (v !== undefined && this.get(key, v) > 0) return true;
    }
    if (this.delta.size === 0) return false;
    for (const key of this.delta.keys()) {
      if (this.base.has(key)) continue;
      const v = labels[key];
      if (v !== undefined && this.get(key, v) > 0) return true;
    }
    return false;
  }

  /** Whether every (key, value) totals zero. */
  isEmpty(): boolean {
    if (this.cachedEmpty !== undefined) return this.cachedEmpty;
    let empty = true;
    if (this.delta.size === 0) {
      for (const layers of this.base.values()) if (layers.some((c) => c.size > 0)) empty = false;
    } else {
      outer: for (const key of new Set([...this.base.keys(), ...this.delta.keys()])) {
        const values = new Set<string>();
        for (const c of this.base.get(key) ?? []) for (const v of c.keys()) values.add(v);
        for (const v of this.delta.get(key)?.keys() ?? []) values.add(v);
        for (const v of values) {
          if (this.get(key, v) !== 0) {
            empty = false;
            break outer;
          }
        }
      }
    }
    this.cachedEmpty = empty;
    return empty;
  }

  /** A copy sharing the layers, with its own delta. */
  clone(): LayeredCounts {
    const delta = new Map<string, ValueCounts>();
    for (const [k, v] of this.delta) delta.set(k, new Map(v));
    const base = new Map<string, ValueCounts[]>();
    for (const [k, v] of this.base) base.set(k, v.slice());
    return new LayeredCounts(base, delta);
  }
}
