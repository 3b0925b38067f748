/*
 * The self reviews kubectl's `auth can-i` and `auth whoami` create. Until RBAC arrives every
 * authenticated user may do everything (the authorization stage allows all), so a review says so:
 * allowed, and one rule that grants all.
 */
import { ApiError, type KubeObject, type UserInfo } from '../../api/index.js';
import type { ResourceDef } from './resource-def.js';

/** The review as upstream answers it: no name, no creationTimestamp, the spec sent and a status. */
function answered(object: KubeObject, status: Record<string, unknown>): KubeObject {
  return { apiVersion: object.apiVersion, kind: object.kind, metadata: { creationTimestamp: null as unknown as string }, spec: object.spec ?? {}, status };
}

function specOf(object: KubeObject): Record<string, unknown> {
  const spec = object.spec;
  if (spec === undefined || spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw invalid(object.kind ?? '', 'spec', 'Required value');
  return spec as Record<string, unknown>;
}

function invalid(kind: string, field: string, detail: string): ApiError {
  return new ApiError('Invalid', `${kind}.authorization.k8s.io "" is invalid: ${field}: ${detail}`, {
    group: 'authorization.k8s.io',
    kind,
    causes: [{ reason: 'FieldValueRequired', message: detail, field }],
  });
}

/** A cluster-scoped v1 kind that is only created, never stored. */
function reviewKind(group: string, kind: string, plural: string, review: (object: KubeObject, user: UserInfo) => KubeObject): ResourceDef {
  return { group, version: 'v1', kind, plural, singular: kind.toLowerCase(), namespaced: false, verbs: ['create'], columns: [], review };
}

/** authorization.k8s.io/v1 SelfSubjectAccessReview: may I do this? */
export const selfSubjectAccessReviews = reviewKind('authorization.k8s.io', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', (object) => {
  const spec = specOf(object);
  const hasResource = spec.resourceAttributes !== undefined && spec.resourceAttributes !== null;
  const hasNonResource = spec.nonResourceAttributes !== undefined && spec.nonResourceAttributes !== null;
  if (hasResource === hasNonResource) {
    throw invalid('SelfSubjectAccessReview', 'spec.resourceAttributes', hasResource ? 'Invalid value: "resourceAttributes": cannot be specified in combination with nonResourceAttributes' : 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified');
  }
  return answered(object, { allowed: true });
});

/** authorization.k8s.io/v1 SelfSubjectRulesReview: what may I do in a namespace? (`auth can-i --list`) */
export const selfSubjectRulesReviews = reviewKind('authorization.k8s.io', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', (object) => {
  specOf(object);
  return answered(object, {
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
  });
});

/** authentication.k8s.io/v1 SelfSubjectReview: who am I? (`auth whoami`) */
export const selfSubjectReviews = reviewKind('authentication.k8s.io', 'SelfSubjectReview', 'selfsubjectreviews', (object, user) => {
  const userInfo: Record<string, unknown> = { username: user.name, groups: user.groups };
  if (user.uid) userInfo.uid = user.uid;
  return { apiVersion: object.apiVersion, kind: object.kind, metadata: { creationTimestamp: null as unknown as string }, status: { userInfo } };
});
