/** One stored key at one revision. Values are opaque strings (the API server stores JSON). */
export interface KeyValue {
  key: string;
  value: string;
  /** revision at which this key was created (etcd's create_revision) */
  createRevision: number;
  /** revision of the last write to this key; becomes metadata.resourceVersion */
  modRevision: number;
}

/**
 * A change seen by a watch. For `delete`, `kv.value` is the last value the key held and
 * `kv.modRevision` is the revision of the deletion.
 */
export interface StoreEvent {
  type: 'create' | 'update' | 'delete';
  kv: KeyValue;
  prevKv?: KeyValue;
}

export interface ListOptions {
  /** at most this many items; 0 or undefined for all */
  limit?: number;
  /** list only keys strictly greater than this one (the continue token of the previous page) */
  after?: string;
  /** read at this revision instead of the current one (fails with CompactedError when compacted) */
  revision?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** the revision the list was read at */
  revision: number;
  /** true when more keys under the prefix follow the last item */
  more: boolean;
}

/**
 * The storage seam (like kine's backend): one global revision sequence, compare-and-swap writes,
 * gap-free watches from a revision. Drivers: sqlite (embedded default), etcd, memory (tests).
 */
export interface Store {
  get(key: string): Promise<KeyValue | undefined>;
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** fails with KeyExistsError when the key exists */
  create(key: string, value: string): Promise<KeyValue>;
  /** fails with KeyNotFoundError, or RevisionMismatchError (carrying the current kv) when the key's modRevision differs */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /** returns the deleted kv (modRevision = the deletion's revision); fails like update */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  /**
   * Every event under the prefix with revision > fromRevision, in revision order, with no gaps
   * and no duplicates, then live events until the signal aborts. Fails with CompactedError when
   * fromRevision is older than the compacted revision.
   */
  watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<StoreEvent>;
  count(prefix: string): Promise<number>;
  /** forget history at or below this revision (latest value of each live key is kept) */
  compact(revision: number): Promise<void>;
  currentRevision(): Promise<number>;
  /** the oldest revision a watch or list may still start from */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}
