import type { Logger } from 'pino';
import { ApiError, type KubeObject, type WatchEvent } from '../api/index.js';
import { CompactedError, type KeyValue, type Store, type StoreEvent } from '../store/index.js';
import { defaultWatcherBounds, WatcherQueue, type WatcherBounds } from './watcher-queue.js';

/** An object as the cache holds it, with its JSON encoding made once and shared by every reader. */
export interface CachedObject {
  key: string;
  revision: number;
  object: KubeObject;
  /** length of the stored encoding, what a watcher's queue counts toward its bounds */
  size: number;
}

interface CachedEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  revision: number;
  key: string;
  object: KubeObject;
  prevObject?: KubeObject;
  size: number;
}

interface Watcher {
  queue: WatcherQueue;
  options: WatchOptions;
  lastSent: number;
}

/**
 * Stored bytes of the events one resource's history keeps for watches that resume from a
 * resourceVersion, besides its count limit: 64 MiB. Upstream sizes its watch cache in events (100
 * to 102,400, by how fresh they are); with objects of up to 3 MiB a count alone lets thousands of
 * large events (and the old versions they keep alive) fill the memory. A watch asking for an
 * older revision gets 410 Gone and relists, as upstream's does.
 */
export const historyMaxBytes = 64 * 1024 * 1024;
/** The history keeps at least this many events whatever their size (upstream's lower bound). */
const historyMinEvents = 100;

/** Decides which objects a watcher sees (namespace, label and field selectors). */
export type ObjectFilter = (object: KubeObject) => boolean;

export interface WatchOptions {
  /** '' or '0': the current state as ADDED events first; otherwise events after this revision */
  resourceVersion: string;
  /** key prefix inside the resource (a namespace) */
  keyPrefix: string;
  filter: ObjectFilter;
  bookmarks: boolean;
  signal: AbortSignal;
}

/** Decodes a stored value into an object carrying its resourceVersion. */
export function decodeStored(kv: KeyValue): KubeObject {
  const object = JSON.parse(kv.value) as KubeObject;
  object.metadata.resourceVersion = String(kv.modRevision);
  return object;
}

/**
 * The cache of one resource: its live objects and a window of recent events, serving lists and
 * watches from memory.
 */
export class ResourceCache {
  readonly objects = new Map<string, CachedObject>();
  private history: CachedEvent[] = [];
  private historyStart = 0;
  private historyBytes = 0;
  /** watches may start from any revision >= this one */
  oldestWatchable: number;
  private readonly watchers = new Set<Watcher>();

  constructor(
    readonly prefix: string,
    startRevision: number,
    private readonly historyLimit: number,
    private readonly watcherBounds: WatcherBounds = defaultWatcherBounds,
  ) {
    this.oldestWatchable = startRevision;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  load(kv: KeyValue): void {
    this.objects.set(kv.key, { key: kv.key, revision: kv.modRevision, object: decodeStored(kv), size: kv.value.length });
  }

  /** Applies a store event; `written` is the writer's own object for a write whose value is its encoding. */
  apply(event: StoreEvent, written?: KubeObject): void {
    const kv = event.kv;
    const previous = this.objects.get(kv.key);
    let cached: CachedEvent;
    if (event.type === 'delete') {
      const object = previous?.object ?? decodeStored(kv);
      const last = { ...object, metadata: { ...object.metadata, resourceVersion: String(kv.modRevision) } };
      this.objects.delete(kv.key);
      cached = { type: 'DELETED', revision: kv.modRevision, key: kv.key, object: last, prevObject: previous?.object, size: previous?.size ?? kv.value.length };
    } else {
      const object = written ?? decodeStored(kv);
      if (written) written.metadata.resourceVersion = String(kv.modRevision);
      const size = kv.value.length;
      this.objects.set(kv.key, { key: kv.key, revision: kv.modRevision, object, size });
      cached = { type: previous ? 'MODIFIED' : 'ADDED', revision: kv.modRevision, key: kv.key, object, prevObject: previous?.object, size };
    }
    this.history.push(cached);
    this.historyBytes += cached.size;
    let evicted = false;
    while (
      this.history.length - this.historyStart > this.historyLimit ||
      (this.historyBytes > historyMaxBytes && this.history.length - this.historyStart > historyMinEvents)
    ) {
      const oldest = this.history[this.historyStart];
      this.oldestWatchable = oldest.revision;
      this.historyBytes -= oldest.size;
      this.historyStart++;
      evicted = true;
    }
    if (evicted && (this.historyStart > 4096 || this.historyStart * 2 > this.history.length)) {
      this.history = this.history.slice(this.historyStart);
      this.historyStart = 0;
    }
    for (const watcher of this.watchers) this.deliver(watcher, cached, cached.size);
  }

  /** Live objects under the key prefix, sorted by key (namespace, then name) as upstream lists. */
  list(keyPrefix: string, filter: ObjectFilter): CachedObject[] {
    const out: CachedObject[] = [];
    for (const entry of this.objects.values()) {
      if (entry.key.startsWith(keyPrefix) && filter(entry.object)) out.push(entry);
    }
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  /**
   * Starts a watch: the starting state (or the history after the given revision), then live
   * events. A watcher whose client stops taking live events is ended once it stays above its
   * bounds (see WatcherBounds): its reader then gets an UnresponsiveWatcherError.
   */
  watch(options: WatchOptions, currentRevision: number): AsyncIterable<WatchEvent> {
    const rv = options.resourceVersion;
    const watcher: Watcher = { queue: undefined as unknown as WatcherQueue, options, lastSent: 0 };
    watcher.queue = new WatcherQueue(this.prefix, this.watcherBounds, () => this.watchers.delete(watcher));
    if (rv === '' || rv === '0') {
      for (const entry of this.list(options.keyPrefix, options.filter)) {
        watcher.queue.push({ type: 'ADDED', object: entry.object });
      }
      watcher.lastSent = currentRevision;
    } else {
      const from = Number(rv);
      if (!Number.isSafeInteger(from) || from < 0) {
        throw new ApiError('BadRequest', `invalid resource version: ${rv}`);
      }
      if (from < this.oldestWatchable) {
        throw new ApiError('Expired', `too old resource version: ${from} (${this.oldestWatchable})`);
      }
      for (let i = this.historyStart; i < this.history.length; i++) {
        const event = this.history[i];
        if (event.revision > from) this.deliver(watcher, event, 0);
      }
      watcher.lastSent = Math.max(from, watcher.lastSent);
    }
    // a queue that failed while it was filled has already left (its onClose ran): it must not come back
    if (!watcher.queue.isClosed) this.watchers.add(watcher);
    const onAbort = () => watcher.queue.close();
    if (options.signal.aborted) watcher.queue.close();
    else options.signal.addEventListener('abort', onAbort, { once: true });
    return watcher.queue;
  }

  /** Sends a BOOKMARK at `revision` to every watcher that asked for bookmarks. */
  bookmark(revision: number, apiVersion: string, kind: string): void {
    for (const watcher of this.watchers) {
      // as upstream, a bookmark is not queued behind events the client has not taken yet
      if (!watcher.options.bookmarks || watcher.lastSent >= revision || watcher.queue.length > 0) continue;
      watcher.lastSent = revision;
      watcher.queue.push({ type: 'BOOKMARK', object: { kind, apiVersion, metadata: { resourceVersion: String(revision) } } });
    }
  }

  /** Ends every watch with an error event (the cache lost its store watch and must reload). */
  closeAll(status: ApiError): void {
    for (const watcher of this.watchers) {
      watcher.queue.push({ type: 'ERROR', object: status.toStatus() as unknown as KubeObject });
      watcher.queue.close();
    }
  }

  /** Queues what `event` means to `watcher`; `size` counts toward the watcher's bounds (0 for the events a watch starts with). */
  private deliver(watcher: Watcher, event: CachedEvent, size: number): void {
    const { keyPrefix, filter } = watcher.options;
    if (!event.key.startsWith(keyPrefix)) return;
    const now = event.type !== 'DELETED' && filter(event.object);
    const before = event.prevObject !== undefined && filter(event.prevObject);
    watcher.lastSent = event.revision;
    if (event.type === 'DELETED') {
      if (before || (event.prevObject === undefined && filter(event.object))) watcher.queue.push({ type: 'DELETED', object: event.object }, size);
    } else if (now && before) {
      watcher.queue.push({ type: 'MODIFIED', object: event.object }, size);
    } else if (now) {
      watcher.queue.push({ type: 'ADDED', object: event.object }, size);
    } else if (before) {
      watcher.queue.push({ type: 'DELETED', object: event.object }, size);
    }
  }
}

export interface WatchCacheOptions {
  store: Store;
  /** the root all resources live under, e.g. `/registry/` */
  root: string;
  /** the resource prefixes (`/registry/core/pods/`) to keep caches for */
  prefixes: string[];
  logger: Logger;
  historyLimit?: number;
  bookmarkIntervalMs?: number;
  bookmarkKinds?: Map<string, { apiVersion: string; kind: string }>;
  /** how much one watcher may have queued for a client that does not read (defaultWatcherBounds) */
  watcherBounds?: Partial<WatcherBounds>;
}

/**
 * One store watch feeding the caches of every resource: a thousand watchers cost one store watch.
 * Lists are consistent reads: they wait until the cache has seen the store's current revision.
 */
export class WatchCache {
  private readonly caches = new Map<string, ResourceCache>();
  private revision = 0;
  private readonly waiters: { revision: number; resolve: () => void }[] = [];
  private readonly abort = new AbortController();
  private ready: Promise<void> | undefined;
  private bookmarksStarted = false;
  private readonly expected = new Map<string, { value: string; object: KubeObject }>();

  private readonly watcherBounds: WatcherBounds;

  constructor(private readonly options: WatchCacheOptions) {
    this.watcherBounds = { ...defaultWatcherBounds, ...options.watcherBounds };
  }

  /**
   * Tells the cache that `key` is being written (created or updated) with `value`, the stored
   * encoding of `object` (which must equal its own JSON decoding, see isJsonRoundTrip, and no
   * longer change but for its resourceVersion): when the store's event carries that value, the
   * cache keeps `object` itself instead of decoding the value again.
   */
  expectWrite(key: string, value: string, object: KubeObject): void {
    if (this.expected.size >= 10_000) this.expected.clear();
    this.expected.set(key, { value, object });
  }

  /** Forgets what `expectWrite` was told about a write that failed. */
  forgetWrite(key: string, object: KubeObject): void {
    if (this.expected.get(key)?.object === object) this.expected.delete(key);
  }

  private takeExpected(event: StoreEvent): KubeObject | undefined {
    if (event.type === 'delete') return undefined;
    const expected = this.expected.get(event.kv.key);
    if (!expected) return undefined;
    this.expected.delete(event.kv.key);
    return expected.value === event.kv.value ? expected.object : undefined;
  }

  /** Loads every resource and starts the store watch; resolves once the caches are filled. */
  start(): Promise<void> {
    this.ready ??= this.load();
    return this.ready;
  }

  stop(): void {
    this.abort.abort();
  }

  cache(prefix: string): ResourceCache {
    const cache = this.caches.get(prefix);
    if (!cache) throw new Error(`no watch cache for ${prefix}`);
    return cache;
  }

  get currentRevision(): number {
    return this.revision;
  }

  /** Resolves when the cache has caught up with the store as of now (a consistent read). */
  async waitFresh(signal?: AbortSignal): Promise<number> {
    const target = await this.options.store.currentRevision();
    await this.waitFor(target, signal);
    return Math.max(target, this.revision);
  }

  /** Resolves when the cache has seen `revision`; 504-style timeout after `timeoutMs`. */
  waitFor(revision: number, signal?: AbortSignal, timeoutMs = 3000): Promise<void> {
    if (this.revision >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new ApiError('Timeout', `Too large resource version: ${revision}, current: ${this.revision}`, { retryAfterSeconds: 1 }));
      }, timeoutMs);
      const waiter = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', () => waiter.resolve(), { once: true });
    });
  }

  private async load(): Promise<void> {
    const { store, root, prefixes, logger } = this.options;
    const historyLimit = this.options.historyLimit ?? 10_000;
    let after: string | undefined;
    let revision: number | undefined;
    const fresh = new Map<string, ResourceCache>();
    for (;;) {
      const page = await store.list(root, { limit: 10_000, after, revision });
      revision = page.revision;
      for (const kv of page.items) {
        const cache = this.lookup(kv.key, fresh, revision, historyLimit);
        cache?.load(kv);
      }
      if (!page.more || page.items.length === 0) break;
      after = page.items[page.items.length - 1].key;
    }
    for (const prefix of prefixes) if (!fresh.has(prefix)) fresh.set(prefix, new ResourceCache(prefix, revision, historyLimit, this.watcherBounds));
    for (const [prefix, cache] of fresh) {
      const old = this.caches.get(prefix);
      old?.closeAll(new ApiError('Expired', 'the watch cache was reloaded; please relist'));
      this.caches.set(prefix, cache);
    }
    this.advance(revision);
    logger.debug({ revision, objects: [...fresh.values()].reduce((n, c) => n + c.objects.size, 0) }, 'watch cache loaded');
    void this.follow(revision);
    this.startBookmarks();
  }

  private lookup(key: string, caches: Map<string, ResourceCache>, revision: number, historyLimit: number): ResourceCache | undefined {
    const prefix = resourcePrefixOf(key);
    if (!prefix || !this.options.prefixes.includes(prefix)) return undefined;
    let cache = caches.get(prefix);
    if (!cache) {
      cache = new ResourceCache(prefix, revision, historyLimit, this.watcherBounds);
      caches.set(prefix, cache);
    }
    return cache;
  }

  private async follow(fromRevision: number): Promise<void> {
    const { store, root, logger } = this.options;
    try {
      for await (const event of store.watch(root, fromRevision, this.abort.signal)) {
        const prefix = resourcePrefixOf(event.kv.key);
        const cache = prefix ? this.caches.get(prefix) : undefined;
        cache?.apply(event, this.expected.size > 0 ? this.takeExpected(event) : undefined);
        this.advance(event.kv.modRevision);
      }
      if (!this.abort.signal.aborted) throw new Error('the store ended its watch');
    } catch (error) {
      if (this.abort.signal.aborted) return;
      logger.warn({ err: error, revision: this.revision }, 'watch cache lost its store watch; following again');
      if (error instanceof CompactedError) {
        this.ready = this.load();
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
      if (!this.abort.signal.aborted) void this.follow(this.revision);
      return;
    }
  }

  private advance(revision: number): void {
    if (revision <= this.revision) return;
    this.revision = revision;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].revision <= revision) {
        const [waiter] = this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  private startBookmarks(): void {
    if (this.bookmarksStarted) return;
    this.bookmarksStarted = true;
    const interval = this.options.bookmarkIntervalMs ?? 30_000;
    const kinds = this.options.bookmarkKinds;
    const timer = setInterval(() => {
      for (const [prefix, cache] of this.caches) {
        const gvk = kinds?.get(prefix);
        if (gvk && cache.watcherCount > 0) cache.bookmark(this.revision, gvk.apiVersion, gvk.kind);
      }
    }, interval);
    timer.unref();
    this.abort.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  }
}

/** `/registry/core/pods/default/x` → `/registry/core/pods/` */
export function resourcePrefixOf(key: string): string | undefined {
  let slashes = 0;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) === 47 && ++slashes === 4) return key.slice(0, i + 1);
  }
  return undefined;
}
