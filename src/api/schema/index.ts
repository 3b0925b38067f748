export type { GroupVersionKind, Schema } from './schema-types.js';
export { definitions, definitionNameOf } from './definitions.js';
export { elementSchema, fieldSchema, patchMetaOf, patchSchemaOf, resolveSchema, schemaOf } from './lookup.js';
export { pruneUnknownFields, type PruneResult } from './prune.js';
