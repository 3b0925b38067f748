export * from './types.js';
export * from './errors.js';
export { startAutoCompactor, DEFAULT_COMPACT_INTERVAL_MS, DEFAULT_KEEP_REVISIONS, type AutoCompactOptions } from './auto-compactor.js';
export { runStoreConformance, type StoreFactory } from './conformance.js';
// The etcd driver is imported from './etcd/index.js' by those who need it: its client is heavy to load.
export { MemoryStore } from './memory/memory-store.js';
export { openStore } from './open-store.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
