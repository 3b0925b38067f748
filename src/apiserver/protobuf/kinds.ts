import { appsV1 } from './messages/apps-v1.js';
import { authenticationV1, authorizationV1 } from './messages/auth-v1.js';
import { autoscalingV1 } from './messages/autoscaling-v1.js';
import { autoscalingV2 } from './messages/autoscaling-v2.js';
import { batchV1 } from './messages/batch-v1.js';
import { coordinationV1 } from './messages/coordination-v1.js';
import { coreV1Pod } from './messages/core-v1-pod.js';
import { coreV1 } from './messages/core-v1.js';
import { discoveryV1 } from './messages/discovery-v1.js';
import { eventsV1 } from './messages/events-v1.js';
import { metaV1 } from './messages/meta-v1.js';
import { networkingV1 } from './messages/networking-v1.js';
import { policyV1 } from './messages/policy-v1.js';
import { rbacV1 } from './messages/rbac-v1.js';
import { schedulingV1 } from './messages/scheduling-v1.js';
import { MessageSchema } from './message-schema.js';

/** Every message table this server can decode. */
export const kubernetesSchema = new MessageSchema([
  metaV1, coreV1, coreV1Pod, appsV1, batchV1, policyV1, schedulingV1, rbacV1, coordinationV1, eventsV1, discoveryV1,
  autoscalingV1, autoscalingV2, networkingV1, authenticationV1, authorizationV1,
]);

const groupVersions: Record<string, { apiVersion: string; kinds: string[] }> = {
  'core.v1': {
    apiVersion: 'v1',
    kinds: [
      'Namespace', 'ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'Pod', 'Binding', 'Event', 'Node', 'Endpoints',
      'PodTemplate', 'ReplicationController', 'PersistentVolumeClaim', 'PersistentVolume', 'ResourceQuota', 'LimitRange',
    ],
  },
  'apps.v1': { apiVersion: 'apps/v1', kinds: ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision'] },
  'batch.v1': { apiVersion: 'batch/v1', kinds: ['Job', 'CronJob'] },
  'policy.v1': { apiVersion: 'policy/v1', kinds: ['PodDisruptionBudget', 'Eviction'] },
  'scheduling.v1': { apiVersion: 'scheduling.k8s.io/v1', kinds: ['PriorityClass'] },
  'rbac.v1': { apiVersion: 'rbac.authorization.k8s.io/v1', kinds: ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'] },
  'coordination.v1': { apiVersion: 'coordination.k8s.io/v1', kinds: ['Lease'] },
  'events.v1': { apiVersion: 'events.k8s.io/v1', kinds: ['Event'] },
  'discovery.v1': { apiVersion: 'discovery.k8s.io/v1', kinds: ['EndpointSlice'] },
  'autoscaling.v1': { apiVersion: 'autoscaling/v1', kinds: ['Scale', 'HorizontalPodAutoscaler'] },
  'autoscaling.v2': { apiVersion: 'autoscaling/v2', kinds: ['HorizontalPodAutoscaler'] },
  'networking.v1': { apiVersion: 'networking.k8s.io/v1', kinds: ['Ingress', 'IngressClass', 'NetworkPolicy'] },
  'authentication.v1': { apiVersion: 'authentication.k8s.io/v1', kinds: ['SelfSubjectReview'] },
  'authorization.v1': { apiVersion: 'authorization.k8s.io/v1', kinds: ['SelfSubjectAccessReview', 'SelfSubjectRulesReview'] },
};

const byGroupVersionKind = new Map<string, string>();
for (const [pkg, { apiVersion, kinds }] of Object.entries(groupVersions)) {
  for (const kind of kinds) byGroupVersionKind.set(`${apiVersion}/${kind}`, `${pkg}.${kind}`);
}

/**
 * The protobuf message for an object of that apiVersion and kind, or undefined when this server
 * has no table for it. DeleteOptions is accepted under any apiVersion, as clients send it with
 * the version of the resource they delete.
 */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  if (kind === 'DeleteOptions') return 'meta.v1.DeleteOptions';
  return byGroupVersionKind.get(`${apiVersion}/${kind}`);
}
