import { isDeepStrictEqual } from 'node:util';
import { ApiError } from './errors.js';
import { decodeManagedFields, describeManager, encodeManagedFields, sameManager, type ManagerFields } from './managed-fields.js';
import { FieldSet, fieldSetOf, keyElement, type FieldOmissions, listShape, pathString, removeAt, valueAt } from './managed-fields-set.js';
import type { KubeObject, StatusCause } from './object.js';
import type { PatchSchema } from './strategic-merge-patch-meta.js';

/** Who writes, and how the kind's fields are shaped. */
export interface FieldManagerOptions<T> {
  manager: string;
  /** the group/version the write used, e.g. `apps/v1` */
  apiVersion: string;
  /** RFC 3339 time of the write */
  time: string;
  /** '' for the main resource, else `status`, `scale` … */
  subresource?: string;
  /** whether the kind has a status subresource: then the main resource's writes own no status field */
  hasStatus?: boolean;
  schema: PatchSchema<T>;
}

type JsonMap = Record<string, unknown>;

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const serverOwnedMetadata = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'];

const serverOwned: FieldOmissions = new Map<string, true | FieldOmissions>([
  ['apiVersion', true],
  ['kind', true],
  ['metadata', new Map(serverOwnedMetadata.map((f) => [f, true] as const))],
]);
const serverOwnedAndStatus: FieldOmissions = new Map([...serverOwned, ['status', true]]);

/** The fields of `object` that managers can own: no apiVersion, kind, server-owned metadata or (per subresource) status. */
function ownableFields<T>(object: unknown, options: FieldManagerOptions<T>): FieldSet {
  if (options.subresource === 'status') {
    return fieldSetOf(isMap(object) && Object.hasOwn(object, 'status') ? { status: object.status } : {}, options.schema);
  }
  const set = fieldSetOf(object, options.schema, options.hasStatus ? serverOwnedAndStatus : serverOwned);
  const meta = set.children.get('f:metadata');
  if (meta && meta.children.size === 0 && !meta.member) set.children.delete('f:metadata');
  return set;
}

function isElement(path: readonly string[]): boolean {
  const last = path[path.length - 1] ?? '';
  return last.startsWith('k:') || last.startsWith('v:') || last.startsWith('i:');
}

/** The paths of `after` whose value is new or different from `before`. */
function changedFields(before: unknown, after: unknown, candidates: FieldSet): FieldSet {
  const out = new FieldSet();
  for (const p of candidates.paths()) {
    const old = valueAt(before, p);
    if (old === undefined || (!isElement(p) && !isDeepStrictEqual(old, valueAt(after, p)))) out.insert(p);
  }
  return out;
}

function managersOf(object: KubeObject | undefined): ManagerFields[] {
  return decodeManagedFields(object?.metadata?.managedFields);
}

/**
 * Records a non-apply write (create, update, patch) by `options.manager` as an `Update` entry:
 * the manager takes every field the write added or changed from the other managers, and fields
 * the write removed leave every manager. Sets `next.metadata.managedFields`.
 */
export function trackUpdate<T>(old: KubeObject | undefined, next: KubeObject, options: FieldManagerOptions<T>): void {
  if (!old) {
    const created = ownableFields(next, options);
    const entry = { manager: options.manager, operation: 'Update' as const, apiVersion: options.apiVersion, subresource: options.subresource || undefined, time: options.time, fields: created };
    setManagedFields(next, created.empty ? [] : [entry]);
    return;
  }
  const managers = managersOf(old);
  const before = old ? ownableFields(old, options) : new FieldSet();
  const after = ownableFields(next, options);
  const changed = changedFields(old, next, after);
  const removed = before.difference(after);
  const self = { manager: options.manager, operation: 'Update' as const, apiVersion: options.apiVersion, subresource: options.subresource || undefined };
  let mine = managers.find((m) => sameManager(m, self));
  for (const m of managers) if (m !== mine) m.fields = m.fields.difference(changed).difference(removed);
  if (!changed.empty) {
    if (!mine) managers.push((mine = { ...self, fields: new FieldSet() }));
    mine.fields = mine.fields.union(changed).difference(removed);
    mine.time = options.time;
  } else if (mine) {
    mine.fields = mine.fields.difference(removed);
  }
  setManagedFields(next, managers);
}

function setManagedFields(object: KubeObject, managers: ManagerFields[]): void {
  const encoded = encodeManagedFields(managers);
  if (encoded.length > 0) object.metadata.managedFields = encoded;
  else delete object.metadata.managedFields;
}

/**
 * Server-side apply (structured-merge-diff's `Apply`): merges `config` into `live` (creating the
 * object when `live` is undefined), answers 409 when it would change a field another manager owns
 * unless `force`, makes the applier the owner of exactly the fields in `config`, and removes the
 * fields it applied before, no longer applies, and nobody else owns. Returns the new object with
 * its managedFields.
 */
export function serverSideApply<T>(live: KubeObject | undefined, config: KubeObject, options: FieldManagerOptions<T> & { force: boolean }): KubeObject {
  const cleanConfig = structuredClone(config);
  delete cleanConfig.metadata.managedFields;
  const configFields = ownableFields(cleanConfig, options);
  const self = { manager: options.manager, operation: 'Apply' as const, apiVersion: options.apiVersion, time: options.time, subresource: options.subresource || undefined };
  if (!live) {
    setManagedFields(cleanConfig, [{ ...self, fields: configFields }]);
    return cleanConfig;
  }
  let managers = managersOf(live);
  if (managers.length === 0) {
    managers = [{ manager: 'before-first-apply', operation: 'Update', apiVersion: options.apiVersion, time: options.time, fields: ownableFields(live, options) }];
  }
  const merged = mergeApplied(live, cleanConfig, options.schema, options.schema.root) as KubeObject;
  merged.metadata.managedFields = live.metadata.managedFields;
  const changed = changedFields(live, merged, configFields);
  const previous = managers.find((m) => sameManager(m, self));
  const others = managers.filter((m) => m !== previous);
  const conflicts: { manager: ManagerFields; path: string[] }[] = [];
  for (const m of others) for (const p of m.fields.intersection(changed).paths()) conflicts.push({ manager: m, path: p });
  if (conflicts.length > 0 && !options.force) throw conflictError(conflicts);
  for (const m of others) m.fields = m.fields.difference(changed);
  const stillOwned = others.reduce((acc, m) => acc.union(m.fields), new FieldSet());
  const dropped = previous ? previous.fields.difference(configFields) : new FieldSet();
  for (const p of dropped.paths().reverse()) {
    if (!hasPrefix(stillOwned, p)) removeAt(merged, p);
  }
  const mine = { ...self, fields: configFields };
  setManagedFields(merged, [...others, mine]);
  return merged;
}

function hasPrefix(set: FieldSet, path: readonly string[]): boolean {
  let node: FieldSet | undefined = set;
  for (const e of path) {
    node = node.children.get(e);
    if (!node) return false;
  }
  return true;
}

function conflictError(conflicts: { manager: ManagerFields; path: string[] }[]): ApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.manager)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const name = describeManager(c.manager);
      byManager.set(name, [...(byManager.get(name) ?? []), pathString(c.path)]);
    }
    const lines: string[] = [];
    for (const name of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${name}:`);
      for (const p of byManager.get(name)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError('Conflict', message, { causes });
}

/** Structured merge: config wins; keyed lists merge by key, set lists unite, atomic values are replaced. */
function mergeApplied<T>(live: unknown, config: unknown, schema: PatchSchema<T>, type: T | undefined): unknown {
  if (!isMap(live) || !isMap(config)) return structuredClone(config);
  const out = structuredClone(live);
  for (const [field, value] of Object.entries(config)) {
    const meta = type === undefined ? undefined : schema.lookup(type, field);
    const current = out[field];
    if (value === null) {
      delete out[field];
    } else if (isMap(value) && isMap(current) && meta?.mapType !== 'atomic') {
      out[field] = mergeApplied(current, value, schema, meta?.type);
    } else if (Array.isArray(value) && Array.isArray(current)) {
      out[field] = mergeList(current, value, schema, meta);
    } else {
      out[field] = structuredClone(value);
    }
  }
  return out;
}

function mergeList<T>(live: unknown[], config: unknown[], schema: PatchSchema<T>, meta: ReturnType<PatchSchema<T>['lookup']>): unknown[] {
  const shape = listShape(meta);
  if (shape.kind === 'atomic') return structuredClone(config);
  const out = structuredClone(live);
  for (const item of config) {
    if (shape.kind === 'set' || !isMap(item)) {
      if (!out.some((x) => isDeepStrictEqual(x, item))) out.push(structuredClone(item));
      continue;
    }
    const key = keyElement(item, shape.keys);
    const at = out.findIndex((x) => isMap(x) && keyElement(x, shape.keys) === key);
    if (at >= 0) out[at] = mergeApplied(out[at], item, schema, meta?.type);
    else out.push(structuredClone(item));
  }
  return out;
}
