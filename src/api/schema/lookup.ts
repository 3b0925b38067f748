import type { FieldPatchMeta, PatchSchema } from '../strategic-merge-patch-meta.js';
import { definitionNameOf, definitions } from './definitions.js';
import type { Schema } from './schema-types.js';

/** The schema of a kind (`schemaOf('apps', 'v1', 'Deployment')`), or undefined when Skiff has none. */
export function schemaOf(group: string, version: string, kind: string): Schema | undefined {
  const name = definitionNameOf(group, version, kind);
  return name ? definitions[name] : undefined;
}

/** The definition a `$ref` names; any other schema as it is. */
export function resolveSchema(schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const target = definitions[schema.$ref];
  if (!target) throw new Error(`schema refers to an unknown definition ${schema.$ref}`);
  return target;
}

/**
 * The schema of `field` inside an object or map schema (following `$ref`s), or undefined when the
 * schema has no such field. For a map (`additionalProperties`) every key has the value schema.
 */
export function fieldSchema(schema: Schema, field: string): Schema | undefined {
  const resolved = resolveSchema(schema);
  const property = resolved.properties?.[field];
  if (property) return property;
  if (typeof resolved.additionalProperties === 'object') return resolved.additionalProperties;
  return undefined;
}

/** A schema's list element when it is an array, else the schema itself, `$ref`s followed. */
export function elementSchema(schema: Schema): Schema {
  const resolved = resolveSchema(schema);
  return resolved.type === 'array' && resolved.items ? resolveSchema(resolved.items) : resolved;
}

/** Per object schema: the patch metadata of each declared property, and the one every other key of a map shares. */
interface KnownMeta {
  declared: Map<string, FieldPatchMeta<Schema> | undefined>;
  /** null until asked for */
  other: FieldPatchMeta<Schema> | undefined | null;
}

const knownMeta = new WeakMap<Schema, KnownMeta>();

/**
 * Patch metadata of `field` inside `schema`: merge key, strategies, list and map types, and the
 * value's schema. The answer is made once per declared property (and once for all the other keys
 * of a map) and shared: callers must not change it.
 */
export function patchMetaOf(schema: Schema, field: string): FieldPatchMeta<Schema> | undefined {
  let known = knownMeta.get(schema);
  if (!known) knownMeta.set(schema, (known = { declared: new Map(), other: null }));
  const declared = known.declared.get(field);
  if (declared !== undefined || known.declared.has(field)) return declared;
  const resolved = resolveSchema(schema);
  const properties = resolved.properties;
  if (properties && Object.hasOwn(properties, field)) {
    const meta = makePatchMeta(properties[field]);
    known.declared.set(field, meta);
    return meta;
  }
  if (known.other === null) known.other = typeof resolved.additionalProperties === 'object' ? makePatchMeta(resolved.additionalProperties) : undefined;
  return known.other;
}

function makePatchMeta(property: Schema): FieldPatchMeta<Schema> {
  const value = elementSchema(property);
  const strategy = property['x-kubernetes-patch-strategy'];
  const meta: FieldPatchMeta<Schema> = { strategies: strategy ? strategy.split(',') : [], type: value };
  if (property['x-kubernetes-patch-merge-key']) meta.mergeKey = property['x-kubernetes-patch-merge-key'];
  if (property['x-kubernetes-list-type']) meta.listType = property['x-kubernetes-list-type'];
  if (property['x-kubernetes-list-map-keys']) meta.listMapKeys = property['x-kubernetes-list-map-keys'];
  const mapType = property['x-kubernetes-map-type'] ?? value['x-kubernetes-map-type'];
  if (mapType) meta.mapType = mapType;
  return meta;
}

/**
 * The schema-derived patch schema of a kind for strategic merge patch and server-side apply
 * (`applyStrategicMergePatch(obj, patch, patchSchemaOf('apps', 'v1', 'Deployment')!)`), or
 * undefined when Skiff has no schema for the kind.
 */
export function patchSchemaOf(group: string, version: string, kind: string): PatchSchema<Schema> | undefined {
  const root = schemaOf(group, version, kind);
  return root ? { root, lookup: patchMetaOf } : undefined;
}
