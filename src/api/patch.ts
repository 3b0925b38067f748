import { ApiError } from './errors.js';
import { cloneJson } from './json-clone.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Applies an RFC 7386 JSON merge patch: objects merge key by key, `null` removes a key, anything
 * else (arrays included) replaces. Returns a new value; neither input is changed.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return cloneJson(patch);
  return mergeIntoCopy(isObject(target) ? cloneJson(target) : {}, patch);
}

/** Merges into `out`, a copy this patch owns, so nested levels are not copied again. */
function mergeIntoCopy(out: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObject(v)) out[k] = mergeIntoCopy(isObject(out[k]) ? out[k] : {}, v);
    else out[k] = cloneJson(v);
  }
  return out;
}

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

function unprocessable(message: string): ApiError {
  return new ApiError('Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message }],
  });
}

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new Error('pointer');
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

interface Location {
  parent: Record<string, unknown> | unknown[];
  key: string;
}

function locate(doc: unknown, tokens: string[]): Location | undefined {
  let cur: unknown = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i];
    if (Array.isArray(cur)) {
      const idx = arrayIndex(t, cur.length - 1);
      if (idx === undefined) return undefined;
      cur = cur[idx];
    } else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, t)) {
      cur = cur[t];
    } else {
      return undefined;
    }
  }
  if (!Array.isArray(cur) && !isObject(cur)) return undefined;
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function arrayIndex(t: string, max: number): number | undefined {
  if (!/^(0|[1-9]\d*)$/.test(t)) return undefined;
  const n = Number(t);
  return n <= max ? n : undefined;
}

function getAt(loc: Location): { found: boolean; value?: unknown } {
  if (Array.isArray(loc.parent)) {
    const i = arrayIndex(loc.key, loc.parent.length - 1);
    return i === undefined ? { found: false } : { found: true, value: loc.parent[i] };
  }
  return Object.prototype.hasOwnProperty.call(loc.parent, loc.key) ? { found: true, value: loc.parent[loc.key] } : { found: false };
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Checks the shape of a JSON patch document; throws ApiError BadRequest when it is not one. */
export function decodeJsonPatch(ops: unknown): JsonPatchOperation[] {
  if (!Array.isArray(ops)) throw new ApiError('BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  for (const op of ops) {
    if (!isObject(op)) throw new ApiError('BadRequest', 'json: cannot unmarshal non-object into Go value of type jsonpatch.Operation');
  }
  return ops as JsonPatchOperation[];
}

/**
 * Applies an RFC 6902 JSON patch and returns the new document; the inputs are not changed.
 * A document that is not a patch answers BadRequest; an operation that cannot apply (missing
 * path, failed `test`) answers 422 with the json-patch library's wording as the cause, as the
 * kube-apiserver does.
 */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  let doc = cloneJson(target) as Json;
  for (const op of decodeJsonPatch(ops)) {
    const path = op.path;
    if (typeof path !== 'string') throw unprocessable('operation missing path field: missing value');
    let tokens: string[];
    try {
      tokens = parsePointer(path);
    } catch {
      throw unprocessable(`${op.op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
    }
    switch (op.op) {
      case 'add':
        if (!('value' in op)) throw unprocessable('add operation, missing value field: missing value');
        doc = add(doc, tokens, cloneJson(op.value) as Json, () => `add operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
        break;
      case 'remove':
        doc = remove(doc, tokens, () => `remove operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`).doc;
        break;
      case 'replace': {
        if (!('value' in op)) throw unprocessable('replace operation, missing value field: missing value');
        if (tokens.length === 0) {
          doc = cloneJson(op.value) as Json;
          break;
        }
        const loc = locate(doc, tokens);
        if (!loc || !getAt(loc).found) throw unprocessable(`replace operation does not apply: doc is missing key: ${path}: missing value`);
        if (Array.isArray(loc.parent)) loc.parent[Number(loc.key)] = cloneJson(op.value);
        else loc.parent[loc.key] = cloneJson(op.value);
        break;
      }
      case 'move':
      case 'copy': {
        const from = op.from;
        if (typeof from !== 'string') throw unprocessable(`${op.op} operation missing from field: missing value`);
        let fromTokens: string[];
        try {
          fromTokens = parsePointer(from);
        } catch {
          throw unprocessable(`${op.op} operation does not apply: doc is missing from path: ${from}: missing value`);
        }
        let value: Json;
        if (op.op === 'move') {
          const removed = remove(doc, fromTokens, () => `move operation does not apply: doc is missing from path: ${from}: missing value`);
          doc = removed.doc;
          value = removed.value;
        } else {
          const loc = fromTokens.length ? locate(doc, fromTokens) : undefined;
          const got = fromTokens.length === 0 ? { found: true, value: doc } : loc ? getAt(loc) : { found: false };
          if (!got.found) throw unprocessable(`copy operation does not apply: doc is missing from path: ${JSON.stringify(from)}: missing value`);
          value = cloneJson(got.value) as Json;
        }
        doc = add(doc, tokens, value, () => `${op.op} operation does not apply: doc is missing destination path: ${path}: missing value`);
        break;
      }
      case 'test': {
        const loc = tokens.length ? locate(doc, tokens) : undefined;
        const got = tokens.length === 0 ? { found: true, value: doc } : loc ? getAt(loc) : { found: false };
        const expected = op.value === undefined ? null : op.value;
        if (!got.found ? expected !== null : !deepEqual(got.value, expected)) throw unprocessable(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        throw unprocessable(`Unexpected kind: ${String((op as { op: unknown }).op)}`);
    }
  }
  return doc;
}

function add(doc: Json, tokens: string[], value: Json, missing: () => string): Json {
  if (tokens.length === 0) return value;
  const loc = locate(doc, tokens);
  if (!loc) throw unprocessable(missing());
  if (Array.isArray(loc.parent)) {
    const idx = loc.key === '-' ? loc.parent.length : arrayIndex(loc.key, loc.parent.length);
    if (idx === undefined) throw unprocessable(`Unable to access invalid index: ${loc.key}: invalid index referenced`);
    loc.parent.splice(idx, 0, value);
  } else {
    loc.parent[loc.key] = value;
  }
  return doc;
}

function remove(doc: Json, tokens: string[], missing: () => string): { doc: Json; value: Json } {
  if (tokens.length === 0) return { doc: null, value: doc };
  const loc = locate(doc, tokens);
  if (!loc) throw unprocessable(missing());
  if (Array.isArray(loc.parent)) {
    const idx = arrayIndex(loc.key, loc.parent.length - 1);
    if (idx === undefined) throw unprocessable(`Unable to access invalid index: ${loc.key}: invalid index referenced`);
    return { doc, value: loc.parent.splice(idx, 1)[0] as Json };
  }
  if (!Object.prototype.hasOwnProperty.call(loc.parent, loc.key)) throw unprocessable(`unable to remove nonexistent key: ${loc.key}: missing value`);
  const value = loc.parent[loc.key] as Json;
  delete loc.parent[loc.key];
  return { doc, value };
}
