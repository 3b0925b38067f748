import { resolveSchema } from './lookup.js';
import type { Schema } from './schema-types.js';

/** What `pruneUnknownFields` found; unknown fields are gone from the value when it returns. */
export interface PruneResult {
  unknown: string[];
  typeErrors: string[];
}

const intOrString = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const quantity = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

function jsonKind(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

function goTypeOf(schema: Schema): string {
  if (schema.$ref === intOrString) return 'intstr.IntOrString';
  if (schema.$ref === quantity) return 'resource.Quantity';
  if (schema.$ref) {
    const parts = schema.$ref.split('.');
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  switch (schema.type) {
    case 'string':
      return schema.format === 'byte' ? '[]uint8' : 'string';
    case 'boolean':
      return 'bool';
    case 'integer':
      return schema.format ?? 'int64';
    case 'number':
      return 'float64';
    case 'array':
      return `[]${schema.items ? goTypeOf(schema.items) : 'interface {}'}`;
    default:
      return typeof schema.additionalProperties === 'object' ? `map[string]${goTypeOf(schema.additionalProperties)}` : 'map[string]interface {}';
  }
}

interface Walk {
  unknown: string[];
  typeErrors: string[];
  prune: boolean;
  /** keys and list indexes from the root to the value being visited */
  path: (string | number)[];
  /** the struct field names among them */
  goPath: string[];
}

function typeMismatch(value: unknown, schema: Schema): boolean {
  if (value === null) return false;
  if (schema.$ref === intOrString || schema.$ref === quantity) return typeof value !== 'string' && typeof value !== 'number';
  const resolved = resolveSchema(schema);
  if (resolved['x-kubernetes-preserve-unknown-fields']) return false;
  switch (resolved.type) {
    case 'string':
      return typeof value !== 'string';
    case 'boolean':
      return typeof value !== 'boolean';
    case 'integer':
      return typeof value !== 'number' || !Number.isInteger(value);
    case 'number':
      return typeof value !== 'number';
    case 'array':
      return !Array.isArray(value);
    case 'object':
      return typeof value !== 'object' || Array.isArray(value);
  }
  return false;
}

/** The JSON path of the value being visited (`spec.containers[0].image`), made only when reported. */
function pathString(walk: Walk): string {
  let out = '';
  for (const segment of walk.path) out = typeof segment === 'number' ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment;
  return out;
}

/** The Go field path of the value being visited (list indexes and map keys left out). */
function goPathString(walk: Walk): string {
  let out = '';
  for (const segment of walk.goPath) out = out ? `${out}.${segment}` : segment;
  return out;
}

const base64Alphabet = /[A-Za-z0-9+/]/;

/**
 * Where Go's padded standard base64 decoder gives up on `text` (the byte offset its
 * CorruptInputError names), or undefined when it decodes. Line breaks are skipped, as Go does.
 */
export function base64ErrorAt(text: string): number | undefined {
  let inQuantum = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n' || c === '\r') continue;
    if (c === '=') {
      if (inQuantum < 2) return i;
      let pad = 1;
      for (let k = i + 1; k < text.length; k++) {
        const d = text[k]!;
        if (d === '\n' || d === '\r') continue;
        if (d === '=' && inQuantum + pad < 4) {
          pad++;
          continue;
        }
        // a second '=' missing is reported one byte early, as Go does; anything after the padding where it is
        return inQuantum + pad < 4 ? k - 1 : k;
      }
      return inQuantum + pad === 4 ? undefined : text.length;
    }
    if (!base64Alphabet.test(c)) return i;
    inQuantum = (inQuantum + 1) % 4;
  }
  return inQuantum === 0 ? undefined : text.length - inQuantum;
}

function visit(value: unknown, schema: Schema, owner: string, walk: Walk): void {
  if (value === null || value === undefined) return;
  if (typeMismatch(value, schema)) {
    const shown = typeof value === 'number' ? `number ${value}` : jsonKind(value);
    walk.typeErrors.push(`json: cannot unmarshal ${shown} into Go struct field ${owner}.${goPathString(walk)} of type ${goTypeOf(schema)}`);
    return;
  }
  if (schema.$ref === intOrString || schema.$ref === quantity) return;
  const resolved = resolveSchema(schema);
  if (resolved['x-kubernetes-preserve-unknown-fields']) return;
  if (resolved.format === 'byte' && typeof value === 'string') {
    // Go decodes a []byte field from standard base64 while it decodes the JSON
    const at = base64ErrorAt(value);
    if (at !== undefined) walk.typeErrors.push(`illegal base64 data at input byte ${at}`);
    return;
  }
  if (resolved.type === 'array' && resolved.items) {
    (value as unknown[]).forEach((item, i) => {
      walk.path.push(i);
      visit(item, resolved.items!, owner, walk);
      walk.path.pop();
    });
    return;
  }
  if (resolved.type !== 'object' || typeof value !== 'object') return;
  const map = value as Record<string, unknown>;
  if (resolved.properties) {
    const structName = schema.$ref ? schema.$ref.slice(schema.$ref.lastIndexOf('.') + 1) : owner;
    for (const key of Object.keys(map)) {
      const child = resolved.properties[key];
      walk.path.push(key);
      if (!child) {
        walk.unknown.push(pathString(walk));
        walk.path.pop();
        if (walk.prune) delete map[key];
        continue;
      }
      walk.goPath.push(key);
      visit(map[key], child, structName, walk);
      walk.goPath.pop();
      walk.path.pop();
    }
  } else if (typeof resolved.additionalProperties === 'object') {
    for (const key of Object.keys(map)) {
      walk.path.push(key);
      visit(map[key], resolved.additionalProperties, owner, walk);
      walk.path.pop();
    }
  }
}

/**
 * Walks `value` against `schema` as upstream's strict JSON decoder does, and removes every field
 * the schema does not know (upstream drops them when decoding into the typed struct), unless
 * `prune` is false. Returns the unknown fields' paths and the decoder's type errors.
 */
export function pruneUnknownFields(value: unknown, schema: Schema, options: { prune?: boolean } = {}): PruneResult {
  const walk: Walk = { unknown: [], typeErrors: [], prune: options.prune ?? true, path: [], goPath: [] };
  const rootName = schema.$ref ? schema.$ref.slice(schema.$ref.lastIndexOf('.') + 1) : (schema['x-kubernetes-group-version-kind']?.[0]?.kind ?? '');
  visit(value, schema, rootName, walk);
  return { unknown: walk.unknown, typeErrors: walk.typeErrors };
}
