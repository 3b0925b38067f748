import type { WatchEvent } from '../api/index.js';

/**
 * JSON encodings of objects served many times over: an object from the watch cache is encoded
 * once however many lists and watchers send it. Objects handed out by the cache are never
 * mutated, which is what makes the memo safe.
 */
const encoded = new WeakMap<object, string>();

/** The object's JSON, encoded once per object (memoized by identity). */
export function objectJson(object: object): string {
  let json = encoded.get(object);
  if (json === undefined) {
    json = JSON.stringify(object);
    encoded.set(object, json);
  }
  return json;
}

/** A response body as JSON; a list's items come from the memo. */
export function encodeBody(body: unknown): string {
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
