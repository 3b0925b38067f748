import {
  ApiError,
  applyJsonPatch,
  checkFieldSelectorFields,
  defaultSelectableFields,
  applyMergePatch,
  matchFieldSelector,
  matchLabelSelector,
  parseFieldSelector,
  parseLabelSelector,
  type ApiRequest,
  type ApiResponse,
  type KubeList,
  type KubeObject,
  type WatchEvent,
} from '../api/index.js';
import { CompactedError, type Store } from '../store/index.js';
import { decodeBody, patchTypeOf } from './body.js';
import { checkFields, withWarnings } from './field-validation.js';
import { parseAccept } from './discovery.js';
import type { DeleteOptions, ObjectStorage, WriteContext } from './object-storage.js';
import type { RequestInfo } from './request-info.js';
import { toTable, wantsTable, type IncludeObject } from './table.js';
import type { WatchCache } from './watch-cache.js';
import type { EndingSource } from './watcher-queue.js';
import { decodeStored } from './watch-cache.js';
import { allVerbs } from './resources/index.js';
import { handleSubresource } from './subresources.js';
import { serverSideApplyRequest, strategicPatch, withFieldTracking } from './apply.js';
import type { KubeletConnector } from './kubelet-connector.js';

/** What the resource handler needs from the server around it. */
export interface ResourceHandlerContext {
  store: Store;
  watchCache: WatchCache;
  storageFor(group: string, plural: string): ObjectStorage | undefined;
  /** reaches kubelets (pods/log) */
  kubelet?: KubeletConnector;
  now(): Date;
}

/** Serves one resource request (verbs on a collection or an object, and subresources). */
export async function handleResource(ctx: ResourceHandlerContext, request: ApiRequest, info: RequestInfo, write: WriteContext): Promise<ApiResponse> {
  const storage = ctx.storageFor(info.group, info.resource);
  if (!storage || storage.def.version !== info.version) {
    throw new ApiError('NotFound', 'the server could not find the requested resource');
  }
  const def = storage.def;
  if (def.namespaced === false && info.namespace) throw new ApiError('NotFound', 'the server could not find the requested resource');
  if (info.verb === 'create' || info.verb === 'update' || info.verb === 'patch') {
    write = withFieldTracking(storage, request, write);
    // a caller that only gets the written object's JSON lets the watch cache keep the object itself
    if (request.rawBody !== undefined || request.answerEncoded === true) write.shareWritten = true;
  }
  if (info.subresource) return handleSubresource(ctx, storage, request, info, write);
  if (!(def.verbs ?? allVerbs).includes(info.verb)) throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');

  switch (info.verb) {
    case 'get':
      return objectResponse(request, storage, await storage.get(info.namespace, info.name), 200, ctx.now());
    case 'list':
      return list(ctx, storage, request, info);
    case 'watch':
      return watch(ctx, storage, request, info);
    case 'create': {
      if (def.review) {
        const checked = checkFields(request, def, requireObject(decodeBody(request), storage), 'create');
        return withWarnings({ status: 201, body: def.review(checked.object, write.user) }, checked.warnings);
      }
      const checked = checkFields(request, def, requireObject(decodeBody(request), storage), 'create');
      const created = await storage.create(info.namespace, checked.object, write);
      return withWarnings(objectResponse(request, storage, created, 201, ctx.now()), checked.warnings);
    }
    case 'update': {
      const checked = checkFields(request, def, requireObject(decodeBody(request), storage), 'update');
      const body = checked.object;
      checkName(body, info.name);
      const updated = await storage.update(info.namespace, info.name, () => body, write);
      return withWarnings(objectResponse(request, storage, updated, 200, ctx.now()), checked.warnings);
    }
    case 'patch': {
      if (patchTypeOf(request) === 'apply') {
        const applied = await serverSideApplyRequest(storage, request, info, write, '');
        return withWarnings(objectResponse(request, storage, applied.object, applied.created ? 201 : 200, ctx.now()), applied.warnings);
      }
      const warnings: string[] = [];
      const patched = await patchObject(storage, request, info, write, '', warnings);
      return withWarnings(objectResponse(request, storage, patched, 200, ctx.now()), warnings);
    }
    case 'delete': {
      const options = deleteOptions(request);
      const result = await storage.delete(info.namespace, info.name, options, write);
      if (result.deleted && !(def.group === '' && def.plural === 'pods')) {
        return { status: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: info.name, group: def.group || undefined, kind: def.plural, uid: result.object.metadata.uid } } };
      }
      return objectResponse(request, storage, result.object, result.deleted ? 200 : 202, ctx.now());
    }
    case 'deletecollection': {
      const options = deleteOptions(request);
      const filter = selectorFilter(storage, request.query);
      await ctx.watchCache.waitFresh(request.signal);
      const targets = storage.cache.list(storage.listPrefix(info.namespace), filter);
      for (const target of targets) {
        try {
          await storage.delete(target.object.metadata.namespace ?? '', target.object.metadata.name!, options, write);
        } catch (error) {
          if (!(error instanceof ApiError && error.reason === 'NotFound')) throw error;
        }
      }
      return { status: 200, body: listBody(storage, targets.map((t) => storage.view(t.object)), { resourceVersion: String(ctx.watchCache.currentRevision) }) };
    }
  }
  throw new ApiError('MethodNotAllowed', `${request.method} is not supported on ${def.plural}`);
}

/** Reads the current object, applies a JSON, merge or strategic patch (or a server-side apply), and writes it. */
export async function patchObject(storage: ObjectStorage, request: ApiRequest, info: RequestInfo, write: WriteContext, subresource: string, warnings: string[] = []): Promise<KubeObject> {
  const type = patchTypeOf(request);
  const patch = decodeBody(request);
  if (patch === undefined) throw new ApiError('BadRequest', 'the body of the request was empty');
  if (type === 'apply') {
    const applied = await serverSideApplyRequest(storage, request, info, write, subresource);
    warnings.splice(0, warnings.length, ...applied.warnings);
    return applied.object;
  }
  if (request.query.has('force')) {
    throw new ApiError('Invalid', 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch', {
      group: 'meta.k8s.io',
      kind: 'PatchOptions',
      causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' }],
    });
  }
  return storage.update(
    info.namespace,
    info.name,
    (current) => {
      const next = type === 'json' ? applyJsonPatch(current, patch as never) : type === 'strategic' ? strategicPatch(storage, current, patch) : applyMergePatch(current, patch);
      if (next === null || typeof next !== 'object' || Array.isArray(next)) throw new ApiError('BadRequest', 'the patch produced something that is not an object');
      const object = next as KubeObject;
      if (object.metadata?.resourceVersion === current.metadata.resourceVersion) delete object.metadata.resourceVersion;
      if (subresource !== '' && subresource !== 'status') return object;
      const checked = checkFields(request, storage.def, object, 'patch');
      warnings.splice(0, warnings.length, ...checked.warnings);
      return checked.object;
    },
    write,
    subresource,
  );
}

function requireObject(body: unknown, storage: ObjectStorage): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('BadRequest', `the object provided is unrecognized (must be of type ${storage.def.kind})`);
  }
  const object = body as KubeObject;
  const def = storage.def;
  if (object.apiVersion !== undefined && object.apiVersion !== storage.apiVersion) {
    throw new ApiError('BadRequest', `the API version in the data (${object.apiVersion}) does not match the expected API version (${storage.apiVersion})`);
  }
  if (object.kind !== undefined && object.kind !== def.kind) {
    throw new ApiError('BadRequest', `the kind in the data (${object.kind}) does not match the expected kind (${def.kind})`);
  }
  object.apiVersion = storage.apiVersion;
  object.kind = def.kind;
  if (object.metadata === undefined || object.metadata === null) object.metadata = {};
  if (typeof object.metadata !== 'object' || Array.isArray(object.metadata)) throw new ApiError('BadRequest', 'metadata must be an object');
  return object;
}

function checkName(object: KubeObject, name: string): void {
  const given = object.metadata.name;
  if (given !== undefined && given !== name) {
    throw new ApiError('BadRequest', `the name of the object (${given}) does not match the name on the URL (${name})`);
  }
  object.metadata.name = name;
}

function deleteOptions(request: ApiRequest): DeleteOptions {
  const body = decodeBody(request) as (DeleteOptions & { kind?: string; orphanDependents?: boolean }) | undefined;
  const options: DeleteOptions = {};
  const q = request.query;
  const grace = q.get('gracePeriodSeconds') ?? body?.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) {
    const n = Number(grace);
    if (!Number.isInteger(n)) throw new ApiError('BadRequest', `invalid gracePeriodSeconds: ${grace}`);
    options.gracePeriodSeconds = n;
  }
  const policy = q.get('propagationPolicy') ?? body?.propagationPolicy;
  if (policy) {
    if (policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
      throw new ApiError('Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
    }
    options.propagationPolicy = policy;
  } else if (body?.orphanDependents === true || q.get('orphanDependents') === 'true') {
    options.propagationPolicy = 'Orphan';
  }
  if (body?.preconditions) options.preconditions = body.preconditions;
  if (q.getAll('dryRun').includes('All') || (body as { dryRun?: string[] } | undefined)?.dryRun?.includes?.('All')) options.dryRun = true;
  return options;
}

/** A predicate from `labelSelector` and `fieldSelector`, checking field names against the kind's. */
export function selectorFilter(storage: ObjectStorage, query: URLSearchParams): (object: KubeObject) => boolean {
  const labelText = query.get('labelSelector');
  const fieldText = query.get('fieldSelector');
  const labels = labelText ? parseLabelSelector(labelText) : undefined;
  const fields = fieldText ? parseFieldSelector(fieldText) : undefined;
  const getters = storage.def.fieldSelectors ?? {};
  if (fields) checkFieldSelectorFields(fields, [...defaultSelectableFields, ...Object.keys(getters)]);
  if (!labels && !fields) return () => true;
  return (stored) => {
    const object = storage.view(stored);
    if (labels && !matchLabelSelector(labels, object.metadata.labels)) return false;
    if (fields) {
      const get = (field: string): string | undefined => {
        if (field === 'metadata.name') return object.metadata.name;
        if (field === 'metadata.namespace') return object.metadata.namespace ?? '';
        return getters[field]?.(object) ?? '';
      };
      if (!matchFieldSelector(fields, get)) return false;
    }
    return true;
  };
}

const continueExpired =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';
const listExpired = 'The resourceVersion for the provided list is too old.';

/**
 * Checks a list's or watch's options as upstream's ValidateListOptions does (422 on ListOptions
 * naming the field) and parses `limit` and `resourceVersion` (400 when they are not numbers).
 */
function checkListOptions(q: URLSearchParams, watch: boolean): { limit: number; resourceVersion?: number } {
  const limitText = q.get('limit');
  const limit = limitText === null || limitText === '' ? 0 : Number(limitText);
  if (!Number.isInteger(limit)) throw new ApiError('BadRequest', `limit: Invalid value: "${limitText}": must be an integer`);
  const rvText = q.get('resourceVersion') ?? '';
  const resourceVersion = rvText === '' ? undefined : Number(rvText);
  if (resourceVersion !== undefined && !(Number.isSafeInteger(resourceVersion) && resourceVersion >= 0 && /^\d+$/.test(rvText))) {
    throw new ApiError('BadRequest', `resourceVersion: Invalid value: "${rvText}": invalid resource version`);
  }
  const match = q.get('resourceVersionMatch') ?? '';
  const sendInitialEvents = q.get('sendInitialEvents');
  const forbidden: [string, string][] = [];
  const unsupported = (values: string[]) => forbidden.push(['resourceVersionMatch', `Unsupported value: "${match}": supported values: ${values.map((v) => `"${v}"`).join(', ')}`]);
  if (watch) {
    if (sendInitialEvents !== null && match !== 'NotOlderThan') forbidden.push(['resourceVersionMatch', 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan']);
    // Skiff has no streaming list yet: as upstream with the WatchList gate off, so clients fall back to list and watch at once
    if (sendInitialEvents !== null) forbidden.push(['sendInitialEvents', 'Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled']);
    if (match !== '') {
      if (sendInitialEvents === null) forbidden.push(['resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided']);
      if (match !== 'NotOlderThan') unsupported(['NotOlderThan']);
    }
  } else {
    if (match !== '') {
      if (rvText === '') forbidden.push(['resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided']);
      if (q.get('continue')) forbidden.push(['resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden when continue is provided']);
      if (match !== 'Exact' && match !== 'NotOlderThan') unsupported(['Exact', 'NotOlderThan', '']);
      if (match === 'Exact' && rvText === '0') forbidden.push(['resourceVersionMatch', 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"']);
    }
    if (sendInitialEvents !== null) forbidden.push(['sendInitialEvents', 'Forbidden: sendInitialEvents is forbidden for list']);
  }
  if (forbidden.length > 0) {
    const message = forbidden.map(([field, detail]) => `${field}: ${detail}`);
    throw new ApiError('Invalid', `ListOptions.meta.k8s.io "" is invalid: ${message.length === 1 ? message[0] : `[${message.join(', ')}]`}`, {
      group: 'meta.k8s.io',
      kind: 'ListOptions',
      causes: forbidden.map(([field, detail]) => ({ reason: detail.startsWith('Unsupported') ? 'FieldValueNotSupported' : 'FieldValueForbidden', message: detail, field })),
    });
  }
  return { limit: Math.max(0, limit), resourceVersion };
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start })).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { rv: number; start: string };
    if (typeof token.rv !== 'number' || typeof token.start !== 'string') throw new Error('bad token');
    return token;
  } catch {
    throw new ApiError('BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

async function list(ctx: ResourceHandlerContext, storage: ObjectStorage, request: ApiRequest, info: RequestInfo): Promise<ApiResponse> {
  const q = request.query;
  const { limit, resourceVersion: rv } = checkListOptions(q, false);
  const filter = selectorFilter(storage, q);
  const continueText = q.get('continue');
  const prefix = storage.listPrefix(info.namespace);
  let items: KubeObject[];
  let revision: number;
  let next: string | undefined;
  let remaining: number | undefined;
  if (continueText) {
    const token = decodeContinue(continueText);
    ({ items, next, revision } = await listFromStore(ctx, storage, prefix, token, limit, filter, continueExpired));
  } else if (q.get('resourceVersionMatch') === 'Exact') {
    // the list as it was at exactly that revision: from the store, which keeps history until compaction
    if (rv! > ctx.watchCache.currentRevision) await ctx.watchCache.waitFor(rv!, request.signal);
    ({ items, next, revision } = await listFromStore(ctx, storage, prefix, { rv: rv!, start: '' }, limit, filter, listExpired));
  } else {
    const rvParam = q.get('resourceVersion') ?? '';
    if (rvParam === '') {
      revision = await ctx.watchCache.waitFresh(request.signal);
    } else {
      revision = Math.max(ctx.watchCache.currentRevision, Number(rvParam) || 0);
      await ctx.watchCache.waitFor(revision, request.signal);
    }
    const entries = storage.cache.list(prefix, filter);
    if (limit > 0 && entries.length > limit) {
      next = encodeContinue({ rv: revision, start: entries[limit - 1].key });
      remaining = entries.length - limit;
      items = entries.slice(0, limit).map((e) => storage.view(e.object));
    } else {
      items = entries.map((e) => storage.view(e.object));
    }
  }
  const listMeta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: String(revision) };
  if (next) listMeta.continue = next;
  if (remaining !== undefined) listMeta.remainingItemCount = remaining;
  const table = wantsTable(parseAccept(request.headers.accept));
  if (table) {
    return { status: 200, body: toTable(storage.def, items, listMeta, { includeObject: includeObjectOf(q), now: ctx.now() }) };
  }
  return { status: 200, body: listBody(storage, items, listMeta) };
}

async function listFromStore(
  ctx: ResourceHandlerContext,
  storage: ObjectStorage,
  prefix: string,
  token: ContinueToken,
  limit: number,
  filter: (o: KubeObject) => boolean,
  expired: string,
): Promise<{ items: KubeObject[]; next?: string; revision: number }> {
  const items: KubeObject[] = [];
  let after = token.start;
  for (;;) {
    let page;
    try {
      page = await ctx.store.list(prefix, { after, revision: token.rv, limit: limit > 0 ? limit : 0 });
    } catch (error) {
      if (error instanceof CompactedError) {
        throw new ApiError('Expired', expired);
      }
      throw error;
    }
    for (const kv of page.items) {
      after = kv.key;
      const object = decodeStored(kv);
      if (filter(object)) items.push(storage.view(object));
      if (limit > 0 && items.length >= limit) {
        const more = page.more || kv !== page.items[page.items.length - 1];
        return { items, next: more ? encodeContinue({ rv: token.rv, start: kv.key }) : undefined, revision: token.rv };
      }
    }
    if (!page.more || page.items.length === 0) return { items, revision: token.rv };
  }
}

function includeObjectOf(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function listBody(storage: ObjectStorage, items: KubeObject[], metadata: KubeList['metadata']): KubeList {
  const apiVersion = storage.apiVersion;
  const kind = storage.def.kind;
  return {
    kind: `${kind}List`,
    apiVersion,
    metadata,
    items: items.map((o) => (o.apiVersion === apiVersion && o.kind === kind ? o : { ...o, apiVersion, kind })),
  };
}

function objectResponse(request: ApiRequest, storage: ObjectStorage, object: KubeObject, status: number, now: Date): ApiResponse {
  const table = wantsTable(parseAccept(request.headers.accept));
  if (table) {
    return { status, body: toTable(storage.def, [object], { resourceVersion: object.metadata.resourceVersion }, { includeObject: includeObjectOf(request.query), now }) };
  }
  return { status, body: object };
}

async function watch(ctx: ResourceHandlerContext, storage: ObjectStorage, request: ApiRequest, info: RequestInfo): Promise<ApiResponse> {
  const q = request.query;
  let filter = selectorFilter(storage, q);
  if (info.name) {
    const inner = filter;
    filter = (o) => o.metadata.name === info.name && inner(o);
  }
  checkListOptions(q, true);
  const rv = q.get('resourceVersion') ?? '';
  const abort = new AbortController();
  request.signal.addEventListener('abort', () => abort.abort(), { once: true });
  const timeout = Number(q.get('timeoutSeconds') ?? 0);
  const seconds = timeout > 0 ? timeout : 1800 + Math.floor(Math.random() * 1800);
  const timer = setTimeout(() => abort.abort(), seconds * 1000);
  timer.unref();
  abort.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  if (rv === '') await ctx.watchCache.waitFresh(request.signal);
  else if (rv !== '0' && Number(rv) > ctx.watchCache.currentRevision) await ctx.watchCache.waitFor(Number(rv), request.signal);
  let events: AsyncIterable<WatchEvent>;
  try {
    events = storage.cache.watch(
      { resourceVersion: rv, keyPrefix: storage.listPrefix(info.namespace), filter, bookmarks: q.get('allowWatchBookmarks') === 'true', signal: abort.signal },
      ctx.watchCache.currentRevision,
    );
  } catch (error) {
    clearTimeout(timer);
    if (error instanceof ApiError && error.reason === 'Expired') {
      return { status: 200, watch: single({ type: 'ERROR', object: error.toStatus() as unknown as KubeObject }) };
    }
    throw error;
  }
  if (storage.def.storedAs) events = stillEnding(asViews(events, storage), events);
  const table = wantsTable(parseAccept(request.headers.accept));
  if (!table) return { status: 200, watch: events };
  const include = includeObjectOf(q);
  return { status: 200, watch: stillEnding(asTables(events, storage, include, ctx.now), events) };
}

/** A wrapper of a watch still tells when the watch cache dropped its watcher, so the response ends at once (see EndingSource). */
function stillEnding(wrapper: AsyncIterable<WatchEvent>, inner: AsyncIterable<WatchEvent>): AsyncIterable<WatchEvent> {
  const ended = (inner as Partial<EndingSource>).ended;
  return ended ? Object.assign(wrapper, { ended }) : wrapper;
}

/** Watch events of a kind stored as another, converted (bookmarks name this kind too). */
async function* asViews(events: AsyncIterable<WatchEvent>, storage: ObjectStorage): AsyncIterable<WatchEvent> {
  for await (const event of events) {
    if (event.type === 'ERROR') yield event;
    else if (event.type === 'BOOKMARK') yield { type: 'BOOKMARK', object: { ...event.object, apiVersion: storage.apiVersion, kind: storage.def.kind } };
    else yield { type: event.type, object: storage.view(event.object) };
  }
}

async function* single(event: WatchEvent): AsyncIterable<WatchEvent> {
  yield event;
}

async function* asTables(events: AsyncIterable<WatchEvent>, storage: ObjectStorage, include: IncludeObject, now: () => Date): AsyncIterable<WatchEvent> {
  let first = true;
  for await (const event of events) {
    if (event.type === 'BOOKMARK' || event.type === 'ERROR') {
      yield event;
      continue;
    }
    const table = toTable(storage.def, [event.object], { resourceVersion: event.object.metadata.resourceVersion }, { includeObject: include, now: now(), noHeaders: !first });
    first = false;
    yield { type: event.type, object: table as KubeObject };
  }
}
