import type { KubeObject, LabelSelectorMeta } from '../../api/index.js';

/** A resource list as it appears in requests, limits, capacity and allocatable. */
export type ResourceList = Record<string, string | number>;

/** The parts of a container the scheduler reads. */
export interface Container {
  name: string;
  image?: string;
  restartPolicy?: string;
  resources?: { requests?: ResourceList; limits?: ResourceList };
  ports?: ContainerPort[];
}

export interface ContainerPort {
  containerPort: number;
  hostPort?: number;
  hostIP?: string;
  protocol?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Equal' | 'Exists' | string;
  value?: string;
  effect?: TaintEffect | '';
  tolerationSeconds?: number;
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
  timeAdded?: string;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[];
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelectorMeta;
  namespaces?: string[];
  namespaceSelector?: LabelSelectorMeta;
  topologyKey: string;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
}

export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

export interface Affinity {
  nodeAffinity?: NodeAffinity;
  podAffinity?: PodAffinity;
  podAntiAffinity?: PodAffinity;
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  labelSelector?: LabelSelectorMeta;
  minDomains?: number;
  nodeAffinityPolicy?: 'Honor' | 'Ignore';
  nodeTaintsPolicy?: 'Honor' | 'Ignore';
  matchLabelKeys?: string[];
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

/** The parts of a core/v1 Pod the scheduler reads and writes. */
export interface Pod extends KubeObject {
  spec: {
    nodeName?: string;
    schedulerName?: string;
    nodeSelector?: Record<string, string>;
    affinity?: Affinity;
    tolerations?: Toleration[];
    containers: Container[];
    initContainers?: Container[];
    overhead?: ResourceList;
    priority?: number;
    priorityClassName?: string;
    preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
    schedulingGates?: Array<{ name: string }>;
    topologySpreadConstraints?: TopologySpreadConstraint[];
    hostNetwork?: boolean;
    [field: string]: unknown;
  };
  status?: {
    phase?: string;
    conditions?: PodCondition[];
    nominatedNodeName?: string;
    [field: string]: unknown;
  };
}

/** The parts of a core/v1 Node the scheduler reads. */
export interface Node extends KubeObject {
  spec?: {
    unschedulable?: boolean;
    taints?: Taint[];
    [field: string]: unknown;
  };
  status?: {
    capacity?: ResourceList;
    allocatable?: ResourceList;
    images?: Array<{ names?: string[]; sizeBytes?: number }>;
    conditions?: Array<{ type: string; status: string }>;
    [field: string]: unknown;
  };
}

/** `namespace/name` of a pod, the queue's and the cache's key. */
export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}
