/**
 * JSON encodings of objects served many times over: an object from the API server's watch cache
 * is encoded once however many lists, HTTP watchers and threads receive it. Only objects that are
 * never mutated after their first encoding may be passed (the watch cache's are not), which is
 * what makes the memo safe.
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

/** Records the JSON of an object that will not change, made without a second encoding (from the stored value it was written as). */
export function rememberObjectJson(object: object, json: string): void {
  encoded.set(object, json);
}
