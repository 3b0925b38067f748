import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreUnavailableError } from '../errors.js';

/** A row of the `kv` table as read back; `create_revision` 0 means "this row created the key". */
export interface KvRow {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

/** A `kv` row joined with the row it superseded (for watch replay). */
export interface KvRowWithPrev extends KvRow {
  p_id: number | null;
  p_create_revision: number | null;
  p_value: string | null;
}

/** The WAL is truncated back to this size after each checkpoint. */
export const JOURNAL_SIZE_LIMIT = 32 * 1024 * 1024;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_name_id ON kv (name, id);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO sqlite_sequence (name, seq) SELECT 'kv', 1 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'kv');
INSERT OR IGNORE INTO meta (name, value) VALUES ('compact_rev', 0), ('compact_done', 0);
`;

/**
 * Open (creating if needed) the database file with the store's pragmas. The connection holds an
 * exclusive lock for its whole life (locking_mode=EXCLUSIVE, taken by a write right here), so a
 * second process opening the same file fails at once with StoreUnavailableError instead of
 * silently writing a diverging revision sequence.
 */
export function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    // SQLite itself never syncs: the store fsyncs the WAL off the main thread before it
    // acknowledges a batch, and checkpoints only by itself, under synchronous=FULL (sqlite-engine.ts)
    db.pragma('synchronous = OFF');
    db.pragma('wal_autocheckpoint = 0');
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
    db.exec(`BEGIN IMMEDIATE; ${SCHEMA} UPDATE meta SET value = value WHERE name = 'compact_rev'; COMMIT;`);
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new StoreUnavailableError(`sqlite store ${path} is in use by another process (one skiff server per data dir; use etcd for several)`);
    }
    throw err;
  }
  return db;
}

/** The prepared statements of the hot paths. */
export function prepareStatements(db: Database.Database) {
  const listSql = (lower: '>=' | '>', bounded: boolean, countOnly: boolean) => `
    SELECT ${countOnly ? 'COUNT(*) AS n' : 'kv.id, kv.name, kv.create_revision, kv.value'} FROM kv
    JOIN (SELECT MAX(id) AS mid FROM kv WHERE name ${lower} ? ${bounded ? 'AND name < ?' : ''} AND id <= ? GROUP BY name) m
      ON kv.id = m.mid
    WHERE kv.deleted = 0 ${countOnly ? '' : 'ORDER BY kv.name LIMIT ?'}`;
  type ListRow = Pick<KvRow, 'id' | 'name' | 'create_revision' | 'value'>;
  const lists = new Map<string, Database.Statement<unknown[], ListRow>>();
  const counts = new Map<string, Database.Statement<unknown[], { n: number }>>();
  const watchSql = (bounded: boolean) => `
    SELECT c.*, p.id AS p_id, p.create_revision AS p_create_revision, p.value AS p_value
    FROM kv c LEFT JOIN kv p ON p.id = c.prev_revision
    WHERE c.id > ? AND c.id <= ? AND c.name >= ? ${bounded ? 'AND c.name < ?' : ''} ORDER BY c.id LIMIT ?`;
  return {
    latest: db.prepare<[string], KvRow>('SELECT * FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1'),
    /** the newest row of a key at or below a revision */
    latestAt: db.prepare<[string, number], KvRow>('SELECT * FROM kv WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1'),
    insert: db.prepare<[string, number, number, number, number, string]>(
      'INSERT INTO kv (name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    /** newest live row of each key in [lower, upper) (or (lower, upper) when exclusive) at a revision, by key */
    list(exclusiveLower: boolean, bounded: boolean): Database.Statement<unknown[], ListRow> {
      const id = `${exclusiveLower}/${bounded}`;
      let st = lists.get(id);
      if (!st) lists.set(id, (st = db.prepare<unknown[], ListRow>(listSql(exclusiveLower ? '>' : '>=', bounded, false))));
      return st;
    },
    /** number of live keys in [lower, upper) at a revision */
    count(bounded: boolean): Database.Statement<unknown[], { n: number }> {
      const id = String(bounded);
      let st = counts.get(id);
      if (!st) counts.set(id, (st = db.prepare<unknown[], { n: number }>(listSql('>=', bounded, true))));
      return st;
    },
    events: db.prepare<unknown[], KvRowWithPrev>(watchSql(true)),
    eventsAll: db.prepare<unknown[], KvRowWithPrev>(watchSql(false)),
    revision: db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'kv'"),
    getMeta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE name = ?'),
    setMeta: db.prepare<[number, string]>('UPDATE meta SET value = ? WHERE name = ?'),
    deleteSuperseded: db.prepare<[number, number]>(
      'DELETE FROM kv WHERE id IN (SELECT prev_revision FROM kv WHERE id > ? AND id <= ? AND prev_revision > 0)',
    ),
    deleteTombstones: db.prepare<[number, number]>('DELETE FROM kv WHERE id > ? AND id <= ? AND deleted = 1'),
  };
}

/** The prepared statements the SQLite store runs. */
export type Statements = ReturnType<typeof prepareStatements>;
