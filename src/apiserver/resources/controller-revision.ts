import { fieldError, type FieldError, type KubeObject } from '../../api/index.js';
import { ageColumn, type ResourceDef } from './resource-def.js';

interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision?: number;
}

/** `daemonset.apps/name`, as upstream's formatResourceName prints a controller reference. */
function controllerName(object: KubeObject): string {
  const owner = object.metadata.ownerReferences?.find((o) => o.controller === true);
  if (!owner) return '<none>';
  const slash = owner.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : owner.apiVersion.slice(0, slash);
  const kind = group ? `${owner.kind}.${group}` : owner.kind;
  return kind ? `${kind.toLowerCase()}/${owner.name}` : owner.name;
}

/** upstream's ValidateControllerRevision(Update): revision not negative, data immutable. */
export function validateControllerRevision(object: KubeObject, old?: KubeObject): FieldError[] {
  const revision = object as ControllerRevision;
  const errors: FieldError[] = [];
  if (typeof revision.revision !== 'number' || !Number.isInteger(revision.revision)) {
    errors.push(fieldError('FieldValueRequired', 'revision'));
  } else if (revision.revision < 0) {
    errors.push(fieldError('FieldValueInvalid', 'revision', 'must be greater than or equal to 0', revision.revision));
  }
  if (old && JSON.stringify((old as ControllerRevision).data) !== JSON.stringify(revision.data)) {
    errors.push(fieldError('FieldValueInvalid', 'data', 'field is immutable', revision.data));
  }
  return errors;
}

/** apps/v1 controllerrevisions. */
export const controllerRevisions: ResourceDef = {
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  namespaced: true,
  noStatus: true,
  columns: [
    { name: 'Controller', type: 'string', priority: 0, description: 'Controller of the object', cell: (object) => controllerName(object) },
    {
      name: 'Revision',
      type: 'string',
      priority: 0,
      description: 'Revision indicates the revision of the state represented by Data.',
      cell: (object) => (object as ControllerRevision).revision ?? 0,
    },
    ageColumn,
  ],
  validate: validateControllerRevision,
};
