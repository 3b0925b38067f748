import { defaultStatefulSet, validateStatefulSet, type KubeObject } from '../../api/index.js';
import { containerColumns, type ContainerShape } from './cell-format.js';
import { ageColumn, type ResourceDef } from './resource-def.js';

interface StatefulSet extends KubeObject {
  spec?: { replicas?: number; template?: { spec?: { containers?: ContainerShape[] } } };
  status?: { readyReplicas?: number };
}

/** apps/v1 statefulsets. */
export const statefulSets: ResourceDef = {
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  plural: 'statefulsets',
  singular: 'statefulset',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  tracksGeneration: true,
  defaults: defaultStatefulSet,
  validate: validateStatefulSet,
  columns: [
    {
      name: 'Ready',
      type: 'string',
      priority: 0,
      description: 'Number of the pod with ready state',
      cell: (object) => {
        const set = object as StatefulSet;
        return `${set.status?.readyReplicas ?? 0}/${set.spec?.replicas ?? 1}`;
      },
    },
    ageColumn,
    ...containerColumns((object) => (object as StatefulSet).spec?.template?.spec?.containers),
  ],
  prepareForCreate(object) {
    object.status = { replicas: 0, availableReplicas: 0 };
  },
};
