import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  ApiError,
  alreadyExists,
  cloneJson,
  conflict,
  invalid,
  notFound,
  validateObjectMeta,
  type KubeObject,
  type UserInfo,
} from '../api/index.js';
import { KeyExistsError, KeyNotFoundError, RevisionMismatchError, type KeyValue, type Store } from '../store/index.js';
import type { ResourceDef } from './resources/resource-def.js';
import { decodeStored, type ResourceCache, type WatchCache } from './watch-cache.js';
import { resourceKeyPrefix } from './resource-keys.js';
import { encodeForStore, isJsonRoundTrip, rememberAnswer } from './json-encoding.js';

/** DeleteOptions as upstream reads them from the body or the query. */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  /** `dryRun: ["All"]` in the body (kubectl sends it there) or the query: nothing is written */
  dryRun?: boolean;
}

export interface WriteContext {
  user: UserInfo;
  dryRun: boolean;
  now: Date;
  /** sets `managedFields` on the object about to be written (after defaulting); `old` is absent on create */
  trackFields?: (next: KubeObject, old: KubeObject | undefined, subresource: string) => void;
  /**
   * The caller of a create or update only reads the object it gets back (it encodes it as an HTTP
   * answer): the watch cache may then keep that very object instead of decoding the stored value.
   */
  shareWritten?: boolean;
}

/** Admission hook: may mutate the object, throws ApiError to refuse. */
export type Admit = (operation: 'CREATE' | 'UPDATE' | 'DELETE', def: ResourceDef, object: KubeObject, old: KubeObject | undefined, context: WriteContext) => Promise<void>;

/** The outcome of a delete: the object is gone, or it waits for finalizers or a grace period. */
export interface DeleteResult {
  object: KubeObject;
  deleted: boolean;
}

const generateNameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** `2024-01-02T03:04:05Z`: metav1.Time has second precision on the wire. */
export function rfc3339(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond || Number.isNaN(second)) {
    lastText = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}

let lastSecond = Number.NaN;
let lastText = '';

/**
 * The generic storage of one kind (upstream's genericregistry.Store): create, update, patch,
 * delete with graceful deletion and finalizers, on top of the Store with compare-and-swap, and
 * lists/watches from the watch cache.
 */
export class ObjectStorage {
  readonly prefix: string;
  readonly qualifiedResource: string;
  private readonly views = new WeakMap<KubeObject, KubeObject>();

  constructor(
    readonly def: ResourceDef,
    private readonly store: Store,
    private readonly watchCache: WatchCache,
    private readonly admit: Admit,
  ) {
    this.prefix = resourceKeyPrefix(def);
    this.qualifiedResource = def.group ? `${def.plural}.${def.group}` : def.plural;
  }

  get apiVersion(): string {
    return this.def.group ? `${this.def.group}/${this.def.version}` : this.def.version;
  }

  get cache(): ResourceCache {
    return this.watchCache.cache(this.prefix);
  }

  key(namespace: string, name: string): string {
    return this.def.namespaced ? `${this.prefix}${namespace}/${name}` : `${this.prefix}${name}`;
  }

  /** The key prefix a list or watch in this namespace ('' = all) covers. */
  listPrefix(namespace: string): string {
    return this.def.namespaced && namespace ? `${this.prefix}${namespace}/` : this.prefix;
  }

  async get(namespace: string, name: string): Promise<KubeObject> {
    const kv = await this.store.get(this.key(namespace, name));
    if (!kv) throw notFound(this.def.plural, name, this.def.group);
    return this.decode(kv);
  }

  /**
   * A stored object as this kind presents it: itself, or for a kind stored as another
   * (events.k8s.io Event) its conversion, made once per cached object.
   */
  view(stored: KubeObject): KubeObject {
    const convert = this.def.storedAs?.fromStored;
    if (!convert) return stored;
    let converted = this.views.get(stored);
    if (!converted) {
      converted = convert(stored);
      this.views.set(stored, converted);
    }
    return converted;
  }

  private decode(kv: KeyValue): KubeObject {
    const stored = decodeStored(kv);
    return this.def.storedAs ? this.def.storedAs.fromStored(stored) : stored;
  }

  private encode(object: KubeObject): string {
    return encodeStored(this.def.storedAs ? this.def.storedAs.toStored(object) : object);
  }

  /** The object as the watch cache last saw it (possibly a moment behind the store). */
  cached(namespace: string, name: string): KubeObject | undefined {
    const entry = this.cache.objects.get(this.key(namespace, name));
    return entry && this.view(entry.object);
  }

  async create(namespace: string, object: KubeObject, context: WriteContext): Promise<KubeObject> {
    const def = this.def;
    const meta = object.metadata ?? (object.metadata = {});
    if (def.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw new ApiError('BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace || meta.namespace;
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(context.now);
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    if (def.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    def.defaults?.(object);
    def.prepareForCreate?.(object, { now: context.now });
    context.trackFields?.(object, undefined, '');
    this.validate(object);
    await this.admit('CREATE', def, object, undefined, context);
    if (context.dryRun) return object;
    try {
      if (def.storedAs) return withRevision(object, await this.store.create(this.key(meta.namespace ?? '', meta.name!), this.encode(object)));
      const key = this.key(meta.namespace ?? '', meta.name!);
      if (context.shareWritten !== true) return withRevision(object, await this.store.create(key, encodeStored(object)));
      const encoding = encodeForStore(object);
      const shared = encoding.head !== undefined && isJsonRoundTrip(object);
      if (shared) this.watchCache.expectWrite(key, encoding.stored, object);
      let kv: KeyValue;
      try {
        kv = await this.store.create(key, encoding.stored);
      } catch (error) {
        if (shared) this.watchCache.forgetWrite(key, object);
        throw error;
      }
      withRevision(object, kv);
      rememberAnswer(object, encoding);
      return object;
    } catch (error) {
      if (error instanceof KeyExistsError) throw alreadyExists(def.plural, meta.name!, def.group);
      throw error;
    }
  }

  /**
   * Reads the object, lets `mutate` produce the new one, and writes it with compare-and-swap,
   * retrying on a concurrent write unless the caller pinned a resourceVersion (then 409). The
   * first try starts from the watch cache's copy, as upstream's GuaranteedUpdate starts from its
   * cached object: a copy that is behind fails the compare-and-swap (or is not trusted for a
   * conflict, an error of `mutate` or a no-op), and the next try reads the store.
   */
  async update(
    namespace: string,
    name: string,
    mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    context: WriteContext,
    subresource = '',
  ): Promise<KubeObject> {
    const def = this.def;
    const key = this.key(namespace, name);
    // upstream's binding writes the pod directly: no field manager, no defaulting, never a no-op
    const binding = subresource === 'binding';
    for (let attempt = 0; ; attempt++) {
      // a dry run answers from the store, as upstream's does
      const cached = attempt === 0 && !context.dryRun ? this.cache.objects.get(key) : undefined;
      let current: KubeObject;
      let revision: number;
      if (cached) {
        current = this.view(cached.object);
        revision = cached.revision;
      } else {
        const kv = await this.store.get(key);
        if (!kv) throw notFound(def.plural, name, def.group);
        current = this.decode(kv);
        revision = kv.modRevision;
      }
      let next: KubeObject;
      let pinned: string | undefined;
      try {
        const copy = cloneJson(current);
        const mutated = await mutate(copy);
        // each attempt works on its own object: a caller's body handed back stays as it came
        const proposed = mutated === copy ? mutated : cloneJson(mutated);
        pinned = proposed.metadata?.resourceVersion;
        if (pinned && pinned !== current.metadata.resourceVersion) throw conflict(def.plural, name, def.group);
        next = this.prepareUpdate(proposed, current, subresource, context);
        if (!binding) {
          context.trackFields?.(next, current, subresource);
          if (isDeepStrictEqual(stripRevision(next), stripRevision(current))) {
            if (cached) continue;
            return current;
          }
        }
        this.validate(next, current, subresource);
        await this.admit('UPDATE', def, next, current, context);
      } catch (error) {
        // judged against a cached copy that may be behind: ask the store before answering
        if (cached) continue;
        throw error;
      }
      // nothing is written, so the object keeps the stored revision (kubectl diff compares it)
      if (context.dryRun) return { ...next, metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion } };
      try {
        if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0 && !isGracefulPending(def, next) && !hasNamespaceFinalizers(def, next)) {
          const gone = await this.store.delete(key, revision);
          return withRevision(next, gone);
        }
        return withRevision(next, await this.write(key, next, revision, binding || context.shareWritten === true));
      } catch (error) {
        if (error instanceof RevisionMismatchError && (cached || (!pinned && attempt < 16))) continue;
        if (error instanceof RevisionMismatchError) throw conflict(def.plural, name, def.group);
        if (error instanceof KeyNotFoundError) throw notFound(def.plural, name, def.group);
        throw error;
      }
    }
  }

  /**
   * Writes an update; when `share` (no one but readers will see `next` again) the watch cache
   * keeps `next` itself instead of decoding the stored value, which is why its resourceVersion
   * goes to the end of its metadata, where decoding puts it.
   */
  private async write(key: string, next: KubeObject, revision: number, share: boolean): Promise<KeyValue> {
    if (!share || this.def.storedAs || !isJsonRoundTrip(next)) return this.store.update(key, this.encode(next), revision);
    delete next.metadata.resourceVersion;
    const encoding = encodeForStore(next);
    this.watchCache.expectWrite(key, encoding.stored, next);
    try {
      const kv = await this.store.update(key, encoding.stored, revision);
      rememberAnswer(withRevision(next, kv), encoding);
      return kv;
    } catch (error) {
      this.watchCache.forgetWrite(key, next);
      throw error;
    }
  }

  /**
   * Deletes with upstream's semantics: preconditions, graceful deletion of pods bound to a node,
   * finalizers (including the GC's orphan/foregroundDeletion for propagationPolicy) that keep the
   * object with a deletionTimestamp until they are removed.
   */
  async delete(namespace: string, name: string, options: DeleteOptions, context: WriteContext): Promise<DeleteResult> {
    const def = this.def;
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw notFound(def.plural, name, def.group);
      const current = this.decode(kv);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw conflict(def.plural, name, def.group, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(def.plural, name, def.group, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
      }
      await this.admit('DELETE', def, current, current, context);
      const next = cloneJson(current);
      const meta = next.metadata;
      const finalizers = new Set(meta.finalizers ?? []);
      if (options.propagationPolicy === 'Orphan') finalizers.add('orphan');
      if (options.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');
      if (options.propagationPolicy === 'Background') finalizers.delete('orphan');
      const grace = this.gracePeriod(current, options);
      const alreadyDeleting = Boolean(meta.deletionTimestamp);
      const namespaceFinalizers = isCoreNamespace(def) ? ((current.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
      if (finalizers.size > 0 || grace > 0 || namespaceFinalizers.length > 0) {
        meta.finalizers = finalizers.size > 0 ? [...finalizers] : undefined;
        if (!meta.finalizers) delete meta.finalizers;
        const shortened = grace > 0 && (!alreadyDeleting || grace < (meta.deletionGracePeriodSeconds ?? Infinity));
        if (!alreadyDeleting || shortened) {
          meta.deletionTimestamp = rfc3339(new Date(context.now.getTime() + grace * 1000));
          meta.deletionGracePeriodSeconds = grace;
        }
        if (isCoreNamespace(def)) (next.status as Record<string, unknown>) = { ...(next.status as object), phase: 'Terminating' };
        if (isDeepStrictEqual(stripRevision(next), stripRevision(current))) return { object: current, deleted: false };
        if (context.dryRun || options.dryRun) return { object: next, deleted: false };
        try {
          const written = await this.store.update(key, this.encode(next), kv.modRevision);
          return { object: withRevision(next, written), deleted: false };
        } catch (error) {
          if (error instanceof RevisionMismatchError && attempt < 16) continue;
          throw error;
        }
      }
      if (context.dryRun || options.dryRun) return { object: current, deleted: true };
      try {
        const gone = await this.store.delete(key, kv.modRevision);
        return { object: withRevision(current, gone), deleted: true };
      } catch (error) {
        if (error instanceof RevisionMismatchError && attempt < 16) continue;
        if (error instanceof KeyNotFoundError) throw notFound(def.plural, name, def.group);
        throw error;
      }
    }
  }

  private gracePeriod(object: KubeObject, options: DeleteOptions): number {
    if (this.def.plural !== 'pods' || this.def.group !== '') return 0;
    const spec = (object.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (object.status as { phase?: string } | undefined)?.phase;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    const grace = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, grace);
  }

  private prepareUpdate(proposed: KubeObject, current: KubeObject, subresource: string, context: WriteContext): KubeObject {
    const def = this.def;
    const oldMeta = current.metadata;
    let next: KubeObject;
    if (subresource === 'binding') {
      next = proposed;
    } else if (subresource === 'status') {
      next = cloneJson(current);
      next.status = proposed.status;
      const labels = proposed.metadata?.labels;
      const annotations = proposed.metadata?.annotations;
      if (labels !== undefined) next.metadata.labels = labels;
      if (annotations !== undefined) next.metadata.annotations = annotations;
    } else {
      next = proposed;
      next.metadata ??= {};
      if (!def.noStatus) {
        if (current.status === undefined) delete next.status;
        else next.status = cloneJson(current.status);
      }
    }
    const meta = next.metadata;
    meta.name = oldMeta.name;
    if (def.namespaced) meta.namespace = oldMeta.namespace;
    meta.uid = oldMeta.uid;
    meta.creationTimestamp = oldMeta.creationTimestamp;
    if (oldMeta.deletionTimestamp) {
      meta.deletionTimestamp = oldMeta.deletionTimestamp;
      meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (def.tracksGeneration) {
      meta.generation = oldMeta.generation ?? 1;
      if (subresource !== 'status' && subresource !== 'binding' && specChanged(next, current)) meta.generation++;
    } else {
      delete meta.generation;
    }
    if (subresource !== 'status' && subresource !== 'binding') def.defaults?.(next);
    def.prepareForUpdate?.(next, current, { now: context.now, subresource: subresource || undefined });
    return next;
  }

  /** Object meta, then the kind's validation; a binding (only spec.nodeName and the PodScheduled condition change) skips the latter, as upstream's BindingREST does. */
  private validate(object: KubeObject, old?: KubeObject, subresource = ''): void {
    const def = this.def;
    const errors = validateObjectMeta(object.metadata, { namespaced: def.namespaced, nameValidator: def.nameValidator }, old?.metadata);
    if (errors.length === 0 && subresource !== 'binding') errors.push(...(def.validate?.(object, old) ?? []));
    if (errors.length > 0) throw invalid(def.kind, object.metadata?.name ?? '', errors, def.group);
  }
}

function generateName(base: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += generateNameAlphabet[Math.floor(Math.random() * generateNameAlphabet.length)];
  return base.slice(0, 63 - 5) + suffix;
}

/** What goes into the store: the object without its resourceVersion (the store's revision is it). */
export function encodeStored(object: KubeObject): string {
  if (!Object.hasOwn(object.metadata, 'resourceVersion')) return JSON.stringify(object);
  const { resourceVersion: _ignored, ...metadata } = object.metadata;
  return JSON.stringify({ ...object, metadata });
}

function withRevision(object: KubeObject, kv: KeyValue): KubeObject {
  object.metadata.resourceVersion = String(kv.modRevision);
  return object;
}

function stripRevision(object: KubeObject): KubeObject {
  const { resourceVersion: _ignored, managedFields: _managed, ...metadata } = object.metadata;
  return { ...object, metadata };
}

function specChanged(next: KubeObject, current: KubeObject): boolean {
  for (const key of new Set([...Object.keys(next), ...Object.keys(current)])) {
    if (key === 'metadata' || key === 'status' || key === 'apiVersion' || key === 'kind') continue;
    if (!isDeepStrictEqual(next[key], current[key])) return true;
  }
  return false;
}

function isCoreNamespace(def: ResourceDef): boolean {
  return def.plural === 'namespaces' && def.group === '';
}

function hasNamespaceFinalizers(def: ResourceDef, object: KubeObject): boolean {
  return isCoreNamespace(def) && ((object.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length > 0;
}

/** A pod bound to a node stays until its kubelet confirms with a zero-grace delete. */
function isGracefulPending(def: ResourceDef, object: KubeObject): boolean {
  return def.plural === 'pods' && def.group === '' && (object.metadata.deletionGracePeriodSeconds ?? 0) > 0;
}
