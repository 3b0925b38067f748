import type { KubeObject, ListMeta } from '../api/index.js';
import type { ResourceDef, TableColumn } from './resources/resource-def.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

const nameColumn: Omit<TableColumn, 'cell'> = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};

export interface TableOptions {
  includeObject: IncludeObject;
  now: Date;
  /** watch events after the first carry no column definitions, as upstream's watch encoder does */
  noHeaders?: boolean;
}

/** A meta.k8s.io/v1 Table of the objects, with the kind's declared columns after NAME. */
export function toTable(def: ResourceDef, objects: KubeObject[], listMeta: ListMeta, options: TableOptions): unknown {
  const columns = def.columns;
  const rows = objects.map((object) => ({
    cells: def.omitNameColumn ? columns.map((c) => c.cell(object, options.now)) : [object.metadata.name ?? '', ...columns.map((c) => c.cell(object, options.now))],
    object: rowObject(def, object, options.includeObject),
  }));
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: options.noHeaders ? [] : (def.omitNameColumn ? columns : [nameColumn, ...columns]).map(({ name, type, format, description, priority }) => ({ name, type, format: format ?? '', description, priority })),
    rows,
  };
}

function rowObject(def: ResourceDef, object: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return { ...object, apiVersion: object.apiVersion ?? (def.group ? `${def.group}/${def.version}` : def.version), kind: object.kind ?? def.kind };
  const { managedFields: _m, ...metadata } = object.metadata;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
}

/** Whether the Accept header asks for a Table (meta.k8s.io v1 or v1beta1), and which version. */
export function wantsTable(accept: { type: string; params: Record<string, string> }[]): 'v1' | 'v1beta1' | undefined {
  for (const media of accept) {
    if (media.params.as === 'Table' && media.params.g === 'meta.k8s.io' && (media.params.v === 'v1' || media.params.v === 'v1beta1')) return media.params.v;
    if (!media.params.as) return undefined;
  }
  return undefined;
}
