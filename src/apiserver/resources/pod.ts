import { defaultPod, podPhaseReason, podReadyCount, podRestarts, validatePod, type KubeObject } from '../../api/index.js';
import { ageColumn, type ResourceDef } from './resource-def.js';
import { podQosClass, type QosPodShape } from './pod-qos.js';

interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface Pod extends KubeObject, QosPodShape {
  spec?: QosPodShape['spec'] & {
    nodeName?: string;
    schedulerName?: string;
    restartPolicy?: string;
    serviceAccountName?: string;
    hostNetwork?: boolean;
    readinessGates?: { conditionType: string }[];
    schedulingGates?: { name: string }[];
  };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    nominatedNodeName?: string;
    conditions?: PodCondition[];
    qosClass?: string;
  };
}

function podIP(pod: Pod): string {
  return pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '';
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  let satisfied = 0;
  for (const gate of gates) {
    const condition = pod.status?.conditions?.find((c) => c.type === gate.conditionType);
    if (condition?.status === 'True') satisfied++;
  }
  return `${satisfied}/${gates.length}`;
}

/** core/v1 pods. */
export const pods: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'ephemeralcontainers'],
  tracksGeneration: true,
  columns: [
    {
      name: 'Ready',
      type: 'string',
      priority: 0,
      description: 'The aggregate readiness state of this pod for accepting traffic.',
      cell: (object) => podReadyCount(object),
    },
    {
      name: 'Status',
      type: 'string',
      priority: 0,
      description: 'The aggregate status of the containers in this pod.',
      cell: (object, now) => podPhaseReason(object, now),
    },
    {
      name: 'Restarts',
      type: 'string',
      priority: 0,
      description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      cell: (object, now) => podRestarts(object, now),
    },
    ageColumn,
    {
      name: 'IP',
      type: 'string',
      priority: 1,
      description: 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      cell: (object) => podIP(object as Pod) || '<none>',
    },
    {
      name: 'Node',
      type: 'string',
      priority: 1,
      description:
        'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
      cell: (object) => (object as Pod).spec?.nodeName || '<none>',
    },
    {
      name: 'Nominated Node',
      type: 'string',
      priority: 1,
      description:
        'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
      cell: (object) => (object as Pod).status?.nominatedNodeName || '<none>',
    },
    {
      name: 'Readiness Gates',
      type: 'string',
      priority: 1,
      description:
        'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
      cell: (object) => readinessGates(object as Pod),
    },
  ],
  fieldSelectors: {
    'spec.nodeName': (object) => (object as Pod).spec?.nodeName ?? '',
    'spec.restartPolicy': (object) => (object as Pod).spec?.restartPolicy ?? '',
    'spec.schedulerName': (object) => (object as Pod).spec?.schedulerName ?? '',
    'spec.serviceAccountName': (object) => (object as Pod).spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (object) => String((object as Pod).spec?.hostNetwork === true),
    'status.phase': (object) => (object as Pod).status?.phase ?? '',
    'status.podIP': (object) => podIP(object as Pod),
    'status.nominatedNodeName': (object) => (object as Pod).status?.nominatedNodeName ?? '',
  },
  defaults: defaultPod,
  validate: validatePod,
  prepareForCreate(object) {
    const pod = object as Pod;
    pod.status = { phase: 'Pending', qosClass: podQosClass(pod) };
    if ((pod.spec?.schedulingGates ?? []).length > 0) {
      pod.status.conditions = [
        { type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' },
      ];
    }
  },
};
