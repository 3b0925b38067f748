/**
 * The patch metadata of one field, as upstream's OpenAPI extensions carry it:
 * `x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`, `x-kubernetes-list-type`,
 * `x-kubernetes-list-map-keys` and `x-kubernetes-map-type`.
 */
export interface FieldPatchMeta<T> {
  /** the key that identifies an element of a list of objects */
  mergeKey?: string;
  /** the strategy split on ',': `merge`, `replace`, `retainKeys` */
  strategies: readonly string[];
  /** `atomic`, `set` or `map` (server-side apply); derived from the strategy when absent */
  listType?: 'atomic' | 'set' | 'map';
  /** the keys of a `map` list (server-side apply); `[mergeKey]` when absent */
  listMapKeys?: readonly string[];
  /** `atomic` maps and structs are owned and replaced as one value by server-side apply */
  mapType?: 'atomic' | 'granular';
  /** the schema of the field's value (of one element for a list), handed back to the lookup */
  type?: T;
}

/**
 * Answers the patch metadata of `field` inside a value of schema `type`, or undefined when the
 * schema does not know the field. Schemas are opaque here: the caller's schema module decides
 * what a type is.
 */
export type PatchMetaLookup<T> = (type: T, field: string) => FieldPatchMeta<T> | undefined;

/** The schema of the value a patch applies to: its root type and the lookup to walk it with. */
export interface PatchSchema<T = unknown> {
  root: T;
  lookup: PatchMetaLookup<T>;
}

interface FallbackRule {
  /** the field name, optionally `parent.field` (array elements share their field's name) */
  field: string;
  meta: Omit<FieldPatchMeta<string>, 'type'>;
}

const merge = ['merge'];
const fallbackRules: FallbackRule[] = [
  { field: 'containers.ports', meta: { mergeKey: 'containerPort', strategies: merge, listMapKeys: ['containerPort', 'protocol'] } },
  { field: 'initContainers.ports', meta: { mergeKey: 'containerPort', strategies: merge, listMapKeys: ['containerPort', 'protocol'] } },
  { field: 'ephemeralContainers.ports', meta: { mergeKey: 'containerPort', strategies: merge, listMapKeys: ['containerPort', 'protocol'] } },
  { field: 'spec.ports', meta: { mergeKey: 'port', strategies: merge, listMapKeys: ['port', 'protocol'] } },
  { field: 'metadata.finalizers', meta: { strategies: merge, listType: 'set' } },
  { field: 'spec.strategy', meta: { strategies: ['retainKeys'] } },
  { field: 'containers', meta: { mergeKey: 'name', strategies: merge } },
  { field: 'initContainers', meta: { mergeKey: 'name', strategies: merge } },
  { field: 'ephemeralContainers', meta: { mergeKey: 'name', strategies: merge } },
  { field: 'env', meta: { mergeKey: 'name', strategies: merge } },
  { field: 'imagePullSecrets', meta: { mergeKey: 'name', strategies: merge } },
  { field: 'volumes', meta: { mergeKey: 'name', strategies: ['merge', 'retainKeys'] } },
  { field: 'volumeMounts', meta: { mergeKey: 'mountPath', strategies: merge } },
  { field: 'volumeDevices', meta: { mergeKey: 'devicePath', strategies: merge } },
  { field: 'conditions', meta: { mergeKey: 'type', strategies: merge } },
  { field: 'ownerReferences', meta: { mergeKey: 'uid', strategies: merge } },
  { field: 'hostAliases', meta: { mergeKey: 'ip', strategies: merge } },
  { field: 'resourceClaims', meta: { mergeKey: 'name', strategies: merge } },
  { field: 'schedulingGates', meta: { mergeKey: 'name', strategies: merge } },
  { field: 'topologySpreadConstraints', meta: { mergeKey: 'topologyKey', strategies: merge, listMapKeys: ['topologyKey', 'whenUnsatisfiable'] } },
  { field: 'selector', meta: { strategies: [], mapType: 'atomic' } },
  { field: 'nodeSelector', meta: { strategies: [], mapType: 'atomic' } },
];

/**
 * A small stand-in for the schema-derived lookup: the merge keys and strategies of the fields of
 * the workload, pod, service and metadata types, matched by field name and parent field name.
 * The schema type is the dotted path of field names from the object's root.
 */
export const fallbackPatchSchema: PatchSchema<string> = {
  root: '',
  lookup(type, field) {
    const parent = type.slice(type.lastIndexOf('.') + 1);
    const path = type ? `${type}.${field}` : field;
    const rule = fallbackRules.find((r) => r.field === `${parent}.${field}`) ?? fallbackRules.find((r) => r.field === field);
    return { ...(rule?.meta ?? { strategies: [] }), type: path };
  },
};
