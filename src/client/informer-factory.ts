import type { KubeObject } from '../api/index.js';
import type { Client } from './client.js';
import type { Clock } from './clock.js';
import { Informer } from './informer.js';
import type { Logger } from './logger.js';
import type { ResourceType, WellKnownResource } from './resource-type.js';

/** Which slice of a resource an informer caches. */
export interface InformerSelection {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Settings every informer of a factory shares. */
export interface InformerFactoryOptions {
  clock?: Clock;
  logger?: Logger;
  pageSize?: number;
  watchTimeoutSeconds?: number;
  /** changes every object each informer caches (client-go's WithTransform), e.g. `trimManagedFields` */
  transform?: (obj: KubeObject) => KubeObject;
}

/**
 * Hands out one informer per resource type and selection, so components in one process share a
 * cache and a watch. Informers asked for after `start` are started at once.
 */
export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private signal?: AbortSignal;

  constructor(
    private readonly client: Client,
    private readonly options: InformerFactoryOptions = {},
  ) {}

  /** The shared informer for `type` and `selection`, created on first use. */
  informerFor<T extends KubeObject = KubeObject>(type: WellKnownResource | ResourceType, selection: InformerSelection = {}): Informer<T> {
    const resource = this.client.resource<T>(type);
    const t = resource.type;
    const key = [t.group, t.version, t.plural, selection.namespace ?? '', selection.labelSelector ?? '', selection.fieldSelector ?? ''].join('|');
    let informer = this.informers.get(key) as Informer<T> | undefined;
    if (!informer) {
      informer = new Informer<T>(resource, { ...this.options, transform: this.options.transform as ((obj: T) => T) | undefined, ...selection });
      this.informers.set(key, informer as unknown as Informer<KubeObject>);
      if (this.signal && !this.signal.aborted) informer.start(this.signal);
    }
    return informer;
  }

  /** Starts every informer created so far, and those created later, until `signal` aborts. */
  start(signal: AbortSignal): void {
    if (this.signal) throw new Error('informer factory already started');
    this.signal = signal;
    for (const informer of this.informers.values()) informer.start(signal);
  }

  /** Resolves `true` once every informer created so far has synced, `false` if `signal` aborts first. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }
}
