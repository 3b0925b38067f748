import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AutoCompactOptions } from './auto-compactor.js';
import { MemoryStore } from './memory/memory-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

/**
 * Open the store named by `--datastore-endpoint`: empty → sqlite at `<dataDir>/db/state.db`;
 * `sqlite://<path>` → sqlite at that path; `etcd://host:port[,host:port]` → etcd;
 * `memory://` → an in-memory store (tests only). The etcd driver is loaded only when asked for. Auto compaction is on by default for sqlite
 * and etcd (every 5 min, keeping 1000 revisions); pass `{ compactInterval: 0 }` to turn it off.
 */
export async function openStore(endpoint: string | undefined, dataDir: string, logger?: Logger, compaction: AutoCompactOptions = {}): Promise<Store> {
  const log = logger?.child({ component: 'store' });
  const spec = endpoint?.trim() ?? '';
  if (spec === '') return SqliteStore.open(join(dataDir, 'db', 'state.db'), { ...compaction, logger: log });
  if (spec.startsWith('sqlite://')) {
    const path = spec.slice('sqlite://'.length);
    if (!path) throw new RangeError(`sqlite endpoint needs a path: sqlite:///var/lib/skiff/state.db, got ${spec}`);
    return SqliteStore.open(path, { ...compaction, logger: log });
  }
  if (spec.startsWith('etcd://')) {
    // loaded lazily so sqlite users skip the etcd driver and node:http2 (about 20 ms of import on a 2-core box)
    const { EtcdStore } = await import('./etcd/etcd-store.js');
    return new EtcdStore(spec, { compactInterval: 5 * 60 * 1000, ...compaction, logger: log });
  }
  if (spec === 'memory://') return new MemoryStore();
  throw new RangeError(`unsupported datastore endpoint ${JSON.stringify(spec)}: use etcd://host:port, sqlite://path or leave it empty`);
}
