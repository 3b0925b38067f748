import { configMaps } from './config-map.js';
import { controllerRevisions } from './controller-revision.js';
import { cronJobs } from './cron-job.js';
import { daemonSets } from './daemon-set.js';
import { deployments } from './deployment.js';
import { endpointSlices } from './endpoint-slice.js';
import { endpoints } from './endpoints.js';
import { events } from './event.js';
import { eventsEvents } from './events-event.js';
import { jobs } from './job.js';
import { leases } from './lease.js';
import { namespaces } from './namespace.js';
import { nodes } from './node.js';
import { podDisruptionBudgets } from './pod-disruption-budget.js';
import { pods } from './pod.js';
import { priorityClasses } from './priority-class.js';
import { replicaSets } from './replica-set.js';
import { selfSubjectAccessReviews, selfSubjectReviews, selfSubjectRulesReviews } from './self-reviews.js';
import type { ResourceDef } from './resource-def.js';
import { secrets } from './secret.js';
import { serviceAccounts } from './service-account.js';
import { services } from './service.js';
import { statefulSets } from './stateful-set.js';

export * from './resource-def.js';
export { podQosClass } from './pod-qos.js';

/**
 * Every kind the API server serves: core/v1 first, then the groups alphabetically. Each entry is a
 * parent resource; its subresources are listed on it.
 */
export const allResources: ResourceDef[] = [
  namespaces,
  pods,
  nodes,
  services,
  endpoints,
  configMaps,
  secrets,
  serviceAccounts,
  events,
  controllerRevisions,
  daemonSets,
  deployments,
  replicaSets,
  statefulSets,
  selfSubjectReviews,
  selfSubjectAccessReviews,
  selfSubjectRulesReviews,
  cronJobs,
  jobs,
  leases,
  endpointSlices,
  eventsEvents,
  podDisruptionBudgets,
  priorityClasses,
];
