/** A deep copy of JSON data (objects as parsed from a request or the store); undefined stays undefined. */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}
