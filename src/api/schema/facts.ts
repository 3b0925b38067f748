import type { Schema } from './schema-types.js';

type Extensions = Partial<Schema>;

const core = 'io.k8s.api.core.v1';
const apps = 'io.k8s.api.apps.v1';
const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const quantity = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

function mergeMap(mergeKey: string, keys: string[] = [mergeKey], strategy = 'merge'): Extensions {
  return { 'x-kubernetes-patch-merge-key': mergeKey, 'x-kubernetes-patch-strategy': strategy, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys };
}
const mapOnly = (...keys: string[]): Extensions => ({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys });
const atomic: Extensions = { 'x-kubernetes-list-type': 'atomic' };
const mergeSet: Extensions = { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' };
const conditions = mergeMap('type');
const containerLists: Record<string, Extensions> = {
  ports: mergeMap('containerPort', ['containerPort', 'protocol']),
  env: mergeMap('name'),
  envFrom: atomic,
  volumeMounts: mergeMap('mountPath'),
  volumeDevices: mergeMap('devicePath'),
  resizePolicy: atomic,
  command: atomic,
  args: atomic,
};

/**
 * What upstream's OpenAPI says about fields that the client-node models do not carry: patch merge
 * keys and strategies, list and map types (from the `+patchMergeKey`, `+patchStrategy`,
 * `+listType`, `+listMapKey` markers in upstream's types.go). Keyed `<definition>.<field>`.
 */
export const fieldFacts: Record<string, Extensions> = {
  [`${meta}.ObjectMeta.finalizers`]: mergeSet,
  [`${meta}.ObjectMeta.ownerReferences`]: mergeMap('uid'),
  [`${meta}.ObjectMeta.managedFields`]: atomic,
  [`${meta}.LabelSelector.matchExpressions`]: atomic,
  [`${meta}.LabelSelectorRequirement.values`]: atomic,
  [`${core}.PodSpec.volumes`]: mergeMap('name', ['name'], 'merge,retainKeys'),
  [`${core}.PodSpec.initContainers`]: mergeMap('name'),
  [`${core}.PodSpec.containers`]: mergeMap('name'),
  [`${core}.PodSpec.ephemeralContainers`]: mergeMap('name'),
  [`${core}.PodSpec.imagePullSecrets`]: mergeMap('name'),
  [`${core}.PodSpec.hostAliases`]: mergeMap('ip'),
  [`${core}.PodSpec.tolerations`]: atomic,
  [`${core}.PodSpec.readinessGates`]: atomic,
  [`${core}.PodSpec.topologySpreadConstraints`]: mergeMap('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
  [`${core}.PodSpec.resourceClaims`]: mergeMap('name', ['name'], 'merge,retainKeys'),
  [`${core}.PodSpec.schedulingGates`]: mergeMap('name'),
  [`${core}.HostAlias.hostnames`]: atomic,
  ...Object.fromEntries(Object.entries(containerLists).map(([f, e]) => [`${core}.Container.${f}`, e])),
  ...Object.fromEntries(Object.entries(containerLists).map(([f, e]) => [`${core}.EphemeralContainer.${f}`, e])),
  [`${core}.ResourceRequirements.claims`]: mapOnly('name'),
  [`${core}.PodStatus.conditions`]: conditions,
  [`${core}.PodStatus.podIPs`]: mergeMap('ip'),
  [`${core}.PodStatus.hostIPs`]: mergeMap('ip'),
  [`${core}.PodStatus.containerStatuses`]: atomic,
  [`${core}.PodStatus.initContainerStatuses`]: atomic,
  [`${core}.PodStatus.ephemeralContainerStatuses`]: atomic,
  [`${core}.PodStatus.resourceClaimStatuses`]: mergeMap('name', ['name'], 'merge,retainKeys'),
  [`${core}.NodeSpec.podCIDRs`]: mergeSet,
  [`${core}.NodeSpec.taints`]: atomic,
  [`${core}.NodeStatus.conditions`]: conditions,
  [`${core}.NodeStatus.addresses`]: conditions,
  [`${core}.NodeStatus.images`]: atomic,
  [`${core}.NodeStatus.volumesInUse`]: atomic,
  [`${core}.NodeStatus.volumesAttached`]: atomic,
  [`${core}.ServiceSpec.ports`]: mergeMap('port', ['port', 'protocol']),
  [`${core}.ServiceSpec.clusterIPs`]: atomic,
  [`${core}.ServiceSpec.externalIPs`]: atomic,
  [`${core}.ServiceSpec.ipFamilies`]: atomic,
  [`${core}.ServiceSpec.loadBalancerSourceRanges`]: atomic,
  [`${core}.ServiceStatus.conditions`]: conditions,
  [`${core}.ServiceAccount.secrets`]: mergeMap('name'),
  [`${core}.ServiceAccount.imagePullSecrets`]: atomic,
  [`${core}.NamespaceSpec.finalizers`]: atomic,
  [`${core}.NamespaceStatus.conditions`]: conditions,
  [`${core}.PersistentVolumeClaimStatus.conditions`]: conditions,
  [`${core}.ReplicationControllerStatus.conditions`]: conditions,
  [`${core}.Endpoints.subsets`]: atomic,
  [`${core}.EndpointSubset.addresses`]: atomic,
  [`${core}.EndpointSubset.notReadyAddresses`]: atomic,
  [`${core}.EndpointSubset.ports`]: atomic,
  [`${core}.NodeSelector.nodeSelectorTerms`]: atomic,
  [`${core}.NodeSelectorTerm.matchExpressions`]: atomic,
  [`${core}.NodeSelectorTerm.matchFields`]: atomic,
  [`${core}.ConfigMapVolumeSource.items`]: atomic,
  [`${core}.SecretVolumeSource.items`]: atomic,
  [`${core}.ProjectedVolumeSource.sources`]: atomic,
  [`${core}.DownwardAPIVolumeSource.items`]: atomic,
  [`${apps}.DeploymentSpec.strategy`]: { 'x-kubernetes-patch-strategy': 'retainKeys' },
  [`${apps}.DeploymentStatus.conditions`]: conditions,
  [`${apps}.ReplicaSetStatus.conditions`]: conditions,
  [`${apps}.DaemonSetStatus.conditions`]: conditions,
  [`${apps}.StatefulSetStatus.conditions`]: conditions,
  [`${apps}.StatefulSetSpec.volumeClaimTemplates`]: atomic,
  ['io.k8s.api.batch.v1.JobStatus.conditions']: { 'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'atomic' },
  ['io.k8s.api.batch.v1.CronJobStatus.active']: atomic,
  ['io.k8s.api.policy.v1.PodDisruptionBudgetStatus.conditions']: conditions,
  ['io.k8s.api.discovery.v1.EndpointSlice.endpoints']: atomic,
  ['io.k8s.api.discovery.v1.EndpointSlice.ports']: atomic,
  ['io.k8s.api.rbac.v1.Role.rules']: atomic,
  ['io.k8s.api.rbac.v1.ClusterRole.rules']: atomic,
  ['io.k8s.api.rbac.v1.RoleBinding.subjects']: atomic,
  ['io.k8s.api.rbac.v1.ClusterRoleBinding.subjects']: atomic,
};

/** Definitions upstream marks `+structType=atomic`: server-side apply owns them as one value. */
export const atomicStructs = [
  `${meta}.LabelSelector`,
  `${meta}.OwnerReference`,
  `${core}.ObjectReference`,
  `${core}.LocalObjectReference`,
  `${core}.ConfigMapKeySelector`,
  `${core}.SecretKeySelector`,
  `${core}.ObjectFieldSelector`,
  `${core}.ResourceFieldSelector`,
  `${core}.NodeSelector`,
  `${core}.TypedLocalObjectReference`,
  'io.k8s.api.rbac.v1.RoleRef',
];

/** Maps of strings upstream marks `+mapType=atomic`. */
export const atomicMaps = [`${core}.PodSpec.nodeSelector`, `${core}.ServiceSpec.selector`];

/** String-valued maps and strings the models type as `string` that are `resource.Quantity` upstream. */
export const quantityFields = [
  `${core}.ResourceRequirements.limits`,
  `${core}.ResourceRequirements.requests`,
  `${core}.VolumeResourceRequirements.limits`,
  `${core}.VolumeResourceRequirements.requests`,
  `${core}.NodeStatus.capacity`,
  `${core}.NodeStatus.allocatable`,
  `${core}.PodSpec.overhead`,
  `${core}.EmptyDirVolumeSource.sizeLimit`,
  `${core}.ResourceFieldSelector.divisor`,
  `${core}.ContainerStatus.allocatedResources`,
  `${core}.PersistentVolumeSpec.capacity`,
  `${core}.PersistentVolumeClaimStatus.capacity`,
  `${core}.PersistentVolumeClaimStatus.allocatedResources`,
  `${core}.ResourceQuotaSpec.hard`,
  `${core}.ResourceQuotaStatus.hard`,
  `${core}.ResourceQuotaStatus.used`,
  `${core}.LimitRangeItem.max`,
  `${core}.LimitRangeItem.min`,
  `${core}.LimitRangeItem.default`,
  `${core}.LimitRangeItem.defaultRequest`,
  `${core}.LimitRangeItem.maxLimitRequestRatio`,
  'io.k8s.api.node.v1.Overhead.podFixed',
  'io.k8s.api.autoscaling.v2.MetricTarget.value',
  'io.k8s.api.autoscaling.v2.MetricTarget.averageValue',
  'io.k8s.api.autoscaling.v2.MetricValueStatus.value',
  'io.k8s.api.autoscaling.v2.MetricValueStatus.averageValue',
];

export const quantityDefinition = quantity;

const probeInfo = 'More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes';
const specInfo = 'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status';

/**
 * Upstream's descriptions of fields whose type is another definition: the models carry none for
 * them, and the type's own description is the fallback. Keyed `<definition>.<field>`.
 */
export const fieldDescriptions: Record<string, string> = {
  [`${core}.Container.livenessProbe`]: `Periodic probe of container liveness. Container will be restarted if the probe fails. Cannot be updated. ${probeInfo}`,
  [`${core}.Container.readinessProbe`]: `Periodic probe of container service readiness. Container will be removed from service endpoints if the probe fails. Cannot be updated. ${probeInfo}`,
  [`${core}.Container.startupProbe`]: `StartupProbe indicates that the Pod has successfully initialized. If specified, no other probes are executed until this completes successfully. If this probe fails, the Pod will be restarted, just as if the livenessProbe failed. This can be used to provide different probe parameters at the beginning of a Pod's lifecycle, when it might take a long time to load data or warm a cache, than during steady-state operation. This cannot be updated. ${probeInfo}`,
  [`${core}.Container.resources`]: 'Compute Resources required by this container. Cannot be updated. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/',
  [`${core}.Container.securityContext`]: 'SecurityContext defines the security options the container should be run with. If set, the fields of SecurityContext override the equivalent fields of PodSecurityContext. More info: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
  [`${core}.Container.lifecycle`]: 'Actions that the management system should take in response to container lifecycle events. Cannot be updated.',
  [`${core}.Pod.spec`]: `Specification of the desired behavior of the pod. ${specInfo}`,
  [`${core}.Pod.status`]: `Most recently observed status of the pod. This data may not be up to date. Populated by the system. Read-only. ${specInfo}`,
  [`${core}.PodTemplateSpec.spec`]: `Specification of the desired behavior of the pod. ${specInfo}`,
  [`${apps}.Deployment.spec`]: 'Specification of the desired behavior of the Deployment.',
  [`${apps}.Deployment.status`]: 'Most recently observed status of the Deployment.',
  [`${apps}.DeploymentSpec.template`]: 'Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is "Always".',
  [`${apps}.DeploymentSpec.selector`]: "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.",
  [`${apps}.DeploymentSpec.strategy`]: 'The deployment strategy to use to replace existing pods with new ones.',
};

/** The description of every kind's `metadata` field. */
export const objectMetadataDescription = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
