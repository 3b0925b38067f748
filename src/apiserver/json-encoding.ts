import { objectJson, rememberObjectJson, type KubeObject, type WatchEvent } from '../api/index.js';

/** Answers made ahead of time (a created object's JSON, from the encoding that was stored), each taken once. */
const answers = new WeakMap<object, string>();

/** A new object's stored JSON (no resourceVersion), kept in the parts that make its answer without a second encoding. */
export interface StoredEncoding {
  stored: string;
  /** JSON of the fields before metadata, with the opening brace, or undefined when `stored` cannot be reused */
  head: string | undefined;
  metadata: string;
  tail: string;
}

/**
 * Encodes an object as it is stored: its JSON without `metadata.resourceVersion`. When the object
 * has no resourceVersion (a create), the parts are kept so that `rememberAnswer` can make the
 * JSON of the object with the store's revision appended to its metadata.
 */
export function encodeForStore(object: KubeObject): StoredEncoding {
  const { resourceVersion, ...metadata } = object.metadata;
  if (resourceVersion !== undefined || Object.hasOwn(object.metadata, 'resourceVersion')) {
    return { stored: JSON.stringify({ ...object, metadata }), head: undefined, metadata: '', tail: '' };
  }
  const metadataJson = JSON.stringify(metadata);
  let head = '{';
  let tail = '';
  let seenMetadata = false;
  for (const key of Object.keys(object)) {
    const json = key === 'metadata' ? metadataJson : JSON.stringify(object[key]);
    if (json === undefined) continue;
    if (key === 'metadata') {
      head += `${head.length > 1 ? ',' : ''}${JSON.stringify(key)}:`;
      seenMetadata = true;
    } else if (seenMetadata) {
      tail += `,${JSON.stringify(key)}:${json}`;
    } else {
      head += `${head.length > 1 ? ',' : ''}${JSON.stringify(key)}:${json}`;
    }
  }
  tail += '}';
  return { stored: head + metadataJson + tail, head, metadata: metadataJson, tail };
}

/**
 * Remembers the JSON of an object just written with `encoding` and now carrying the store's
 * revision as the last field of its metadata: `encodeBody` of that object takes it once as its
 * answer, and, the object being the watch cache's (it is never changed again), `objectJson` serves
 * it to every watcher without encoding the object again.
 */
export function rememberAnswer(object: KubeObject, encoding: StoredEncoding): void {
  if (encoding.head === undefined) return;
  const metadata = encoding.metadata;
  const revision = `"resourceVersion":${JSON.stringify(object.metadata.resourceVersion)}}`;
  const json = `${encoding.head}${metadata.slice(0, -1)}${metadata.length > 2 ? ',' : ''}${revision}${encoding.tail}`;
  answers.set(object, json);
  rememberObjectJson(object, json);
}

/** A response body as JSON; a list's items come from the memo. */
export function encodeBody(body: unknown): string {
  if (body !== null && typeof body === 'object') {
    const ready = answers.get(body);
    if (ready !== undefined) {
      answers.delete(body);
      return ready;
    }
  }
  if (body !== null && typeof body === 'object' && Array.isArray((body as { items?: unknown }).items)) {
    const { items, ...envelope } = body as { items: object[] };
    const head = JSON.stringify(envelope);
    const parts = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) parts[i] = objectJson(items[i]!);
    return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"items":[${parts.join(',')}]}`;
  }
  return JSON.stringify(body);
}

/** One line of a watch stream. */
export function encodeWatchEvent(event: WatchEvent): string {
  return `{"type":"${event.type}","object":${objectJson(event.object)}}\n`;
}

/**
 * Whether `JSON.parse(JSON.stringify(value))` would give back an equal value: plain objects and
 * arrays only, no undefined (as a field or an array element or hole), no non-finite numbers or
 * -0. Such a value can stand for its decoded JSON (same fields, same order, same prototypes).
 */
export function isJsonRoundTrip(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined || !isJsonRoundTrip(item)) return false;
        }
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      const map = value as Record<string, unknown>;
      for (const key in map) {
        const field = map[key];
        if (field === undefined || !isJsonRoundTrip(field)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
