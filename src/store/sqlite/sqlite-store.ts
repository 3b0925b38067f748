import type { Logger } from 'pino';
import { Worker } from 'node:worker_threads';
import { startAutoCompactor, type AutoCompactOptions } from '../auto-compactor.js';
import { CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError, StoreUnavailableError } from '../errors.js';
import type { KeyValue, ListOptions, ListResult, Store, StoreEvent } from '../types.js';
import { WatchHub, replayThenFollow } from '../watch-hub.js';
import { OpKind, OpStatus, type EventsReply, type FromSqliteWorker, type GetReply, type ListReply, type RequestMessage, type SizesReply, type SqliteWorkerData } from './sqlite-protocol.js';

/** Options of the sqlite driver. */
export interface SqliteStoreOptions extends AutoCompactOptions {
  logger?: Logger;
  /** how long to wait for another process's lock before failing (default 1000 ms) */
  busyTimeoutMs?: number;
}

interface WriteOp {
  kind: OpKind;
  key: string;
  value: string;
  expected: number | null;
  resolve: (kv: KeyValue) => void;
  reject: (err: unknown) => void;
}

interface Pending {
  resolve: (value: never) => void;
  reject: (err: unknown) => void;
}

/** a request to the worker before its id is given (Omit applied to each member of the union) */
type Request = RequestMessage extends infer M ? (M extends unknown ? Omit<M, 'id'> : never) : never;

const workerUrl = new URL('./sqlite-worker.js', import.meta.url);
/**
 * While a batch is in the worker, the next goes at most this long after it: a fsync here takes
 * about 0.1 ms, so per-turn batches under load were small and their messages cost the main thread
 * more than the writes themselves.
 */
const BATCH_INTERVAL_MS = 1;

/**
 * The embedded store: SQLite in the manner of kine (one table of revisions), its database work
 * (transactions, the WAL fsync, checkpoints, compaction, reads) on a worker thread that owns the
 * connection (sqlite-engine.ts), so the main thread only queues writes and publishes events.
 * Writes of the same event-loop turn go to the worker as one batch, applied in one WAL
 * transaction; a batch is answered and shown to watchers only once the worker reports the fsync
 * of the WAL that began after its commit. Reads see what has been answered. One process per
 * file: the connection keeps an exclusive lock. The worker keeps the process alive until close().
 */
export class SqliteStore implements Store {
  private readonly hub = new WatchHub();
  private readonly stop = new AbortController();
  private queue: WriteOp[] = [];
  /** when the last batch went to the worker (performance.now()) */
  private lastBatchAt = -Infinity;
  private readonly inFlight = new Map<number, WriteOp[]>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private closing?: Promise<void>;
  /** set once the worker is gone (died, or closed) */
  private gone?: StoreUnavailableError;

  private constructor(
    readonly path: string,
    private readonly worker: Worker,
    private rev: number,
    private compactRev: number,
    private readonly logger: Logger | undefined,
  ) {
    worker.on('message', this.onMessage);
    worker.on('error', (err) => this.onGone(err));
    worker.on('exit', (code) => this.onGone(new Error(`exited with code ${code}`)));
  }

  /**
   * Open or create the store at `path` on its own worker thread; starts the auto compactor unless
   * compactInterval is 0. Rejects with StoreUnavailableError when another process has the file.
   */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const data: SqliteWorkerData = { path, busyTimeoutMs: options.busyTimeoutMs ?? 1000 };
    // the worker keeps no objects: a small young generation is plenty
    const worker = new Worker(workerUrl, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    let opened: Extract<FromSqliteWorker, { t: 'ready' }>;
    try {
      opened = await new Promise((resolve, reject) => {
        const onExit = (code: number) => reject(new StoreUnavailableError(`sqlite store ${path}: worker exited with code ${code} while opening`));
        worker.once('error', reject);
        worker.once('exit', onExit);
        worker.once('message', (message: FromSqliteWorker) => {
          worker.off('error', reject);
          worker.off('exit', onExit);
          if (message.t === 'ready') resolve(message);
          else if (message.t === 'open-failed') reject(openError(message));
          else reject(new StoreUnavailableError(`sqlite store ${path}: unexpected message ${message.t} while opening`));
        });
      });
    } catch (err) {
      await worker.terminate();
      throw err;
    }
    const store = new SqliteStore(path, worker, opened.revision, opened.compactRevision, options.logger);
    try {
      startAutoCompactor(store, options, store.stop.signal, options.logger);
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const row = await this.call<GetReply>({ t: 'get', key, revision: this.rev });
    return row ? { key, value: row[0], createRevision: row[1], modRevision: row[2] } : undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = options.revision && options.revision > 0 ? options.revision : this.rev;
    if (revision < this.compactRev) throw new CompactedError(revision, this.compactRev);
    if (revision > this.rev) throw new RangeError(`revision ${revision} is in the future (current ${this.rev})`);
    const limit = options.limit && options.limit > 0 ? options.limit : -1;
    const reply = await this.call<ListReply>({ t: 'list', prefix, after: options.after, revision, limit });
    const flat = reply.items;
    const items: KeyValue[] = [];
    for (let i = 0; i < flat.length; i += 4) {
      items.push({ key: flat[i] as string, value: flat[i + 1] as string, createRevision: flat[i + 2] as number, modRevision: flat[i + 3] as number });
    }
    return { items, revision, more: reply.more };
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    return this.call<number>({ t: 'count', prefix, revision: this.rev });
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.enqueue(OpKind.Create, key, value, null);
  }

  update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return this.enqueue(OpKind.Update, key, value, expectedRevision);
  }

  delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.enqueue(OpKind.Delete, key, '', expectedRevision ?? null);
  }

  watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<StoreEvent> {
    this.checkOpen();
    return replayThenFollow(this.hub, prefix, fromRevision, signal, (after) => {
      if (this.closed) throw new StoreUnavailableError('store is closed');
      if (after < this.compactRev) throw new CompactedError(after, this.compactRev);
      if (after >= this.rev) return [];
      return this.call<EventsReply>({ t: 'events', prefix, after, upTo: this.rev }).then(decodeEvents);
    });
  }

  /**
   * Forget history at or below `revision`. Readers see the new compacted revision at once; the
   * worker deletes the rows in chunks (resumed after a crash), then truncates the WAL and returns
   * free pages to the file system. Resolves when that is done.
   */
  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw new RangeError(`cannot compact to future revision ${revision} (current ${this.rev})`);
    if (revision > this.compactRev) this.compactRev = revision;
    await this.call<void>({ t: 'compact', revision });
  }

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    return this.compactRev;
  }

  /** Answers the writes queued so far, stops compaction, closes the database and ends the worker and the watches. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Sizes in bytes of the database file and its WAL (for benchmarks and metrics). */
  async fileSizes(): Promise<{ db: number; wal: number; freePages: number }> {
    this.checkOpen();
    return this.call<SizesReply>({ t: 'sizes' });
  }

  private async shutdown(): Promise<void> {
    this.flush();
    this.closed = true;
    this.stop.abort();
    if (this.inFlight.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (!this.gone) {
      try {
        await this.call<void>({ t: 'close' });
      } catch (err) {
        this.logger?.error({ err }, 'closing the sqlite store failed');
      }
    }
    this.gone ??= new StoreUnavailableError('store is closed');
    await this.worker.terminate();
    this.hub.closeAll();
  }

  private enqueue(kind: OpKind, key: string, value: string, expected: number | null): Promise<KeyValue> {
    if (this.closed) return Promise.reject(this.gone ?? new StoreUnavailableError('store is closed'));
    return new Promise((resolve, reject) => {
      if (this.queue.push({ kind, key, value, expected, resolve, reject }) !== 1) return;
      // a lone writer goes at once; under load a batch waits for the interval
      const wait = this.inFlight.size === 0 ? 0 : this.lastBatchAt + BATCH_INTERVAL_MS - performance.now();
      if (wait > 0) setTimeout(this.flush, wait);
      else setImmediate(this.flush);
    });
  }

  private readonly flush = (): void => {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const ops: (number | string | null)[] = new Array(batch.length * 4);
    for (let i = 0, j = 0; i < batch.length; i++, j += 4) {
      const op = batch[i]!;
      ops[j] = op.kind;
      ops[j + 1] = op.key;
      ops[j + 2] = op.value;
      ops[j + 3] = op.expected;
    }
    const id = this.nextId++;
    this.inFlight.set(id, batch);
    this.lastBatchAt = performance.now();
    this.worker.postMessage({ t: 'write', id, ops });
  };

  private readonly onMessage = (message: FromSqliteWorker): void => {
    switch (message.t) {
      case 'durable':
        for (let i = 0; i < message.batches.length; i += 2) this.settle(message.batches[i] as number, message.batches[i + 1] as (number | string)[]);
        break;
      case 'failed':
        this.logger?.error({ err: message.message, stage: message.stage }, message.stage === 'fsync' ? 'fsync of the sqlite WAL failed' : 'sqlite write transaction failed');
        for (const id of message.ids) this.failBatch(id, new StoreUnavailableError(`sqlite ${message.stage === 'fsync' ? 'fsync' : 'write'} failed: ${message.message}`));
        if (message.stage === 'fsync') {
          // the failed batches are committed in the WAL, and later reads would show them: stop, as etcd does
          this.onGone(new Error(`fsync of the WAL failed: ${message.message}`));
          void this.worker.terminate();
        }
        break;
      case 'reply':
      case 'error': {
        const call = this.pending.get(message.id);
        if (!call) break;
        this.pending.delete(message.id);
        if (message.t === 'reply') call.resolve(message.value as never);
        else call.reject(new StoreUnavailableError(`sqlite store: ${message.message}`));
        break;
      }
      case 'log':
        if (message.level === 'error') this.logger?.error(message.fields, message.message);
        else this.logger?.debug(message.fields, message.message);
        break;
    }
    if (this.inFlight.size === 0 && this.idleWaiters.length > 0) for (const wake of this.idleWaiters.splice(0)) wake();
  };

  /** Builds the events and answers of a durable batch from its ops and the worker's numbers, publishes, answers. */
  private settle(id: number, r: (number | string)[]): void {
    const batch = this.inFlight.get(id);
    if (!batch) return;
    this.inFlight.delete(id);
    const events: StoreEvent[] = [];
    const answers: (KeyValue | Error)[] = new Array(batch.length);
    let j = 0;
    for (let i = 0; i < batch.length; i++) {
      const op = batch[i]!;
      const status = r[j++] as OpStatus;
      if (status === OpStatus.Ok) {
        const modRevision = r[j++] as number;
        if (op.kind === OpKind.Create) {
          const kv = { key: op.key, value: op.value, createRevision: modRevision, modRevision };
          events.push({ type: 'create', kv });
          answers[i] = kv;
          continue;
        }
        const createRevision = r[j++] as number;
        const prevKv = { key: op.key, value: r[j + 1] as string, createRevision, modRevision: r[j] as number };
        j += 2;
        const kv = { key: op.key, value: op.kind === OpKind.Delete ? prevKv.value : op.value, createRevision, modRevision };
        events.push({ type: op.kind === OpKind.Delete ? 'delete' : 'update', kv, prevKv });
        answers[i] = kv;
      } else if (status === OpStatus.Exists) answers[i] = new KeyExistsError(op.key);
      else if (status === OpStatus.NotFound) answers[i] = new KeyNotFoundError(op.key);
      else {
        answers[i] = new RevisionMismatchError(op.key, { key: op.key, value: r[j + 2] as string, createRevision: r[j + 1] as number, modRevision: r[j] as number });
        j += 3;
      }
    }
    if (events.length > 0) this.rev = events[events.length - 1]!.kv.modRevision;
    this.hub.publish(events);
    for (let i = 0; i < batch.length; i++) {
      const answer = answers[i]!;
      if (answer instanceof Error) batch[i]!.reject(answer);
      else batch[i]!.resolve(answer);
    }
  }

  private failBatch(id: number, err: StoreUnavailableError): void {
    const batch = this.inFlight.get(id);
    if (!batch) return;
    this.inFlight.delete(id);
    for (const op of batch) op.reject(err);
  }

  private call<T>(request: Request): Promise<T> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  /** The worker died (or ended): everything waiting on it fails, and so does everything later. */
  private onGone(cause: Error): void {
    if (this.gone) return;
    const err = new StoreUnavailableError(`sqlite store worker stopped: ${cause.message}`);
    this.gone = err;
    this.closed = true;
    this.stop.abort();
    this.logger?.error({ err: cause }, 'sqlite store worker stopped');
    for (const id of [...this.inFlight.keys()]) this.failBatch(id, err);
    for (const call of this.pending.values()) call.reject(err);
    this.pending.clear();
    for (const op of this.queue.splice(0)) op.reject(err);
    for (const wake of this.idleWaiters.splice(0)) wake();
    this.hub.closeAll(err);
  }

  private checkOpen(): void {
    if (this.closed) throw this.gone ?? new StoreUnavailableError('store is closed');
  }
}

function openError(message: Extract<FromSqliteWorker, { t: 'open-failed' }>): Error {
  if (message.unavailable) return new StoreUnavailableError(message.message);
  return Object.assign(new Error(message.message), message.code ? { code: message.code } : {});
}

function decodeEvents(flat: EventsReply): StoreEvent[] {
  const events: StoreEvent[] = [];
  const types = ['create', 'update', 'delete'] as const;
  for (let i = 0; i < flat.length; i += 8) {
    const key = flat[i + 1] as string;
    const kv = { key, value: flat[i + 2] as string, createRevision: flat[i + 3] as number, modRevision: flat[i + 4] as number };
    const type = types[flat[i] as number]!;
    if (flat[i + 5] === null) events.push({ type, kv });
    else events.push({ type, kv, prevKv: { key, value: flat[i + 7] as string, createRevision: flat[i + 6] as number, modRevision: flat[i + 5] as number } });
  }
  return events;
}
