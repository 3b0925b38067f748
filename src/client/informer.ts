import { ApiError, type KubeObject, type Status, type WatchEvent } from '../api/index.js';
import { realClock, sleep, type Clock } from './clock.js';
import { defaultIndexers, IndexedStore, objectKey, type IndexFunc } from './indexed-store.js';
import { silentLogger, type Logger } from './logger.js';
import type { ResourceClient } from './resource-client.js';

/** Callbacks for changes to the cache. They run synchronously, in order, and must not mutate objects. */
export interface EventHandlers<T extends KubeObject = KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** the object as last seen (after a relist, possibly not its final state) */
  onDelete?(obj: T): void;
}

/** What an informer watches and how it behaves. */
export interface InformerOptions<T extends KubeObject = KubeObject> {
  /** restricts a namespaced type to one namespace; all namespaces when absent */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** list page size (default 500) */
  pageSize?: number;
  /** asks the server to end each watch after this long, so it is renewed (default 300) */
  watchTimeoutSeconds?: number;
  /** extra indexers besides namespace, nodeName, owner and label */
  indexers?: Record<string, IndexFunc<T>>;
  clock?: Clock;
  logger?: Logger;
  /** back-off after errors: first delay and cap (defaults 800 ms and 30 s) */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Changes each listed or watched object before the cache and the handlers see it (client-go's
   * SetTransform), e.g. {@link trimManagedFields}. It must not change the object it is given (an
   * in-process watch hands over the API server's own), and must answer the same for an object it
   * already changed.
   */
  transform?: (obj: T) => T;
}

/**
 * A transform that drops `metadata.managedFields`, which controllers and schedulers do not read,
 * as kube-scheduler's and kube-controller-manager's informers do. It copies the two levels it
 * changes and shares the rest.
 */
export function trimManagedFields<T extends KubeObject>(obj: T): T {
  if (obj?.metadata?.managedFields === undefined) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/**
 * A list-then-watch cache of one resource type (client-go's SharedIndexInformer with its
 * reflector). It lists in pages, watches from the list's resourceVersion with bookmarks, re-watches
 * from the last resourceVersion seen when a watch ends, and relists on 410 Expired, telling the
 * handlers only what changed while it was away. Errors, and watches that end at once without an
 * event, are retried with exponential back-off.
 */
export class Informer<T extends KubeObject = KubeObject> {
  readonly store: IndexedStore<T>;
  private readonly handlers = new Set<EventHandlers<T>>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private synced = false;
  private syncWaiters: Array<(synced: boolean) => void> = [];
  private started = false;
  private stopped = false;
  private resourceVersion = '';

  constructor(
    readonly resource: ResourceClient<T>,
    private readonly options: InformerOptions<T> = {},
  ) {
    this.store = new IndexedStore<T>({ ...(defaultIndexers() as Record<string, IndexFunc<T>>), ...options.indexers });
    this.clock = options.clock ?? realClock;
    this.logger = (options.logger ?? silentLogger()).child({ component: 'informer', resource: resource.type.plural });
  }

  /** Registers handlers; if the cache already holds objects, `onAdd` is called for each at once. Answers an unsubscribe function. */
  addEventHandler(handlers: EventHandlers<T>): () => void {
    this.handlers.add(handlers);
    if (handlers.onAdd) for (const obj of this.store.list()) this.call(() => handlers.onAdd!(obj));
    return () => this.handlers.delete(handlers);
  }

  /** Adds an indexer (objects already cached are indexed at once). */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.store.addIndexer(name, fn);
  }

  /** Whether the first list has been stored. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the cache is up to date with. */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Resolves `true` once synced, `false` if `signal` aborts or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopped || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push((synced) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(synced);
      });
    });
  }

  /** Starts the informer in the background; it stops when `signal` aborts. */
  start(signal: AbortSignal): void {
    this.run(signal).catch((err: unknown) => this.logger.error({ err }, 'informer stopped unexpectedly'));
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error(`informer for ${this.resource.type.plural} already started`);
    this.started = true;
    const initial = this.options.initialBackoffMs ?? 800;
    const max = this.options.maxBackoffMs ?? 30_000;
    let backoff = initial;
    let needList = true;
    try {
      while (!signal.aborted) {
        const relisting = needList;
        try {
          if (needList) {
            await this.listAndReplace(signal);
            needList = false;
          }
          const started = this.clock.now();
          if ((await this.watchOnce(signal)) || this.clock.now() - started >= 1000) {
            backoff = initial;
            continue;
          }
          this.logger.debug({ resourceVersion: this.resourceVersion }, 'watch ended at once without events; backing off');
        } catch (err) {
          if (signal.aborted) break;
          if (err instanceof ApiError && err.code === 410) {
            this.logger.info({ resourceVersion: this.resourceVersion, err: err.message }, 'watch expired; relisting');
            needList = true;
            if (!relisting) continue;
          } else {
            this.logger.warn({ err, resourceVersion: this.resourceVersion }, 'list/watch failed; retrying');
          }
        }
        if (!(await sleep(this.clock, backoff, signal))) break;
        backoff = Math.min(backoff * 2, max);
      }
    } finally {
      this.stopped = true;
      this.resolveWaiters(this.synced);
    }
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.resource.list(this.options.namespace, {
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
        limit: this.options.pageSize ?? 500,
        continue: cont,
        signal,
      });
      const transform = this.options.transform;
      items.push(...(transform ? page.items.map(transform) : page.items));
      if (!cont) resourceVersion = page.metadata.resourceVersion ?? '';
      cont = page.metadata.continue || undefined;
    } while (cont && !signal.aborted);
    if (signal.aborted) return;
    this.replace(items);
    this.resourceVersion = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      this.resolveWaiters(true);
    }
  }

  /** Watches until the stream ends; answers whether any event arrived. */
  private async watchOnce(signal: AbortSignal): Promise<boolean> {
    let progressed = false;
    const stream = this.resource.watch(
      this.options.namespace,
      {
        resourceVersion: this.resourceVersion,
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
        allowWatchBookmarks: true,
        timeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
      },
      signal,
    );
    for await (const event of stream) {
      if (signal.aborted) break;
      this.apply(event);
      progressed = true;
    }
    return progressed;
  }

  private apply(event: WatchEvent<T>): void {
    if (event.type === 'ERROR') throw ApiError.fromStatus(event.object as unknown as Status);
    const obj = this.options.transform && event.type !== 'BOOKMARK' ? this.options.transform(event.object) : event.object;
    const rv = obj?.metadata?.resourceVersion;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const old = this.store.set(obj);
        if (old) this.emitUpdate(old, obj);
        else this.emitAdd(obj);
        break;
      }
      case 'DELETED': {
        const old = this.store.delete(objectKey(obj));
        this.emitDelete(old ?? obj);
        break;
      }
      case 'BOOKMARK':
        break;
      default:
        this.logger.warn({ type: (event as { type: unknown }).type }, 'unknown watch event type');
    }
    if (rv) this.resourceVersion = rv;
  }

  private replace(items: T[]): void {
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.store.get(key);
      if (!old) {
        this.store.set(obj);
        this.emitAdd(obj);
      } else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
        this.store.set(obj);
        this.emitUpdate(old, obj);
      }
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const old = this.store.delete(key);
      if (old) this.emitDelete(old);
    }
  }

  private emitAdd(obj: T): void {
    for (const h of this.handlers) if (h.onAdd) this.call(() => h.onAdd!(obj));
  }

  private emitUpdate(old: T, obj: T): void {
    for (const h of this.handlers) if (h.onUpdate) this.call(() => h.onUpdate!(old, obj));
  }

  private emitDelete(obj: T): void {
    for (const h of this.handlers) if (h.onDelete) this.call(() => h.onDelete!(obj));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error({ err }, 'event handler failed');
    }
  }

  private resolveWaiters(synced: boolean): void {
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const w of waiters) w(synced);
  }
}
