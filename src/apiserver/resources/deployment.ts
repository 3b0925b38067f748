import { defaultDeployment, validateDeployment, type KubeObject, type LabelSelectorMeta } from '../../api/index.js';
import { containerColumns, labelSelectorString, type ContainerShape } from './cell-format.js';
import { ageColumn, type ResourceDef } from './resource-def.js';

interface Deployment extends KubeObject {
  spec?: { replicas?: number; selector?: LabelSelectorMeta; template?: { spec?: { containers?: ContainerShape[] } } };
  status?: { updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number };
}

/** apps/v1 deployments. */
export const deployments: ResourceDef = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  singular: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  tracksGeneration: true,
  defaults: defaultDeployment,
  validate: validateDeployment,
  columns: [
    {
      name: 'Ready',
      type: 'string',
      priority: 0,
      description: 'Number of the pod with ready state',
      cell: (object) => {
        const deployment = object as Deployment;
        return `${deployment.status?.readyReplicas ?? 0}/${deployment.spec?.replicas ?? 1}`;
      },
    },
    {
      name: 'Up-to-date',
      type: 'string',
      priority: 0,
      description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      cell: (object) => (object as Deployment).status?.updatedReplicas ?? 0,
    },
    {
      name: 'Available',
      type: 'string',
      priority: 0,
      description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      cell: (object) => (object as Deployment).status?.availableReplicas ?? 0,
    },
    ageColumn,
    ...containerColumns((object) => (object as Deployment).spec?.template?.spec?.containers),
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description: 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
      cell: (object) => labelSelectorString((object as Deployment).spec?.selector) ?? '<invalid>',
    },
  ],
  prepareForCreate(object) {
    object.status = {};
  },
};
