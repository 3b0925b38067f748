import type { ProtoPackage } from '../message-schema.js';

/**
 * Field tables of `k8s.io/api/authorization/v1/generated.proto` (Kubernetes 1.33), the self
 * reviews' part: field number → `jsonName: type`. See message-schema.ts for the notation.
 */
export const authorizationV1: ProtoPackage = {
  name: 'authorization.v1',
  messages: {
    FieldSelectorRequirement: { 1: 'key: string', 2: 'operator: string', 3: 'values: []string' },
    FieldSelectorAttributes: { 1: 'rawSelector: string', 2: 'requirements: []FieldSelectorRequirement' },
    LabelSelectorAttributes: { 1: 'rawSelector: string', 2: 'requirements: []meta.v1.LabelSelectorRequirement' },
    ResourceAttributes: {
      1: 'namespace: string', 2: 'verb: string', 3: 'group: string', 4: 'version: string', 5: 'resource: string',
      6: 'subresource: string', 7: 'name: string', 8: 'fieldSelector: FieldSelectorAttributes', 9: 'labelSelector: LabelSelectorAttributes',
    },
    NonResourceAttributes: { 1: 'path: string', 2: 'verb: string' },
    SelfSubjectAccessReviewSpec: { 1: 'resourceAttributes: ResourceAttributes', 2: 'nonResourceAttributes: NonResourceAttributes' },
    SubjectAccessReviewStatus: { 1: 'allowed: bool', 4: 'denied: bool', 2: 'reason: string', 3: 'evaluationError: string' },
    SelfSubjectAccessReview: { 1: 'metadata: meta.v1.ObjectMeta', 2: 'spec: SelfSubjectAccessReviewSpec', 3: 'status: SubjectAccessReviewStatus' },
    SelfSubjectRulesReviewSpec: { 1: 'namespace: string' },
    ResourceRule: { 1: 'verbs: []string', 2: 'apiGroups: []string', 3: 'resources: []string', 4: 'resourceNames: []string' },
    NonResourceRule: { 1: 'verbs: []string', 2: 'nonResourceURLs: []string' },
    SubjectRulesReviewStatus: { 1: 'resourceRules: []ResourceRule', 2: 'nonResourceRules: []NonResourceRule', 3: 'incomplete: bool', 4: 'evaluationError: string' },
    SelfSubjectRulesReview: { 1: 'metadata: meta.v1.ObjectMeta', 2: 'spec: SelfSubjectRulesReviewSpec', 3: 'status: SubjectRulesReviewStatus' },
  },
};

/**
 * Field tables of `k8s.io/api/authentication/v1/generated.proto` (Kubernetes 1.33), the
 * SelfSubjectReview's part (UserInfo's `extra` is left out: a client sends no status).
 */
export const authenticationV1: ProtoPackage = {
  name: 'authentication.v1',
  messages: {
    UserInfo: { 1: 'username: string', 2: 'uid: string', 3: 'groups: []string' },
    SelfSubjectReviewStatus: { 1: 'userInfo: UserInfo' },
    SelfSubjectReview: { 1: 'metadata: meta.v1.ObjectMeta', 2: 'status: SelfSubjectReviewStatus' },
  },
};
