import { defaultDaemonSet, validateDaemonSet, type KubeObject, type LabelSelectorMeta } from '../../api/index.js';
import { containerColumns, formatLabels, formatLabelSelector, type ContainerShape } from './cell-format.js';
import { ageColumn, type ResourceDef } from './resource-def.js';

interface DaemonSet extends KubeObject {
  spec?: { selector?: LabelSelectorMeta; template?: { spec?: { containers?: ContainerShape[]; nodeSelector?: Record<string, string> } } };
  status?: {
    desiredNumberScheduled?: number;
    currentNumberScheduled?: number;
    numberReady?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
  };
}

type StatusCount = keyof NonNullable<DaemonSet['status']>;

const count = (field: StatusCount) => (object: KubeObject) => (object as DaemonSet).status?.[field] ?? 0;

/** apps/v1 daemonsets. */
export const daemonSets: ResourceDef = {
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  plural: 'daemonsets',
  singular: 'daemonset',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  subresources: ['status'],
  tracksGeneration: true,
  defaults: defaultDaemonSet,
  validate: validateDaemonSet,
  columns: [
    {
      name: 'Desired',
      type: 'integer',
      priority: 0,
      description:
        'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/',
      cell: count('desiredNumberScheduled'),
    },
    {
      name: 'Current',
      type: 'integer',
      priority: 0,
      description:
        'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/',
      cell: count('currentNumberScheduled'),
    },
    {
      name: 'Ready',
      type: 'integer',
      priority: 0,
      description: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
      cell: count('numberReady'),
    },
    { name: 'Up-to-date', type: 'integer', priority: 0, description: 'The total number of nodes that are running updated daemon pod', cell: count('updatedNumberScheduled') },
    {
      name: 'Available',
      type: 'integer',
      priority: 0,
      description:
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
      cell: count('numberAvailable'),
    },
    {
      name: 'Node Selector',
      type: 'string',
      priority: 0,
      description:
        "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
      cell: (object) => formatLabels((object as DaemonSet).spec?.template?.spec?.nodeSelector),
    },
    ageColumn,
    ...containerColumns((object) => (object as DaemonSet).spec?.template?.spec?.containers),
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description:
        'A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
      cell: (object) => formatLabelSelector((object as DaemonSet).spec?.selector),
    },
  ],
  prepareForCreate(object) {
    object.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
  },
};
