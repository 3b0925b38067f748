/** Where a kind lives in the API: its group, version, plural resource name and scope. */
export interface ResourceType {
  /** '' for the core group */
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  kind?: string;
}

const core = (plural: string, kind: string, namespaced = true): ResourceType => ({ group: '', version: 'v1', plural, kind, namespaced });
const apps = (plural: string, kind: string): ResourceType => ({ group: 'apps', version: 'v1', plural, kind, namespaced: true });

/** The kinds the built-in components use, by plural name. */
export const wellKnownResources = {
  pods: core('pods', 'Pod'),
  nodes: core('nodes', 'Node', false),
  namespaces: core('namespaces', 'Namespace', false),
  services: core('services', 'Service'),
  endpoints: core('endpoints', 'Endpoints'),
  configmaps: core('configmaps', 'ConfigMap'),
  secrets: core('secrets', 'Secret'),
  serviceaccounts: core('serviceaccounts', 'ServiceAccount'),
  events: core('events', 'Event'),
  persistentvolumeclaims: core('persistentvolumeclaims', 'PersistentVolumeClaim'),
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
  deployments: apps('deployments', 'Deployment'),
  replicasets: apps('replicasets', 'ReplicaSet'),
  daemonsets: apps('daemonsets', 'DaemonSet'),
  statefulsets: apps('statefulsets', 'StatefulSet'),
  controllerrevisions: apps('controllerrevisions', 'ControllerRevision'),
  jobs: { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', namespaced: true },
  cronjobs: { group: 'batch', version: 'v1', plural: 'cronjobs', kind: 'CronJob', namespaced: true },
  endpointslices: { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true },
} satisfies Record<string, ResourceType>;

export type WellKnownResource = keyof typeof wellKnownResources;

/** `apiVersion` as written in objects: `v1` for core, `group/version` otherwise. */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/**
 * The path of a collection, an object or one of its subresources:
 * `/api/v1/namespaces/{ns}/{plural}/{name}/{sub}` for core, `/apis/{group}/{version}/…` otherwise.
 * A namespaced type with no namespace gives the all-namespaces collection.
 */
export function resourcePath(type: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  let path = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  if (type.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${type.plural}`;
  if (name !== undefined) {
    if (!name) throw new Error(`a ${type.kind ?? type.plural} name must not be empty`);
    path += `/${encodeURIComponent(name)}`;
    if (subresource) path += `/${subresource}`;
  } else if (subresource) {
    throw new Error(`subresource ${subresource} needs an object name`);
  }
  return path;
}
