import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { closeSync, fstatSync, fsync, openSync, statSync } from 'node:fs';
import { setImmediate as tick } from 'node:timers/promises';
import { startAutoCompactor, type AutoCompactOptions } from '../auto-compactor.js';
import { CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError, StoreError, StoreUnavailableError } from '../errors.js';
import type { KeyValue, ListOptions, ListResult, Store, StoreEvent } from '../types.js';
import { WatchHub, prefixEnd, replayThenFollow } from '../watch-hub.js';
import { openDatabase, prepareStatements, type KvRow, type KvRowWithPrev, type Statements } from './sqlite-schema.js';

/** Options of the sqlite driver. */
export interface SqliteStoreOptions extends AutoCompactOptions {
  logger?: Logger;
  /** how long to wait for another process's lock before failing (default 1000 ms) */
  busyTimeoutMs?: number;
}

interface WriteOp {
  kind: 'create' | 'update' | 'delete';
  key: string;
  value: string;
  expected: number | undefined;
  resolve: (kv: KeyValue) => void;
  reject: (err: unknown) => void;
}

const WATCH_PAGE = 500;
const COMPACT_CHUNK = 5000;
/** the WAL is checkpointed into the database once it is this big */
const CHECKPOINT_WAL_BYTES = 8 * 1024 * 1024;

/** A committed batch waiting for the fsync that makes it durable. */
interface Committed {
  ops: WriteOp[];
  results: (KeyValue | StoreError)[];
  events: StoreEvent[];
}

/**
 * The embedded store: one sqlite table of revisions in the manner of kine (row id = revision),
 * writes of the same event-loop turn group-committed in one WAL transaction, watches fanned out
 * in process, and chunked compaction that keeps the file and the WAL bounded. A batch is
 * answered (and shown to watchers) only after an fsync of the WAL that began after its commit;
 * that fsync runs on libuv's thread pool while the next batches are prepared and committed, so
 * the main thread never waits for the disk (SQLite's own synchronous=FULL would block it for
 * each commit). Checkpoints, the only writes to the database file, run under synchronous=FULL.
 * One process per file: the connection keeps an exclusive lock.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly st: Statements;
  private readonly hub = new WatchHub();
  private readonly stop = new AbortController();
  private readonly logger: Logger | undefined;
  private rev: number;
  private compactRev: number;
  private queue: WriteOp[] = [];
  /** committed batches not yet made durable, the fsync in progress, who waits for all to be durable */
  private unsynced: Committed[] = [];
  private syncing = false;
  private walFd?: number;
  private durableWaiters: (() => void)[] = [];
  private compaction: Promise<void> = Promise.resolve();
  private closed = false;
  /** one transaction applying a batch of writes (made once: better-sqlite3 wraps the function) */
  private readonly writeBatch: (ops: WriteOp[], results: (KeyValue | StoreError)[], events: StoreEvent[]) => void;

  /** Open or create the store at `path`; starts the auto compactor unless compactInterval is 0. */
  constructor(readonly path: string, options: SqliteStoreOptions = {}) {
    this.db = openDatabase(path, options.busyTimeoutMs ?? 1000);
    this.st = prepareStatements(this.db);
    this.writeBatch = this.db.transaction((ops: WriteOp[], results: (KeyValue | StoreError)[], events: StoreEvent[]) => {
      for (const op of ops) results.push(this.apply(op, events));
    });
    this.logger = options.logger;
    this.rev = this.st.revision.get()!.seq;
    this.compactRev = this.meta('compact_rev');
    try {
      startAutoCompactor(this, options, this.stop.signal, this.logger);
    } catch (err) {
      this.db.close();
      throw err;
    }
    if (this.meta('compact_done') < this.compactRev) this.compaction = this.runCompaction();
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const row = this.st.latest.get(key);
    return row && !row.deleted ? rowKv(row) : undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = options.revision && options.revision > 0 ? options.revision : this.rev;
    if (revision < this.compactRev) throw new CompactedError(revision, this.compactRev);
    if (revision > this.rev) throw new RangeError(`revision ${revision} is in the future (current ${this.rev})`);
    const limit = options.limit && options.limit > 0 ? options.limit : -1;
    const end = prefixEnd(prefix);
    const exclusive = options.after !== undefined && options.after >= prefix;
    const lower = exclusive ? options.after! : prefix;
    const fetch = limit < 0 ? -1 : limit + 1;
    const rows = end
      ? this.st.list(exclusive, true).all(lower, end, revision, fetch)
      : this.st.list(exclusive, false).all(lower, revision, fetch);
    const more = limit >= 0 && rows.length > limit;
    if (more) rows.pop();
    return { items: rows.map((r) => ({ key: r.name, value: r.value, createRevision: r.create_revision || r.id, modRevision: r.id })), revision, more };
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    const end = prefixEnd(prefix);
    return (end ? this.st.count(true).get(prefix, end, this.rev) : this.st.count(false).get(prefix, this.rev))!.n;
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.enqueue('create', key, value, undefined);
  }

  update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return this.enqueue('update', key, value, expectedRevision);
  }

  delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.enqueue('delete', key, '', expectedRevision);
  }

  watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<StoreEvent> {
    this.checkOpen();
    const end = prefixEnd(prefix);
    return replayThenFollow(this.hub, prefix, fromRevision, signal, (after) => {
      if (this.closed) throw new StoreUnavailableError('store is closed');
      if (after < this.compactRev) throw new CompactedError(after, this.compactRev);
      const rows = end ? this.st.events.all(after, prefix, end, WATCH_PAGE) : this.st.eventsAll.all(after, prefix, WATCH_PAGE);
      return rows.map(rowEvent);
    });
  }

  /**
   * Forget history at or below `revision`. Readers see the new compacted revision at once; the
   * rows are deleted in chunks (resumed after a crash), then the WAL is truncated and free pages
   * are returned to the file system.
   */
  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw new RangeError(`cannot compact to future revision ${revision} (current ${this.rev})`);
    if (revision > this.compactRev) {
      this.compactRev = revision;
      this.st.setMeta.run(revision, 'compact_rev');
      const next = this.compaction.then(() => this.runCompaction());
      this.compaction = next.catch(() => undefined);
      return next;
    }
    await this.compaction;
  }

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    return this.compactRev;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    await this.durable();
    this.closed = true;
    this.stop.abort();
    await this.compaction;
    this.hub.closeAll();
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.walFd = undefined;
    this.db.close();
  }

  /** Sizes in bytes of the database file and its WAL (for benchmarks and metrics). */
  fileSizes(): { db: number; wal: number; freePages: number } {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return { db: pageSize * pages, wal: walSize(this.path), freePages: free };
  }

  private enqueue(kind: WriteOp['kind'], key: string, value: string, expected: number | undefined): Promise<KeyValue> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('store is closed'));
    return new Promise((resolve, reject) => {
      if (this.queue.push({ kind, key, value, expected, resolve, reject }) === 1) setImmediate(this.flush);
    });
  }

  private readonly flush = (): void => {
    const ops = this.queue;
    if (ops.length === 0) return;
    this.queue = [];
    const results: (KeyValue | StoreError)[] = [];
    const events: StoreEvent[] = [];
    try {
      this.writeBatch(ops, results, events);
    } catch (err) {
      this.logger?.error({ err, writes: ops.length }, 'sqlite write transaction failed');
      const failure = new StoreUnavailableError(`sqlite write failed: ${(err as Error).message}`);
      for (const op of ops) op.reject(failure);
      return;
    }
    if (events.length > 0) this.rev = events[events.length - 1]!.kv.modRevision;
    this.unsynced.push({ ops, results, events });
    this.syncWal();
  };

  /** Starts an fsync of the WAL for the batches committed so far, unless one runs (its end starts the next). */
  private syncWal(): void {
    if (this.syncing || this.unsynced.length === 0) return;
    const batches = this.unsynced;
    this.unsynced = [];
    const fd = this.path === ':memory:' ? undefined : (this.walFd ??= openSync(`${this.path}-wal`, 'r'));
    if (fd === undefined) {
      this.settle(batches, null);
      return;
    }
    this.syncing = true;
    fsync(fd, (err) => {
      this.syncing = false;
      this.settle(batches, err);
      if (!err && !this.closed && fstatSync(fd).size > CHECKPOINT_WAL_BYTES) this.checkpoint();
      this.syncWal();
      if (!this.syncing && this.unsynced.length === 0) for (const wake of this.durableWaiters.splice(0)) wake();
    });
  }

  /** Shows durable batches to watchers and answers their writes; a failed fsync fails them. */
  private settle(batches: Committed[], err: Error | null): void {
    for (const { ops, results, events } of batches) {
      if (err) {
        this.logger?.error({ err, writes: ops.length }, 'fsync of the sqlite WAL failed');
        const failure = new StoreUnavailableError(`sqlite fsync failed: ${err.message}`);
        for (const op of ops) op.reject(failure);
        continue;
      }
      this.hub.publish(events);
      for (let i = 0; i < ops.length; i++) {
        const result = results[i]!;
        if (result instanceof StoreError) ops[i]!.reject(result);
        else ops[i]!.resolve(result);
      }
    }
  }

  /** Resolves once every committed batch is durable. */
  private durable(): Promise<void> {
    if (!this.syncing && this.unsynced.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.durableWaiters.push(resolve));
  }

  /**
   * Copies the WAL into the database file and empties it (TRUNCATE, so its size again says how
   * much waits), with SQLite syncing both files (synchronous=FULL for the checkpoint only).
   */
  private checkpoint(): void {
    this.db.pragma('synchronous = FULL');
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.pragma('synchronous = OFF');
    }
  }

  private apply(op: WriteOp, events: StoreEvent[]): KeyValue | StoreError {
    const cur = this.st.latest.get(op.key);
    const live = cur && !cur.deleted ? cur : undefined;
    if (op.kind === 'create') {
      if (live) return new KeyExistsError(op.key);
      const id = Number(this.st.insert.run(op.key, 1, 0, 0, 0, op.value).lastInsertRowid);
      const kv = { key: op.key, value: op.value, createRevision: id, modRevision: id };
      events.push({ type: 'create', kv });
      return kv;
    }
    if (!live) return new KeyNotFoundError(op.key);
    const prevKv = rowKv(live);
    if (op.expected !== undefined && op.expected !== live.id) return new RevisionMismatchError(op.key, prevKv);
    const deleting = op.kind === 'delete';
    const value = deleting ? live.value : op.value;
    const id = Number(this.st.insert.run(op.key, 0, deleting ? 1 : 0, prevKv.createRevision, live.id, value).lastInsertRowid);
    const kv = { key: op.key, value, createRevision: prevKv.createRevision, modRevision: id };
    events.push({ type: op.kind, kv, prevKv });
    return kv;
  }

  private async runCompaction(): Promise<void> {
    const target = this.compactRev;
    let done = this.meta('compact_done');
    const started = done;
    while (done < target && !this.closed) {
      const to = Math.min(done + COMPACT_CHUNK, target);
      const from = done;
      this.db.transaction(() => {
        this.st.deleteSuperseded.run(from, to);
        this.st.deleteTombstones.run(from, to);
        this.st.setMeta.run(to, 'compact_done');
      })();
      done = to;
      await tick();
    }
    if (this.closed) return;
    this.db.pragma('incremental_vacuum');
    this.checkpoint();
    this.logger?.debug({ from: started, to: target }, 'sqlite compaction done');
  }

  private meta(name: string): number {
    return this.st.getMeta.get(name)?.value ?? 0;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreUnavailableError('store is closed');
  }
}

function rowKv(row: KvRow): KeyValue {
  return { key: row.name, value: row.value, createRevision: row.create_revision || row.id, modRevision: row.id };
}

function rowEvent(row: KvRowWithPrev): StoreEvent {
  const kv = rowKv(row);
  const type = row.deleted ? 'delete' : row.created ? 'create' : 'update';
  if (row.p_id === null) return { type, kv };
  return { type, kv, prevKv: { key: row.name, value: row.p_value!, createRevision: row.p_create_revision || row.p_id, modRevision: row.p_id } };
}

function walSize(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}
