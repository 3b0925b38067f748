import type Database from 'better-sqlite3';
import { closeSync, fstatSync, fsync, fsyncSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { prefixEnd } from '../watch-hub.js';
import { OpKind, OpStatus, type EventsReply, type FromSqliteWorker, type GetReply, type ListReply, type SizesReply } from './sqlite-protocol.js';
import { openDatabase, prepareStatements, type Statements } from './sqlite-schema.js';

const WATCH_PAGE = 500;
const COMPACT_CHUNK = 5000;
/** the WAL is checkpointed into the database once it is this big */
const CHECKPOINT_WAL_BYTES = 8 * 1024 * 1024;

/** A committed batch waiting for the fsync that makes it durable: its id and flat results. */
interface Committed {
  id: number;
  results: (number | string)[];
}

/**
 * The database work of the SQLite store, run on its worker thread: one table of revisions in
 * the manner of kine (row id = revision), each batch of writes applied in one WAL transaction,
 * reads, and chunked compaction that keeps the file and the WAL bounded. A batch is reported
 * durable only after an fsync of the WAL that began after its commit; that fsync runs on
 * libuv's thread pool while the next batches commit (SQLite's own synchronous=FULL would block
 * for each commit). Checkpoints, the only writes to the database file, run under
 * synchronous=FULL. The connection keeps an exclusive lock: one process per file.
 */
export class SqliteEngine {
  private readonly db: Database.Database;
  private readonly st: Statements;
  private compactRev: number;
  private unsynced: Committed[] = [];
  private syncing = false;
  private walFd?: number;
  private idleWaiters: (() => void)[] = [];
  private compaction: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly writeBatch: (ops: (number | string | null)[], results: (number | string)[]) => void;

  /** Opens the database (throws StoreUnavailableError when another process holds it). */
  constructor(
    private readonly path: string,
    busyTimeoutMs: number,
    private readonly post: (message: FromSqliteWorker) => void,
  ) {
    this.db = openDatabase(path, busyTimeoutMs);
    this.st = prepareStatements(this.db);
    this.writeBatch = this.db.transaction((ops: (number | string | null)[], results: (number | string)[]) => {
      for (let i = 0; i < ops.length; i += 4) this.apply(ops[i] as OpKind, ops[i + 1] as string, ops[i + 2] as string, ops[i + 3] as number | null, results);
    });
    this.compactRev = this.meta('compact_rev');
    if (this.meta('compact_done') < this.compactRev) this.compaction = this.runCompaction().catch((err: unknown) => this.log('error', 'sqlite compaction failed', { err: String(err) }));
  }

  /** The revision and compacted revision the store starts from. */
  get revisions(): { revision: number; compactRevision: number } {
    return { revision: this.st.revision.get()!.seq, compactRevision: this.compactRev };
  }

  /** Applies a batch in one transaction, then has it made durable (or reports it failed). */
  write(id: number, ops: (number | string | null)[]): void {
    const results: (number | string)[] = [];
    try {
      this.writeBatch(ops, results);
    } catch (err) {
      this.post({ t: 'failed', ids: [id], stage: 'transaction', message: (err as Error).message });
      return;
    }
    this.unsynced.push({ id, results });
    this.syncWal();
  }

  /** The newest live value of a key at or below `revision`. */
  get(key: string, revision: number): GetReply {
    const row = this.st.latestAt.get(key, revision);
    return row && !row.deleted ? [row.value, row.create_revision || row.id, row.id] : null;
  }

  /** Live keys under a prefix at a revision, by key, after `after` when given. */
  list(prefix: string, after: string | undefined, revision: number, limit: number): ListReply {
    const end = prefixEnd(prefix);
    const exclusive = after !== undefined && after >= prefix;
    const lower = exclusive ? after : prefix;
    const fetch = limit < 0 ? -1 : limit + 1;
    const rows = end ? this.st.list(exclusive, true).all(lower, end, revision, fetch) : this.st.list(exclusive, false).all(lower, revision, fetch);
    const more = limit >= 0 && rows.length > limit;
    if (more) rows.pop();
    const items: (string | number)[] = [];
    for (const r of rows) items.push(r.name, r.value, r.create_revision || r.id, r.id);
    return { items, more };
  }

  /** Number of live keys under a prefix at a revision. */
  count(prefix: string, revision: number): number {
    const end = prefixEnd(prefix);
    return (end ? this.st.count(true).get(prefix, end, revision) : this.st.count(false).get(prefix, revision))!.n;
  }

  /** One page of a watch's replay: events under the prefix after `after`, up to `upTo`. */
  events(prefix: string, after: number, upTo: number): EventsReply {
    const end = prefixEnd(prefix);
    const rows = end ? this.st.events.all(after, upTo, prefix, end, WATCH_PAGE) : this.st.eventsAll.all(after, upTo, prefix, WATCH_PAGE);
    const out: EventsReply = [];
    for (const r of rows) {
      out.push(r.deleted ? 2 : r.created ? 0 : 1, r.name, r.value, r.create_revision || r.id, r.id);
      if (r.p_id === null) out.push(null, null, null);
      else out.push(r.p_id, r.p_create_revision || r.p_id, r.p_value);
    }
    return out;
  }

  /**
   * Forget history at or below `revision`: recorded at once, then the rows are deleted in chunks
   * (resumed after a crash), the WAL truncated and free pages returned to the file system.
   */
  compact(revision: number): Promise<void> {
    if (revision <= this.compactRev) return this.compaction;
    this.compactRev = revision;
    this.st.setMeta.run(revision, 'compact_rev');
    const next = this.compaction.then(() => this.runCompaction());
    this.compaction = next.catch(() => undefined);
    return next;
  }

  /** Sizes in bytes of the database file and its WAL. */
  sizes(): SizesReply {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return { db: pageSize * pages, wal: walSize(this.path), freePages: free };
  }

  /** Waits for every committed batch to be durable and the compaction to stop, then closes the database. */
  async close(): Promise<void> {
    if (this.syncing || this.unsynced.length > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.closed = true;
    await this.compaction;
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.walFd = undefined;
    this.db.close();
  }

  /** Starts an fsync of the WAL for the batches committed so far, unless one runs (its end starts the next). */
  private syncWal(): void {
    if (this.syncing || this.unsynced.length === 0) return;
    const batches = this.unsynced;
    this.unsynced = [];
    const fd = this.path === ':memory:' ? undefined : (this.walFd ??= openWal(this.path));
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
      if (!this.syncing && this.unsynced.length === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
  }

  /** Reports batches durable (one message for all), or failed when their fsync failed. */
  private settle(batches: Committed[], err: Error | null): void {
    if (err) {
      this.post({ t: 'failed', ids: batches.map((b) => b.id), stage: 'fsync', message: err.message });
      return;
    }
    const flat: (number | (number | string)[])[] = [];
    for (const b of batches) flat.push(b.id, b.results);
    this.post({ t: 'durable', batches: flat });
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

  /** Applies one write, appending its result (see OpStatus) to `out`. */
  private apply(kind: OpKind, key: string, value: string, expected: number | null, out: (number | string)[]): void {
    const cur = this.st.latest.get(key);
    const live = cur && !cur.deleted ? cur : undefined;
    if (kind === OpKind.Create) {
      if (live) {
        out.push(OpStatus.Exists);
        return;
      }
      out.push(OpStatus.Ok, Number(this.st.insert.run(key, 1, 0, 0, 0, value).lastInsertRowid));
      return;
    }
    if (!live) {
      out.push(OpStatus.NotFound);
      return;
    }
    const createRev = live.create_revision || live.id;
    if (expected !== null && expected !== live.id) {
      out.push(OpStatus.Mismatch, live.id, createRev, live.value);
      return;
    }
    const deleting = kind === OpKind.Delete;
    const id = Number(this.st.insert.run(key, 0, deleting ? 1 : 0, createRev, live.id, deleting ? live.value : value).lastInsertRowid);
    out.push(OpStatus.Ok, id, createRev, live.id, live.value);
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
    this.log('debug', 'sqlite compaction done', { from: started, to: target });
  }

  private meta(name: string): number {
    return this.st.getMeta.get(name)?.value ?? 0;
  }

  private log(level: 'debug' | 'error', message: string, fields: Record<string, unknown>): void {
    this.post({ t: 'log', level, message, fields });
  }
}

function walSize(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}

/**
 * Opens the WAL for the store's own fsyncs, after syncing its folder once: SQLite made the file
 * at open, and with synchronous=OFF it never syncs the folder itself (as it does under FULL), so
 * without this a crash could lose the new file's name and with it every write acknowledged in it.
 */
function openWal(path: string): number {
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
  return openSync(`${path}-wal`, 'r');
}
