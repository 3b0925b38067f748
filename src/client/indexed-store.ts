import type { KubeObject } from '../api/index.js';

/** Computes the index values of an object; an object may sit under several values or none. */
export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => string[];

/** `namespace/name`, or `name` for cluster-scoped objects: the key of the cache and the work queues. */
export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : String(name);
}

/** Splits an {@link objectKey} back into namespace and name. */
export function splitObjectKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** By namespace. */
export const byNamespace: IndexFunc = (obj) => (obj.metadata.namespace ? [obj.metadata.namespace] : []);

/** By `spec.nodeName` (pods bound to a node). */
export const byNodeName: IndexFunc = (obj) => {
  const node = (obj.spec as { nodeName?: unknown } | undefined)?.nodeName;
  return typeof node === 'string' && node ? [node] : [];
};

/** By the UID of every owner in `metadata.ownerReferences`. */
export const byOwnerUid: IndexFunc = (obj) => (obj.metadata.ownerReferences ?? []).map((o) => o.uid);

/** By each label as `key=value`. */
export const byLabel: IndexFunc = (obj) => Object.entries(obj.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`);

/** Names of the indexes every informer keeps. */
export const Indexes = {
  namespace: 'namespace',
  nodeName: 'nodeName',
  owner: 'owner',
  label: 'label',
} as const;

/** The indexers an informer starts with. */
export function defaultIndexers(): Record<string, IndexFunc> {
  return { [Indexes.namespace]: byNamespace, [Indexes.nodeName]: byNodeName, [Indexes.owner]: byOwnerUid, [Indexes.label]: byLabel };
}

/**
 * The informer's local cache: objects by {@link objectKey}, plus secondary indexes. Objects are
 * shared with event handlers and must be treated as read-only.
 */
export class IndexedStore<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    for (const [name, fn] of Object.entries(indexers)) this.addIndexer(name, fn);
  }

  /** Adds an index; existing objects are indexed at once. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) throw new Error(`indexer ${name} already exists`);
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, obj] of this.items) for (const v of fn(obj)) addTo(index, v, key);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  /** Looks up by namespace and name. */
  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** The objects whose index `indexName` contains `value`. */
  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`no indexer named ${indexName}`);
    const keys = index.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const obj = this.items.get(k);
      if (obj) out.push(obj);
    }
    return out;
  }

  /** The values present in an index. */
  indexValues(indexName: string): string[] {
    return [...(this.indices.get(indexName)?.keys() ?? [])];
  }

  /** Inserts or replaces; answers the previous object. */
  set(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const v of fn(obj)) addTo(index, v, key);
    }
    return old;
  }

  /** Removes by key; answers the removed object. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const set = index.get(v);
        if (!set) continue;
        set.delete(key);
        if (set.size === 0) index.delete(v);
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let set = index.get(value);
  if (!set) {
    set = new Set();
    index.set(value, set);
  }
  set.add(key);
}
