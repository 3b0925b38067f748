import type { PatchSchema } from './strategic-merge-patch-meta.js';

/**
 * A set of field paths (structured-merge-diff's `fieldpath.Set`) as a tree. Each child is named
 * by its path element in upstream's FieldsV1 spelling: `f:<field>`, `k:<json of the key fields>`
 * for an element of a keyed list, `v:<json value>` for an element of a set list, `i:<index>`.
 * `member` says the path ending at this node is itself in the set.
 */
export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  child(element: string): FieldSet {
    let c = this.children.get(element);
    if (!c) this.children.set(element, (c = new FieldSet()));
    return c;
  }

  /** Adds a path (a list of path elements). */
  insert(path: readonly string[]): void {
    let node: FieldSet = this;
    for (const e of path) node = node.child(e);
    node.member = true;
  }

  has(path: readonly string[]): boolean {
    let node: FieldSet | undefined = this;
    for (const e of path) {
      node = node.children.get(e);
      if (!node) return false;
    }
    return node.member;
  }

  get empty(): boolean {
    return !this.member && this.children.size === 0;
  }

  /** Every member path, parents before children. */
  paths(prefix: string[] = []): string[][] {
    const out: string[][] = this.member ? [prefix] : [];
    for (const [e, c] of this.children) out.push(...c.paths([...prefix, e]));
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = this.copy();
    for (const p of other.paths()) out.insert(p);
    return out;
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const p of this.paths()) if (!other.has(p)) out.insert(p);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const p of this.paths()) if (other.has(p)) out.insert(p);
    return out;
  }

  copy(): FieldSet {
    const out = new FieldSet();
    for (const p of this.paths()) out.insert(p);
    return out;
  }

  /** The FieldsV1 JSON form: `{"f:spec":{"f:replicas":{}}}`, with `".": {}` for a member that has children. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const size = this.children.size;
    if (size === 0) return out;
    if (this.member) out['.'] = {};
    if (size === 1) {
      for (const [e, c] of this.children) out[e] = c.toFieldsV1();
      return out;
    }
    const names = [...this.children.keys()].sort();
    for (const e of names) out[e] = this.children.get(e)!.toFieldsV1();
    return out;
  }

  /** Reads a FieldsV1 JSON value. */
  static fromFieldsV1(value: unknown): FieldSet {
    const set = new FieldSet();
    const walk = (node: FieldSet, v: unknown): void => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
      for (const [k, child] of Object.entries(v)) {
        if (k === '.') {
          node.member = true;
          continue;
        }
        const c = node.child(k);
        const entries = typeof child === 'object' && child !== null ? Object.keys(child) : [];
        if (entries.length === 0) c.member = true;
        walk(c, child);
      }
    };
    walk(set, value);
    return set;
  }
}

/** Upstream's printed form of a path: `.spec.template.spec.containers[name="c"].image`. */
export function pathString(path: readonly string[]): string {
  return path
    .map((e) => {
      const body = e.slice(2);
      if (e.startsWith('f:')) return `.${body}`;
      if (e.startsWith('v:')) return `[=${body}]`;
      if (e.startsWith('i:')) return `[${body}]`;
      const key = JSON.parse(body) as Record<string, unknown>;
      return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    })
    .join('');
}

type JsonMap = Record<string, unknown>;

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How server-side apply treats a list field, from its patch metadata. */
export interface ListShape {
  kind: 'atomic' | 'set' | 'map';
  keys: readonly string[];
}

/** The list shape of a field: keyed by its map keys, a set of primitives, or atomic. */
export function listShape(meta: { mergeKey?: string; strategies: readonly string[]; listType?: string; listMapKeys?: readonly string[] } | undefined): ListShape {
  if (!meta) return { kind: 'atomic', keys: [] };
  if (meta.listType === 'atomic') return { kind: 'atomic', keys: [] };
  const keys = meta.listMapKeys ?? (meta.mergeKey ? [meta.mergeKey] : []);
  if (meta.listType === 'map' || (meta.listType === undefined && keys.length > 0 && meta.strategies.includes('merge'))) return { kind: 'map', keys };
  if (meta.listType === 'set' || (meta.listType === undefined && meta.strategies.includes('merge'))) return { kind: 'set', keys: [] };
  return { kind: 'atomic', keys: [] };
}

/** Key fields that upstream's schemas give a default, so an element that omits one still matches. */
const keyDefaults: Record<string, unknown> = { protocol: 'TCP' };

/** The path element of a keyed list's element: `k:{"name":"c"}` (key fields sorted by name). */
export function keyElement(item: JsonMap, keys: readonly string[]): string {
  const key: JsonMap = {};
  for (const k of [...keys].sort()) {
    const value = item[k] ?? (keys.length > 1 ? keyDefaults[k] : undefined);
    if (value !== undefined) key[k] = value;
  }
  return `k:${JSON.stringify(key)}`;
}

/**
 * Top-level fields to leave out of a field set: `true` leaves the field out, a nested map leaves
 * out some of its fields (ownable fields leave out apiVersion, kind and server-owned metadata).
 */
export type FieldOmissions = ReadonlyMap<string, true | FieldOmissions>;

/**
 * The fields an object sets (structured-merge-diff's `ToFieldSet`): every scalar, every element
 * of a keyed or set list, every entry of a map; atomic lists, atomic maps, empty maps and nulls
 * as one leaf. Fields named in `omit` are not walked (a field map left with no children stays
 * as an empty, non-member node).
 */
export function fieldSetOf<T>(value: unknown, schema: PatchSchema<T>, omit?: FieldOmissions): FieldSet {
  const set = new FieldSet();
  walkFields(value, schema, schema.root, set, omit);
  return set;
}

const shapes = new WeakMap<object, ListShape>();

function shapeOf(meta: Parameters<typeof listShape>[0]): ListShape {
  if (!meta) return listShape(meta);
  let shape = shapes.get(meta);
  if (!shape) shapes.set(meta, (shape = listShape(meta)));
  return shape;
}

function walkFields<T>(value: unknown, schema: PatchSchema<T>, type: T | undefined, node: FieldSet, omit: FieldOmissions | undefined): void {
  if (!isMap(value)) return;
  for (const field of Object.keys(value)) {
    const skip = omit?.get(field);
    if (skip === true) continue;
    const child = value[field];
    const meta = type === undefined ? undefined : schema.lookup(type, field);
    const element = `f:${field}`;
    if (isMap(child)) {
      if (meta?.mapType === 'atomic' || isEmptyMap(child)) node.child(element).member = true;
      else walkFields(child, schema, meta?.type, node.child(element), skip);
    } else if (Array.isArray(child)) {
      const shape = shapeOf(meta);
      if (shape.kind === 'atomic' || child.length === 0) {
        node.child(element).member = true;
        continue;
      }
      const list = node.child(element);
      for (const item of child) {
        if (shape.kind === 'map' && isMap(item)) {
          const itemNode = list.child(keyElement(item, shape.keys));
          itemNode.member = true;
          walkFields(item, schema, meta?.type, itemNode, undefined);
        } else {
          list.child(`v:${JSON.stringify(item)}`).member = true;
        }
      }
    } else {
      node.child(element).member = true;
    }
  }
}

function isEmptyMap(map: JsonMap): boolean {
  for (const _ in map) if (Object.hasOwn(map, _)) return false;
  return true;
}

/** The value at a path in an object, or undefined when the path is not there. */
export function valueAt(object: unknown, path: readonly string[]): unknown {
  let cur: unknown = object;
  for (const e of path) {
    cur = stepInto(cur, e);
    if (cur === undefined) return undefined;
  }
  return cur;
}

function stepInto(cur: unknown, e: string): unknown {
  const body = e.slice(2);
  if (e.startsWith('f:')) return isMap(cur) ? cur[body] : undefined;
  if (!Array.isArray(cur)) return undefined;
  if (e.startsWith('i:')) return cur[Number(body)];
  if (e.startsWith('v:')) return cur.find((x) => JSON.stringify(x) === body);
  const keys = Object.keys(JSON.parse(body) as JsonMap);
  return cur.find((x) => isMap(x) && keyElement(x, keys) === e);
}

/** Removes the value at a path (a field, or a list element); does nothing when it is absent. */
export function removeAt(object: unknown, path: readonly string[]): void {
  if (path.length === 0) return;
  const parent = valueAt(object, path.slice(0, -1));
  const last = path[path.length - 1];
  if (last.startsWith('f:')) {
    if (isMap(parent)) delete parent[last.slice(2)];
    return;
  }
  if (!Array.isArray(parent)) return;
  const item = stepInto(parent, last);
  const at = parent.indexOf(item);
  if (at >= 0) parent.splice(at, 1);
}
