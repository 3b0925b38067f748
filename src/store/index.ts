export * from './types.js';
export * from './errors.js';
export { startAutoCompactor, DEFAULT_COMPACT_INTERVAL_MS, DEFAULT_KEEP_REVISIONS, type AutoCompactOptions } from './auto-compactor.js';
export { runStoreConformance, type StoreFactory } from './conformance.js';
export { EtcdStore, parseEtcdEndpoint, type EtcdStoreOptions } from './etcd/etcd-store.js';
export { MemoryStore } from './memory/memory-store.js';
export { openStore } from './open-store.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
