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

const declaredMeta = new WeakMap<Schema, Map<string, FieldPatchMeta<Schema> | undefined>>();

/**
 * Patch metadata of `field` inside `schema`: merge key, strategies, list and map types, and the
 * value's schema. The answer for a declared property is made once and shared: callers must not
 * change it.
 */
export function patchMetaOf(schema: Schema, field: string): FieldPatchMeta<Schema> | undefined {
  let known = declaredMeta.get(schema);
  if (known?.has(field)) return known.get(field);
  const meta = makePatchMeta(schema, field);
  const properties = resolveSchema(schema).properties;
  if (properties && Object.hasOwn(properties, field)) {
    if (!known) declaredMeta.set(schema, (known = new Map()));
    known.set(field, meta);
  }
  return meta;
}

function makePatchMeta(schema: Schema, field: string): FieldPatchMeta<Schema> | undefined {
  const property = fieldSchema(schema, field);
  if (!property) return undefined;
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
