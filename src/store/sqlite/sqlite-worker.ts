/**
 * Entry of the SQLite store's worker thread (started by SqliteStore.open): owns the database
 * connection through a SqliteEngine and serves the main thread's messages in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { StoreUnavailableError } from '../errors.js';
import { SqliteEngine } from './sqlite-engine.js';
import type { FromSqliteWorker, RequestMessage, SqliteWorkerData, ToSqliteWorker } from './sqlite-protocol.js';

const port = parentPort!;
const post = (message: FromSqliteWorker): void => port.postMessage(message);
const { path, busyTimeoutMs } = workerData as SqliteWorkerData;

let engine: SqliteEngine | undefined;
try {
  engine = new SqliteEngine(path, busyTimeoutMs, post);
  post({ t: 'ready', ...engine.revisions });
} catch (err) {
  const code = (err as { code?: unknown }).code;
  post({ t: 'open-failed', unavailable: err instanceof StoreUnavailableError, message: (err as Error).message, code: typeof code === 'string' ? code : undefined });
  port.close();
}

if (engine) {
  const db = engine;
  port.on('message', (message: ToSqliteWorker) => {
    if (message.t === 'write') db.write(message.id, message.ops);
    else void answer(db, message);
  });
}

async function answer(db: SqliteEngine, message: RequestMessage): Promise<void> {
  try {
    post({ t: 'reply', id: message.id, value: await serve(db, message) });
  } catch (err) {
    post({ t: 'error', id: message.id, message: (err as Error).message });
  }
  if (message.t === 'close') port.close();
}

function serve(db: SqliteEngine, m: RequestMessage): unknown {
  switch (m.t) {
    case 'get':
      return db.get(m.key, m.revision);
    case 'list':
      return db.list(m.prefix, m.after, m.revision, m.limit);
    case 'count':
      return db.count(m.prefix, m.revision);
    case 'events':
      return db.events(m.prefix, m.after, m.upTo);
    case 'compact':
      return db.compact(m.revision);
    case 'sizes':
      return db.sizes();
    case 'close':
      return db.close();
  }
}
