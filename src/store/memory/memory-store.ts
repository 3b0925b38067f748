import { CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError, StoreUnavailableError } from '../errors.js';
import type { KeyValue, ListOptions, ListResult, Store, StoreEvent } from '../types.js';
import { WatchHub, replayThenFollow } from '../watch-hub.js';

interface Row {
  rev: number;
  key: string;
  value: string;
  createRevision: number;
  prevRevision: number;
  deleted: boolean;
}

const WATCH_PAGE = 500;

/**
 * An in-memory Store for unit tests: the same revision convention as the other drivers (an empty
 * store is at revision 1, the first write gets 2), a history log for watch replay and past-revision
 * lists, and compaction. Nothing is persisted.
 */
export class MemoryStore implements Store {
  private rev = 1;
  private compacted = 0;
  private history: Row[] = [];
  private readonly latest = new Map<string, Row>();
  private readonly hub = new WatchHub();
  private closed = false;

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const row = this.latest.get(key);
    return row && toKv(row);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = options.revision && options.revision > 0 ? options.revision : this.rev;
    if (revision < this.compacted) throw new CompactedError(revision, this.compacted);
    if (revision > this.rev) throw new RangeError(`revision ${revision} is in the future (current ${this.rev})`);
    const after = options.after ?? '';
    let rows: Row[];
    if (revision === this.rev) {
      rows = [...this.latest.values()];
    } else {
      const atRev = new Map<string, Row>();
      for (const row of this.history) {
        if (row.rev > revision) break;
        atRev.set(row.key, row);
      }
      rows = [...atRev.values()].filter((r) => !r.deleted);
    }
    const matching = rows.filter((r) => r.key.startsWith(prefix) && r.key > after).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const limit = options.limit && options.limit > 0 ? options.limit : matching.length;
    return { items: matching.slice(0, limit).map(toKv), revision, more: matching.length > limit };
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    let n = 0;
    for (const key of this.latest.keys()) if (key.startsWith(prefix)) n++;
    return n;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.checkOpen();
    if (this.latest.has(key)) throw new KeyExistsError(key);
    const rev = ++this.rev;
    const row: Row = { rev, key, value, createRevision: rev, prevRevision: 0, deleted: false };
    this.commit(row, { type: 'create', kv: toKv(row) });
    return toKv(row);
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const cur = this.current(key, expectedRevision);
    const row: Row = { rev: ++this.rev, key, value, createRevision: cur.createRevision, prevRevision: cur.rev, deleted: false };
    this.commit(row, { type: 'update', kv: toKv(row), prevKv: toKv(cur) });
    return toKv(row);
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const cur = this.current(key, expectedRevision);
    const row: Row = { rev: ++this.rev, key, value: cur.value, createRevision: cur.createRevision, prevRevision: cur.rev, deleted: true };
    this.commit(row, { type: 'delete', kv: toKv(row), prevKv: toKv(cur) });
    return toKv(row);
  }

  watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<StoreEvent> {
    this.checkOpen();
    return replayThenFollow(this.hub, prefix, fromRevision, signal, (after) => this.readEvents(prefix, after));
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision <= this.compacted) return;
    if (revision > this.rev) throw new RangeError(`cannot compact to future revision ${revision} (current ${this.rev})`);
    const newest = new Map<string, number>();
    for (const row of this.history) {
      if (row.rev > revision) break;
      newest.set(row.key, row.rev);
    }
    this.history = this.history.filter((r) => r.rev > revision || (!r.deleted && newest.get(r.key) === r.rev));
    this.compacted = revision;
  }

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.hub.closeAll();
  }

  private current(key: string, expectedRevision: number | undefined): Row {
    const cur = this.latest.get(key);
    if (!cur) throw new KeyNotFoundError(key);
    if (expectedRevision !== undefined && expectedRevision !== cur.rev) throw new RevisionMismatchError(key, toKv(cur));
    return cur;
  }

  private commit(row: Row, event: StoreEvent): void {
    this.history.push(row);
    if (row.deleted) this.latest.delete(row.key);
    else this.latest.set(row.key, row);
    this.hub.publish([event]);
  }

  private readEvents(prefix: string, after: number): StoreEvent[] {
    if (after < this.compacted) throw new CompactedError(after, this.compacted);
    const events: StoreEvent[] = [];
    for (let i = this.indexAfter(after); i < this.history.length && events.length < WATCH_PAGE; i++) {
      const row = this.history[i]!;
      if (!row.key.startsWith(prefix)) continue;
      const prev = row.prevRevision ? this.rowAt(row.prevRevision) : undefined;
      const type = row.deleted ? 'delete' : row.prevRevision ? 'update' : 'create';
      events.push(prev ? { type, kv: toKv(row), prevKv: toKv(prev) } : { type, kv: toKv(row) });
    }
    return events;
  }

  private indexAfter(rev: number): number {
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid]!.rev <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private rowAt(rev: number): Row | undefined {
    const row = this.history[this.indexAfter(rev - 1)];
    return row && row.rev === rev ? row : undefined;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreUnavailableError('store is closed');
  }
}

function toKv(row: Row): KeyValue {
  return { key: row.key, value: row.value, createRevision: row.createRevision, modRevision: row.rev };
}
