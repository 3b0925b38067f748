import type { ProtoPackage } from '../message-schema.js';

/**
 * Field tables of `k8s.io/api/rbac/v1/generated.proto` (Kubernetes 1.33): field number →
 * `jsonName: type`. See message-schema.ts for the notation.
 */
export const rbacV1: ProtoPackage = {
  name: 'rbac.v1',
  messages: {
    PolicyRule: {
      1: 'verbs: []string', 2: 'apiGroups: []string', 3: 'resources: []string', 4: 'resourceNames: []string',
      5: 'nonResourceURLs: []string',
    },
    Role: { 1: 'metadata: meta.v1.ObjectMeta', 2: 'rules: []PolicyRule' },
    Subject: { 1: 'kind: string', 2: 'apiGroup: string', 3: 'name: string', 4: 'namespace: string' },
    RoleRef: { 1: 'apiGroup: string', 2: 'kind: string', 3: 'name: string' },
    RoleBinding: { 1: 'metadata: meta.v1.ObjectMeta', 2: 'subjects: []Subject', 3: 'roleRef: RoleRef' },
    AggregationRule: { 1: 'clusterRoleSelectors: []meta.v1.LabelSelector' },
    ClusterRole: {
      1: 'metadata: meta.v1.ObjectMeta', 2: 'rules: []PolicyRule', 3: 'aggregationRule: AggregationRule',
    },
    ClusterRoleBinding: {
      1: 'metadata: meta.v1.ObjectMeta', 2: 'subjects: []Subject', 3: 'roleRef: RoleRef',
    },
  },
};
