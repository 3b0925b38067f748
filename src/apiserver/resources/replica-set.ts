import { defaultReplicaSet, validateReplicaSet, type KubeObject, type LabelSelectorMeta } from '../../api/index.js';
import { containerColumns, formatLabelSelector, type ContainerShape } from './cell-format.js';
import { ageColumn, type ResourceDef } from './resource-def.js';

interface ReplicaSet extends KubeObject {
  spec?: { replicas?: number; selector?: LabelSelectorMeta; template?: { spec?: { containers?: ContainerShape[] } } };
  status?: { replicas?: number; readyReplicas?: number };
}

/** apps/v1 replicasets. */
export const replicaSets: ResourceDef = {
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  plural: 'replicasets',
  singular: 'replicaset',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  tracksGeneration: true,
  defaults: defaultReplicaSet,
  validate: validateReplicaSet,
  columns: [
    {
      name: 'Desired',
      type: 'integer',
      priority: 0,
      description:
        'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
      cell: (object) => (object as ReplicaSet).spec?.replicas ?? 1,
    },
    {
      name: 'Current',
      type: 'integer',
      priority: 0,
      description:
        'Replicas is the most recently oberved number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
      cell: (object) => (object as ReplicaSet).status?.replicas ?? 0,
    },
    {
      name: 'Ready',
      type: 'integer',
      priority: 0,
      description: 'The number of ready replicas for this replica set.',
      cell: (object) => (object as ReplicaSet).status?.readyReplicas ?? 0,
    },
    ageColumn,
    ...containerColumns((object) => (object as ReplicaSet).spec?.template?.spec?.containers),
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description:
        'Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
      cell: (object) => formatLabelSelector((object as ReplicaSet).spec?.selector),
    },
  ],
  fieldSelectors: {
    'status.replicas': (object) => String((object as ReplicaSet).status?.replicas ?? 0),
  },
  prepareForCreate(object) {
    object.status = { replicas: 0 };
  },
};
