import { ApiError } from './errors.js';
import { cloneJson } from './json-clone.js';
import type { FieldPatchMeta, PatchSchema } from './strategic-merge-patch-meta.js';

type JsonMap = Record<string, unknown>;

const patchDirective = '$patch';
const retainKeysDirective = '$retainKeys';
const setElementOrderPrefix = '$setElementOrder/';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList/';

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function badPatch(message: string): ApiError {
  return new ApiError('BadRequest', message);
}

function invalidPatch(message: string): ApiError {
  return new ApiError('Invalid', message);
}

/**
 * Applies a strategic merge patch (upstream's `strategicpatch.StrategicMergePatch`) to `original`
 * and returns the result; neither input is changed.
 *
 * Maps merge recursively and `null` deletes a key. A list whose field has the `merge` strategy
 * merges element by element on the field's merge key (or, for primitives, as a union); other
 * lists are replaced. The directives `$patch` (`replace`, `merge`, `delete`), `$retainKeys`,
 * `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>` are honoured. Merge keys and
 * strategies come from `schema`.
 */
export function applyStrategicMergePatch<T>(original: unknown, patch: unknown, schema: PatchSchema<T>): unknown {
  if (!isMap(patch)) throw badPatch('strategic merge patch must be a JSON object');
  const base = isMap(original) ? cloneJson(original) : {};
  return mergeMap(base, patch, schema, schema.root);
}

function mergeMap<T>(original: JsonMap, patch: JsonMap, schema: PatchSchema<T>, type: T | undefined): JsonMap {
  const directive = patch[patchDirective];
  if (directive !== undefined) {
    if (directive === 'replace') return stripDirectives(withoutKey(patch, patchDirective)) as JsonMap;
    if (directive === 'delete') return {};
    if (directive !== 'merge') throw badPatch(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  }
  applyRetainKeys(original, patch);
  for (const [key, value] of Object.entries(patch)) {
    if (key === patchDirective || key === retainKeysDirective) continue;
    if (key.startsWith(deleteFromPrimitiveListPrefix)) {
      deleteFromPrimitiveList(original, key.slice(deleteFromPrimitiveListPrefix.length), value);
      continue;
    }
    if (key.startsWith(setElementOrderPrefix)) {
      const field = key.slice(setElementOrderPrefix.length);
      if (!(field in patch) && Array.isArray(original[field])) {
        original[field] = orderList(original[field] as unknown[], value, [], metaOf(schema, type, field));
      }
      continue;
    }
    if (value === null) {
      delete original[key];
      continue;
    }
    const meta = metaOf(schema, type, key);
    const current = original[key];
    if (current === undefined || current === null) {
      original[key] = stripDirectives(value, schema, meta);
      continue;
    }
    if (isMap(value) && isMap(current)) {
      original[key] = meta.strategies.includes('replace') ? stripDirectives(value, schema, meta) : mergeMap(current, value, schema, meta.type);
    } else if (Array.isArray(value) && Array.isArray(current)) {
      const merged = meta.strategies.includes('merge') ? mergeList(current, value, schema, meta) : stripDirectives(value, schema, meta);
      const order = patch[setElementOrderPrefix + key];
      original[key] = order === undefined ? merged : orderList(merged as unknown[], order, current, meta);
    } else {
      original[key] = stripDirectives(value, schema, meta);
    }
  }
  return original;
}

function metaOf<T>(schema: PatchSchema<T>, type: T | undefined, field: string): FieldPatchMeta<T> {
  if (type === undefined) return { strategies: [] };
  return schema.lookup(type, field) ?? { strategies: [] };
}

function withoutKey(map: JsonMap, key: string): JsonMap {
  const { [key]: _dropped, ...rest } = map;
  return rest;
}

/** A patch value placed where the original has nothing: directives removed, nulls dropped. */
function stripDirectives<T>(value: unknown, schema?: PatchSchema<T>, meta?: FieldPatchMeta<T>): unknown {
  if (Array.isArray(value)) {
    return value
      .filter((e) => !(isMap(e) && (e[patchDirective] === 'delete' || (Object.keys(e).length === 1 && e[patchDirective] !== undefined))))
      .map((e) => stripDirectives(e, schema, meta ? { strategies: [], type: meta.type } : undefined));
  }
  if (!isMap(value)) return cloneJson(value);
  if (schema && meta) return mergeMap({}, value, schema, meta.type);
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$') || v === null) continue;
    out[k] = stripDirectives(v);
  }
  return out;
}

function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  const retain = patch[retainKeysDirective];
  if (retain === undefined) return;
  if (!Array.isArray(retain)) throw badPatch(`invalid patch: ${retainKeysDirective} must be a list, got ${JSON.stringify(retain)}`);
  const keep = new Set(retain.map(String));
  for (const key of Object.keys(patch)) {
    if (key.startsWith('$') || patch[key] === null) continue;
    if (!keep.has(key)) throw invalidPatch(`The patch has the value of field "${key}", but the field is not in ${retainKeysDirective}: ${JSON.stringify(retain)}`);
  }
  for (const key of Object.keys(original)) if (!keep.has(key)) delete original[key];
}

function deleteFromPrimitiveList(original: JsonMap, field: string, values: unknown): void {
  if (!Array.isArray(values)) throw badPatch(`invalid patch: ${deleteFromPrimitiveListPrefix}${field} must be a list`);
  const current = original[field];
  if (!Array.isArray(current)) return;
  original[field] = current.filter((item) => !values.some((v) => v === item));
}

function mergeList<T>(original: unknown[], patch: unknown[], schema: PatchSchema<T>, meta: FieldPatchMeta<T>): unknown[] {
  const mergeKey = meta.mergeKey;
  const directives = patch.filter((e) => isMap(e) && e[patchDirective] !== undefined);
  for (const d of directives) {
    const kind = (d as JsonMap)[patchDirective];
    if (kind === 'replace') return stripDirectives(patch.filter((e) => e !== d), schema, meta) as unknown[];
    if (kind !== 'delete' && kind !== 'merge') throw badPatch(`Unknown patch type: ${String(kind)} in map: ${JSON.stringify(d)}`);
  }
  if (!mergeKey) {
    if (patch.some(isMap)) return stripDirectives(patch, schema, meta) as unknown[];
    const out = [...original];
    for (const item of patch) if (!out.some((o) => o === item)) out.push(item);
    return out;
  }
  const out = original.map((e) => cloneJson(e));
  for (const item of patch) {
    if (!isMap(item)) throw badPatch(`invalid patch: list items of a merge list must be objects, got ${JSON.stringify(item)}`);
    const key = item[mergeKey];
    if (key === undefined) {
      if (item[patchDirective] !== undefined && Object.keys(item).length === 1) continue;
      throw badPatch(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    }
    const at = out.findIndex((o) => isMap(o) && o[mergeKey] === key);
    if (item[patchDirective] === 'delete') {
      for (let i = out.length - 1; i >= 0; i--) if (isMap(out[i]) && (out[i] as JsonMap)[mergeKey] === key) out.splice(i, 1);
      continue;
    }
    if (at >= 0 && isMap(out[at])) out[at] = mergeMap(out[at] as JsonMap, item, schema, meta.type);
    else out.push(mergeMap({}, item, schema, meta.type));
  }
  return out;
}

/**
 * Orders `list` as `$setElementOrder` says: the listed elements in the listed order, the others
 * (present only on the server) kept at their relative place.
 */
function orderList<T>(list: unknown[], order: unknown, serverList: unknown[], meta: FieldPatchMeta<T>): unknown[] {
  if (!Array.isArray(order)) throw badPatch(`invalid patch: ${setElementOrderPrefix} value must be a list`);
  const mergeKey = meta.mergeKey;
  const keyOf = (e: unknown): unknown => (mergeKey && isMap(e) ? e[mergeKey] : e);
  const orderKeys = order.map(keyOf);
  const rank = (e: unknown): number => orderKeys.findIndex((k) => isDeepEqual(k, keyOf(e)));
  const listed = list.filter((e) => rank(e) >= 0).sort((a, b) => rank(a) - rank(b));
  const serverOnly = list.filter((e) => rank(e) < 0);
  const serverIndex = (e: unknown): number => {
    const source = serverList.length ? serverList : list;
    return source.findIndex((s) => isDeepEqual(keyOf(s), keyOf(e)));
  };
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < listed.length && j < serverOnly.length) {
    const a = serverIndex(listed[i]);
    if (a >= 0 && a < serverIndex(serverOnly[j])) out.push(listed[i++]);
    else if (a < 0) out.push(listed[i++]);
    else out.push(serverOnly[j++]);
  }
  return [...out, ...listed.slice(i), ...serverOnly.slice(j)];
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
