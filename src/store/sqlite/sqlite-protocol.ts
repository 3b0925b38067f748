/**
 * Messages between the SQLite store (main thread) and its worker thread, which owns the one
 * database connection. Hot messages are compact: a batch of writes is one flat array, its
 * results another, so that cloning them costs the main thread little.
 */

/** What the worker is started with (its workerData). */
export interface SqliteWorkerData {
  path: string;
  busyTimeoutMs: number;
}

/** Kinds of write in a batch (first of the four slots of each op). */
export const enum OpKind {
  Create = 0,
  Update = 1,
  Delete = 2,
}

/** Outcome of one write (first slot of its result). */
export const enum OpStatus {
  /** create: then its revision; update/delete: then revision, createRevision, previous revision, previous value */
  Ok = 0,
  Exists = 1,
  NotFound = 2,
  /** then the current revision, createRevision and value */
  Mismatch = 3,
}

/**
 * A batch of writes, applied in one transaction: `ops` holds four slots per write (kind, key,
 * value, expected revision or null).
 */
export interface WriteMessage {
  t: 'write';
  id: number;
  ops: (number | string | null)[];
}

/** A read or command answered by a `reply` (or `error`) with the same id. */
export type RequestMessage =
  | { t: 'get'; id: number; key: string; revision: number }
  | { t: 'list'; id: number; prefix: string; after: string | undefined; revision: number; limit: number }
  | { t: 'count'; id: number; prefix: string; revision: number }
  /** a watch replay page: events after `after` up to `upTo`, under the prefix */
  | { t: 'events'; id: number; prefix: string; after: number; upTo: number }
  | { t: 'compact'; id: number; revision: number }
  | { t: 'sizes'; id: number }
  | { t: 'close'; id: number };

/** Main thread → worker. */
export type ToSqliteWorker = WriteMessage | RequestMessage;

/**
 * Worker → main thread. `durable` carries, for each batch made durable by one WAL fsync, its id
 * and flat results; `failed` names batches whose transaction or fsync failed.
 */
export type FromSqliteWorker =
  | { t: 'ready'; revision: number; compactRevision: number }
  | { t: 'open-failed'; unavailable: boolean; message: string; code: string | undefined }
  | { t: 'durable'; batches: (number | (number | string)[])[] }
  | { t: 'failed'; ids: number[]; stage: 'transaction' | 'fsync'; message: string }
  | { t: 'reply'; id: number; value: unknown }
  | { t: 'error'; id: number; message: string }
  | { t: 'log'; level: 'debug' | 'error'; message: string; fields: Record<string, unknown> };

/** A `get` answer: value, createRevision, modRevision; null when absent. */
export type GetReply = [string, number, number] | null;

/** A `list` answer: four slots per item (key, value, createRevision, modRevision). */
export interface ListReply {
  items: (string | number)[];
  more: boolean;
}

/**
 * An `events` answer: eight slots per event: type (0 create, 1 update, 2 delete), key, value,
 * createRevision, modRevision, then the previous row's revision, createRevision and value (or
 * null, null, null).
 */
export type EventsReply = (string | number | null)[];

/** A `sizes` answer. */
export interface SizesReply {
  db: number;
  wal: number;
  freePages: number;
}
