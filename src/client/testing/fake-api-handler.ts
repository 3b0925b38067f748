import {
  alreadyExists,
  ApiError,
  applyMergePatch,
  conflict,
  matchFieldSelector,
  matchLabelSelector,
  notFound,
  parseFieldSelector,
  parseLabelSelector,
  type ApiHandler,
  type ApiRequest,
  type ApiResponse,
  type KubeObject,
  type WatchEvent,
} from '../../api/index.js';
import { WatchChannel } from './watch-channel.js';

/** A parsed API path. */
export interface ParsedPath {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

interface Watcher {
  collection: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  bookmarks: boolean;
  channel: WatchChannel<WatchEvent>;
}

interface LoggedEvent {
  revision: number;
  collection: string;
  event: WatchEvent;
}

/**
 * An in-memory stand-in for the API server, for unit tests of code built on the client: objects
 * keyed by path, resourceVersions from one counter, list (with selectors and paging), get,
 * create, update (conditional on resourceVersion), merge patch, delete, `pods/binding`, and watch
 * from any revision it still remembers. `compact()` forgets history so older watches get 410;
 * `endWatches()` closes every open watch. No authentication, admission or validation.
 */
export class FakeApiHandler {
  /** every request received, in order */
  readonly requests: ApiRequest[] = [];
  /** how a watch from a compacted revision fails: an ERROR event (as upstream) or a 410 answer */
  expiredAs: 'event' | 'error' = 'event';
  /** inspects each request first; answering a response short-circuits the fake */
  intercept?: (req: ApiRequest) => ApiResponse | undefined;
  readonly handler: ApiHandler = (req) => this.handle(req);

  private rev = 0;
  private compacted = 0;
  private uid = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private log: LoggedEvent[] = [];
  private readonly watchers = new Set<Watcher>();

  /** The current revision. */
  get revision(): number {
    return this.rev;
  }

  /** How many watches are open. */
  openWatches(): number {
    return this.watchers.size;
  }

  /** Creates or replaces an object directly (no checks); answers it with its new resourceVersion. */
  put(path: string, obj: KubeObject): KubeObject {
    const p = parsePath(path);
    const name = p.name ?? obj.metadata.name!;
    const coll = this.collection(p);
    const old = coll.get(objKey(p.namespace, name));
    const stored: KubeObject = {
      ...obj,
      metadata: {
        ...obj.metadata,
        name,
        ...(p.namespace ? { namespace: p.namespace } : {}),
        uid: old?.metadata.uid ?? obj.metadata.uid ?? `uid-${++this.uid}`,
        creationTimestamp: old?.metadata.creationTimestamp ?? obj.metadata.creationTimestamp ?? new Date(0).toISOString(),
        resourceVersion: String(++this.rev),
      },
    };
    coll.set(objKey(p.namespace, name), stored);
    this.emit(p, { type: old ? 'MODIFIED' : 'ADDED', object: stored });
    return stored;
  }

  /** Deletes an object directly; answers it (with the deletion's resourceVersion) or undefined. */
  remove(path: string): KubeObject | undefined {
    const p = parsePath(path);
    const coll = this.collection(p);
    const key = objKey(p.namespace, p.name!);
    const old = coll.get(key);
    if (!old) return undefined;
    coll.delete(key);
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.rev) } };
    this.emit(p, { type: 'DELETED', object: gone });
    return gone;
  }

  /** Reads an object directly. */
  read(path: string): KubeObject | undefined {
    const p = parsePath(path);
    return this.collection(p).get(objKey(p.namespace, p.name!));
  }

  /** Forgets the event history up to now: watches from older revisions get 410 Expired. */
  compact(): void {
    this.compacted = this.rev;
    this.log = [];
  }

  /** Closes every open watch, as a server does at its timeout or on restart. */
  endWatches(): void {
    for (const w of [...this.watchers]) w.channel.end();
  }

  /** Sends a BOOKMARK at the current revision to every watch that allows bookmarks. */
  sendBookmarks(): void {
    for (const w of this.watchers) {
      if (w.bookmarks) w.channel.push({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(this.rev) } } });
    }
  }

  private async handle(req: ApiRequest): Promise<ApiResponse> {
    this.requests.push(req);
    const intercepted = this.intercept?.(req);
    if (intercepted) return intercepted;
    try {
      return this.route(req);
    } catch (err) {
      if (err instanceof ApiError) return { status: err.code, body: err.toStatus() };
      throw err;
    }
  }

  private route(req: ApiRequest): ApiResponse {
    const p = parsePath(req.path);
    const base = collectionPath(p);
    const body = req.body as KubeObject | undefined;
    switch (req.method) {
      case 'GET':
        if (p.name) return ok(this.getOrThrow(p));
        if (req.query.get('watch') === 'true') return this.watch(p, req);
        return ok(this.list(p, req.query));
      case 'POST':
        if (!p.name) {
          if (!body?.metadata?.name) throw new ApiError('BadRequest', 'metadata.name is required');
          if (this.collection(p).has(objKey(p.namespace, body.metadata.name))) throw alreadyExists(p.plural, body.metadata.name, p.group);
          return { status: 201, body: this.put(`${base}/${body.metadata.name}`, body) };
        }
        return this.postSubresource(p, req.body);
      case 'PUT': {
        const current = this.getOrThrow(p);
        if (body?.metadata?.resourceVersion && body.metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict(p.plural, p.name!, p.group);
        const next = p.subresource === 'status' ? { ...current, status: body?.status } : { ...body!, status: body?.status ?? current.status };
        return ok(this.put(`${base}/${p.name}`, next as KubeObject));
      }
      case 'PATCH': {
        if (req.headers['content-type'] !== 'application/merge-patch+json') throw new ApiError('UnsupportedMediaType', `the fake supports only merge patches`);
        const current = this.getOrThrow(p);
        return ok(this.put(`${base}/${p.name}`, applyMergePatch(current, req.body) as KubeObject));
      }
      case 'DELETE': {
        const current = this.getOrThrow(p);
        const pre = (req.body as { preconditions?: { uid?: string; resourceVersion?: string } } | undefined)?.preconditions;
        if ((pre?.uid && pre.uid !== current.metadata.uid) || (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)) {
          throw conflict(p.plural, p.name!, p.group, 'Precondition failed');
        }
        return ok(this.remove(`${base}/${p.name}`));
      }
      default:
        throw new ApiError('MethodNotAllowed', `${req.method} is not supported`);
    }
  }

  private postSubresource(p: ParsedPath, body: unknown): ApiResponse {
    const current = this.getOrThrow(p);
    const path = `${collectionPath(p)}/${p.name}`;
    if (p.plural === 'pods' && p.subresource === 'binding') {
      const node = (body as { target?: { name?: string } }).target?.name;
      if (!node) throw new ApiError('BadRequest', 'binding needs target.name');
      this.put(path, { ...current, spec: { ...(current.spec as object), nodeName: node } });
      return { status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
    }
    if (p.plural === 'pods' && p.subresource === 'eviction') {
      this.remove(path);
      return { status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
    }
    throw notFound(`${p.plural}/${p.subresource}`, p.name!);
  }

  private list(p: ParsedPath, query: URLSearchParams): unknown {
    const limit = Number(query.get('limit') ?? 0);
    const token = query.get('continue');
    const start = token ? (JSON.parse(Buffer.from(token, 'base64').toString()) as { rv: number; offset: number }) : { rv: this.rev, offset: 0 };
    const all = this.matching(p, query.get('labelSelector') ?? undefined, query.get('fieldSelector') ?? undefined);
    const items = limit > 0 ? all.slice(start.offset, start.offset + limit) : all.slice(start.offset);
    const next = start.offset + items.length;
    const metadata: Record<string, unknown> = { resourceVersion: String(start.rv) };
    if (limit > 0 && next < all.length) metadata.continue = Buffer.from(JSON.stringify({ rv: start.rv, offset: next })).toString('base64');
    return { apiVersion: p.group ? `${p.group}/${p.version}` : p.version, kind: 'List', metadata, items };
  }

  private watch(p: ParsedPath, req: ApiRequest): ApiResponse {
    const rvParam = req.query.get('resourceVersion');
    const from = rvParam && rvParam !== '0' ? Number(rvParam) : undefined;
    if (from !== undefined && from < this.compacted) {
      const err = new ApiError('Expired', `too old resource version: ${from} (${this.compacted})`);
      if (this.expiredAs === 'error') return { status: 410, body: err.toStatus() };
      const channel = new WatchChannel<WatchEvent>(req.signal);
      channel.push({ type: 'ERROR', object: err.toStatus() as unknown as KubeObject });
      channel.end();
      return { status: 200, watch: channel };
    }
    const watcher: Watcher = {
      collection: collectionId(p),
      namespace: p.namespace,
      labelSelector: req.query.get('labelSelector') ?? undefined,
      fieldSelector: req.query.get('fieldSelector') ?? undefined,
      bookmarks: req.query.get('allowWatchBookmarks') === 'true',
      channel: new WatchChannel<WatchEvent>(req.signal, () => this.watchers.delete(watcher)),
    };
    if (from === undefined) {
      for (const object of this.matching(p, watcher.labelSelector, watcher.fieldSelector)) watcher.channel.push({ type: 'ADDED', object });
    } else {
      for (const e of this.log) if (e.revision > from && this.wants(watcher, e)) watcher.channel.push(e.event);
    }
    if (!watcher.channel.isClosed) this.watchers.add(watcher);
    return { status: 200, watch: watcher.channel };
  }

  private emit(p: ParsedPath, event: WatchEvent): void {
    const logged = { revision: this.rev, collection: collectionId(p), event };
    this.log.push(logged);
    for (const w of this.watchers) if (this.wants(w, logged)) w.channel.push(event);
  }

  private wants(w: Watcher, e: LoggedEvent): boolean {
    if (w.collection !== e.collection) return false;
    const obj = e.event.object;
    if (w.namespace && obj.metadata.namespace !== w.namespace) return false;
    return matchesSelectors(obj, w.labelSelector, w.fieldSelector);
  }

  private matching(p: ParsedPath, labelSelector?: string, fieldSelector?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const [, obj] of [...this.collection(p)].sort(([a], [b]) => a.localeCompare(b))) {
      if (p.namespace && obj.metadata.namespace !== p.namespace) continue;
      if (matchesSelectors(obj, labelSelector, fieldSelector)) out.push(obj);
    }
    return out;
  }

  private getOrThrow(p: ParsedPath): KubeObject {
    const obj = this.collection(p).get(objKey(p.namespace, p.name!));
    if (!obj) throw notFound(p.plural, p.name!, p.group);
    return obj;
  }

  private collection(p: ParsedPath): Map<string, KubeObject> {
    const id = collectionId(p);
    let coll = this.objects.get(id);
    if (!coll) {
      coll = new Map();
      this.objects.set(id, coll);
    }
    return coll;
  }
}

/** Splits `/api/v1/namespaces/ns/pods/name/sub` or `/apis/g/v/...` into its parts. */
export function parsePath(path: string): ParsedPath {
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group = '';
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') [version, rest] = [segs[1]!, segs.slice(2)];
  else if (segs[0] === 'apis') [group, version, rest] = [segs[1]!, segs[2]!, segs.slice(3)];
  else throw new ApiError('NotFound', `the server could not find the requested resource (${path})`);
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    return { group, version, namespace: rest[1], plural: rest[2]!, name: rest[3], subresource: rest[4] };
  }
  if (!rest[0]) throw new ApiError('NotFound', `the server could not find the requested resource (${path})`);
  return { group, version, plural: rest[0], name: rest[1], subresource: rest[2] };
}

function collectionPath(p: ParsedPath): string {
  const prefix = p.group ? `/apis/${p.group}/${p.version}` : `/api/${p.version}`;
  return p.namespace ? `${prefix}/namespaces/${p.namespace}/${p.plural}` : `${prefix}/${p.plural}`;
}

function collectionId(p: ParsedPath): string {
  return `${p.group}/${p.plural}`;
}

function objKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function ok(body: unknown): ApiResponse {
  return { status: 200, body };
}

/** Whether the object matches a label selector and a field selector (any dotted field path), in the API server's syntax. */
export function matchesSelectors(obj: KubeObject, labelSelector?: string, fieldSelector?: string): boolean {
  if (labelSelector && !matchLabelSelector(parseLabelSelector(labelSelector), obj.metadata.labels)) return false;
  if (!fieldSelector) return true;
  const fieldValue = (path: string) => {
    const value = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
    return value === undefined || value === null ? undefined : String(value);
  };
  return matchFieldSelector(parseFieldSelector(fieldSelector), fieldValue);
}
