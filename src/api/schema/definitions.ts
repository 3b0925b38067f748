import { atomicMaps, atomicStructs, fieldDescriptions, fieldFacts, objectMetadataDescription, quantityDefinition, quantityFields } from './facts.js';
import { generatedDefinitions } from './generated/definitions.js';
import type { GroupVersionKind, Schema } from './schema-types.js';

/** Kinds that are only ever sent to a subresource and have no list. */
const withoutList = new Set(['Scale', 'Eviction', 'Binding']);

function splitKey(key: string): [string, string] {
  const dot = key.lastIndexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}

function propertyOf(all: Record<string, Schema>, key: string): Schema {
  const [name, field] = splitKey(key);
  const property = all[name]?.properties?.[field];
  if (!property) throw new Error(`schema fact names an unknown field ${key}`);
  return property;
}

function listDefinition(name: string, gvk: GroupVersionKind): Schema {
  const plural = `${gvk.kind}s`;
  return {
    type: 'object',
    description: `${gvk.kind}List is a list of ${plural}.`,
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources' },
      items: { type: 'array', items: { $ref: name }, description: `List of ${plural.toLowerCase()}.` },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
      metadata: { $ref: 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    },
    required: ['items'],
    'x-kubernetes-group-version-kind': [{ ...gvk, kind: `${gvk.kind}List` }],
  };
}

function build(): Record<string, Schema> {
  const all: Record<string, Schema> = { ...generatedDefinitions };
  for (const [key, extensions] of Object.entries(fieldFacts)) Object.assign(propertyOf(all, key), extensions);
  for (const [key, description] of Object.entries(fieldDescriptions)) propertyOf(all, key).description = description;
  for (const schema of Object.values(all)) {
    const metadata = schema.properties?.metadata;
    if (schema['x-kubernetes-group-version-kind'] && metadata?.$ref === 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta') metadata.description = objectMetadataDescription;
  }
  for (const key of atomicMaps) propertyOf(all, key)['x-kubernetes-map-type'] = 'atomic';
  for (const name of atomicStructs) if (all[name]) all[name]['x-kubernetes-map-type'] = 'atomic';
  for (const key of quantityFields) {
    const [name, field] = splitKey(key);
    const property = all[name]?.properties?.[field];
    if (!property) continue;
    if (property.type === 'object') property.additionalProperties = { $ref: quantityDefinition };
    else all[name].properties![field] = { $ref: quantityDefinition, description: property.description };
  }
  for (const [name, schema] of Object.entries(generatedDefinitions)) {
    const gvk = schema['x-kubernetes-group-version-kind']?.[0];
    if (gvk && !withoutList.has(gvk.kind)) all[`${name}List`] = listDefinition(name, gvk);
  }
  all['io.k8s.apimachinery.pkg.util.intstr.IntOrString']['x-kubernetes-int-or-string'] = true;
  all['io.k8s.apimachinery.pkg.apis.meta.v1.Patch'] = { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' };
  return all;
}

/**
 * Every object schema Skiff knows, by upstream definition name (`io.k8s.api.core.v1.Pod`): the
 * ones generated from `@kubernetes/client-node` plus the hand-kept facts (patch strategies, list
 * types, quantities) and a `<Kind>List` for each kind.
 */
export const definitions: Readonly<Record<string, Schema>> = build();

const byGvk = new Map<string, string>();
for (const [name, schema] of Object.entries(definitions)) {
  for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) byGvk.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
}

/** The definition name of a kind (`io.k8s.api.apps.v1.Deployment`), or undefined when unknown. */
export function definitionNameOf(group: string, version: string, kind: string): string | undefined {
  return byGvk.get(`${group}/${version}/${kind}`);
}
