import type { KubeList, KubeObject, Status, WatchEvent } from '../api/index.js';
import { resourcePath, type ResourceType } from './resource-type.js';
import type { Transport } from './transport.js';

/** Options of a list call (meta/v1 ListOptions). */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  signal?: AbortSignal;
}

/** Options of a watch call. */
export interface WatchOptions {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

/** Options of create, update and patch. */
export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
  signal?: AbortSignal;
}

/** Options of patch; `force` applies only to server-side apply. */
export interface PatchOptions extends WriteOptions {
  force?: boolean;
  subresource?: string;
}

/** Options of delete (meta/v1 DeleteOptions). */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** The four patch formats: JSON merge, JSON patch, strategic merge, server-side apply. */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/**
 * Calls on one resource type. `namespace` is ignored for cluster-scoped types; for namespaced
 * types an absent namespace on list and watch means all namespaces.
 */
export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(
    readonly transport: Transport,
    readonly type: ResourceType,
  ) {}

  async get(namespace: string | undefined, name: string, options: { subresource?: string; signal?: AbortSignal } = {}): Promise<T> {
    const res = await this.transport.request({ method: 'GET', path: this.path(namespace, name, options.subresource), signal: options.signal });
    return res.body as T;
  }

  async list(namespace?: string, options: ListOptions = {}): Promise<KubeList<T>> {
    const query = toQuery({
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      limit: options.limit,
      continue: options.continue,
      resourceVersion: options.resourceVersion,
      resourceVersionMatch: options.resourceVersionMatch,
    });
    const res = await this.transport.request({ method: 'GET', path: this.path(namespace), query, signal: options.signal });
    return res.body as KubeList<T>;
  }

  /** Lists every page (following `continue`) and returns the items with the list's resourceVersion. */
  async listAll(namespace?: string, options: Omit<ListOptions, 'continue'> = {}): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.list(namespace, { ...options, continue: cont, resourceVersion: cont ? undefined : options.resourceVersion });
      items.push(...page.items);
      if (!cont) resourceVersion = page.metadata.resourceVersion ?? '';
      cont = page.metadata.continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  async create(namespace: string | undefined, obj: T, options: WriteOptions = {}): Promise<T> {
    const res = await this.transport.request({ method: 'POST', path: this.path(namespace), query: writeQuery(options), body: obj, signal: options.signal });
    return res.body as T;
  }

  /** POSTs to a subresource of an object, e.g. `pods/binding`, `pods/eviction`. */
  async createSubresource<R = unknown>(namespace: string | undefined, name: string, subresource: string, body: unknown, options: WriteOptions = {}): Promise<R> {
    const res = await this.transport.request({ method: 'POST', path: this.path(namespace, name, subresource), query: writeQuery(options), body, signal: options.signal });
    return res.body as R;
  }

  /** PUTs the whole object; its `metadata.resourceVersion` makes the write conditional. */
  async update(namespace: string | undefined, obj: T, options: WriteOptions = {}): Promise<T> {
    return this.put(namespace, obj, undefined, options);
  }

  async updateStatus(namespace: string | undefined, obj: T, options: WriteOptions = {}): Promise<T> {
    return this.put(namespace, obj, 'status', options);
  }

  async patch(namespace: string | undefined, name: string, patch: unknown, type: PatchType, options: PatchOptions = {}): Promise<T> {
    const query = writeQuery(options);
    if (options.force !== undefined) query.set('force', String(options.force));
    const res = await this.transport.request({
      method: 'PATCH',
      path: this.path(namespace, name, options.subresource),
      query,
      body: patch,
      contentType: patchContentTypes[type],
      signal: options.signal,
    });
    return res.body as T;
  }

  /** Deletes an object; answers the object (still there with finalizers or a grace period) or a Status. */
  async delete(namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<T | Status> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.preconditions) body.preconditions = options.preconditions;
    if (options.dryRun) body.dryRun = ['All'];
    const res = await this.transport.request({ method: 'DELETE', path: this.path(namespace, name), body, signal: options.signal });
    return res.body as T | Status;
  }

  watch(namespace: string | undefined, options: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent<T>> {
    const query = toQuery({
      resourceVersion: options.resourceVersion,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      allowWatchBookmarks: options.allowWatchBookmarks,
      timeoutSeconds: options.timeoutSeconds,
    });
    return this.transport.watch(this.path(namespace), query, signal) as AsyncIterable<WatchEvent<T>>;
  }

  /** The API path for this type (see {@link resourcePath}). */
  path(namespace?: string, name?: string, subresource?: string): string {
    return resourcePath(this.type, this.type.namespaced ? namespace : undefined, name, subresource);
  }

  private async put(namespace: string | undefined, obj: T, subresource: string | undefined, options: WriteOptions): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new Error(`update of ${this.type.plural} needs metadata.name`);
    const ns = namespace ?? obj.metadata.namespace;
    const res = await this.transport.request({ method: 'PUT', path: this.path(ns, name, subresource), query: writeQuery(options), body: obj, signal: options.signal });
    return res.body as T;
  }
}

function toQuery(values: Record<string, string | number | boolean | undefined>): URLSearchParams {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== '') query.set(k, String(v));
  return query;
}

function writeQuery(options: WriteOptions): URLSearchParams {
  return toQuery({ fieldManager: options.fieldManager, dryRun: options.dryRun ? 'All' : undefined, fieldValidation: options.fieldValidation });
}
