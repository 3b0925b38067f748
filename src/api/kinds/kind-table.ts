import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { defaultConfigMap, validateConfigMap } from './config-map.js';
import { defaultCronJob, validateCronJob } from './cron-job.js';
import { defaultDaemonSet, validateDaemonSet } from './daemon-set.js';
import { defaultDeployment, validateDeployment } from './deployment.js';
import { defaultEndpointSlice, validateEndpointSlice } from './endpoint-slice.js';
import { defaultEndpoints, validateEndpoints } from './endpoints.js';
import { defaultEvent, validateEvent, validateEventsV1Event } from './event.js';
import { defaultJob, validateJob } from './job.js';
import { defaultLease, validateLease } from './lease.js';
import { defaultNamespace, validateNamespace } from './namespace.js';
import { defaultNode, validateNode } from './node.js';
import { defaultPod } from './pod-defaults.js';
import { validatePod } from './pod-validation.js';
import { defaultReplicaSet, validateReplicaSet } from './replica-set.js';
import { defaultSecret, validateSecret } from './secret.js';
import { defaultServiceAccount, validateServiceAccount } from './service-account.js';
import { defaultService, validateService } from './service.js';
import { defaultStatefulSet, validateStatefulSet } from './stateful-set.js';

/** A kind's defaulter (mutates) and spec validator (`old` on update). */
export interface KindRules {
  default: (obj: KubeObject) => void;
  validate: (obj: KubeObject, old?: KubeObject) => FieldError[];
}

/** Defaulting and validation for each kind, keyed by `group/Kind` (`Kind` alone for the core group). */
export const kindRules: Readonly<Record<string, KindRules>> = {
  Namespace: { default: defaultNamespace, validate: validateNamespace },
  Pod: { default: defaultPod, validate: validatePod },
  Node: { default: defaultNode, validate: validateNode },
  Service: { default: defaultService, validate: validateService },
  Endpoints: { default: defaultEndpoints, validate: validateEndpoints },
  ConfigMap: { default: defaultConfigMap, validate: validateConfigMap },
  Secret: { default: defaultSecret, validate: validateSecret },
  ServiceAccount: { default: defaultServiceAccount, validate: validateServiceAccount },
  Event: { default: defaultEvent, validate: validateEvent },
  'events.k8s.io/Event': { default: defaultEvent, validate: validateEventsV1Event },
  'apps/Deployment': { default: defaultDeployment, validate: validateDeployment },
  'apps/ReplicaSet': { default: defaultReplicaSet, validate: validateReplicaSet },
  'apps/DaemonSet': { default: defaultDaemonSet, validate: validateDaemonSet },
  'apps/StatefulSet': { default: defaultStatefulSet, validate: validateStatefulSet },
  'batch/Job': { default: defaultJob, validate: validateJob },
  'batch/CronJob': { default: defaultCronJob, validate: validateCronJob },
  'coordination.k8s.io/Lease': { default: defaultLease, validate: validateLease },
  'discovery.k8s.io/EndpointSlice': { default: defaultEndpointSlice, validate: validateEndpointSlice },
};

/** The rules for a group and kind, or undefined for kinds without any. */
export function rulesFor(group: string, kind: string): KindRules | undefined {
  return kindRules[group ? `${group}/${kind}` : kind];
}
