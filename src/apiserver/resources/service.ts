import { defaultService, nameIsDNS1035Label, validateService, type KubeObject } from '../../api/index.js';
import { formatLabels } from './cell-format.js';
import { ageColumn, type ResourceDef } from './resource-def.js';

interface Service extends KubeObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    externalName?: string;
    ports?: { port: number; nodePort?: number; protocol?: string }[];
    selector?: Record<string, string>;
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

function clusterIP(service: Service): string {
  return service.spec?.clusterIPs?.[0] || service.spec?.clusterIP || '<none>';
}

/** upstream's loadBalancerStatusStringer as the server renders it (wide: never clipped). */
function loadBalancerAddresses(service: Service): string {
  const addresses = new Set<string>();
  for (const ingress of service.status?.loadBalancer?.ingress ?? []) {
    if (ingress.ip) addresses.add(ingress.ip);
    else if (ingress.hostname) addresses.add(ingress.hostname);
  }
  return [...addresses].sort().join(',');
}

function externalIP(service: Service): string {
  const externalIPs = service.spec?.externalIPs ?? [];
  switch (service.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const balancer = loadBalancerAddresses(service);
      if (externalIPs.length > 0) return [...(balancer ? balancer.split(',') : []), ...externalIPs].join(',');
      return balancer || '<pending>';
    }
    case 'ExternalName':
      return service.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function ports(service: Service): string {
  const text = (service.spec?.ports ?? [])
    .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`))
    .join(',');
  return text || '<none>';
}

/** core/v1 services. */
export const services: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  subresources: ['status', 'proxy'],
  nameValidator: nameIsDNS1035Label,
  defaults: defaultService,
  validate: validateService,
  columns: [
    {
      name: 'Type',
      type: 'string',
      priority: 0,
      description:
        'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types',
      cell: (object) => (object as Service).spec?.type ?? '',
    },
    {
      name: 'Cluster-IP',
      type: 'string',
      priority: 0,
      description:
        'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).\n\nValid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.\n\nOnly applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
      cell: (object) => clusterIP(object as Service),
    },
    {
      name: 'External-IP',
      type: 'string',
      priority: 0,
      description:
        'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.\n\nThese IPs are not managed by Kubernetes.\n\nThe user is responsible for ensuring that traffic arrives at a node with this IP.\n\nA common example is external load-balancers that are not part of the Kubernetes system.',
      cell: (object) => externalIP(object as Service),
    },
    {
      name: 'Port(s)',
      type: 'string',
      priority: 0,
      description:
        'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
      cell: (object) => ports(object as Service),
    },
    ageColumn,
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description:
        'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/',
      cell: (object) => formatLabels((object as Service).spec?.selector),
    },
  ],
  fieldSelectors: {
    'spec.clusterIP': (object) => (object as Service).spec?.clusterIP ?? '',
    'spec.type': (object) => (object as Service).spec?.type ?? '',
  },
  prepareForCreate(object) {
    object.status = { loadBalancer: {} };
  },
  prepareForUpdate(object, old) {
    const spec = ((object as Service).spec ??= {}) as Record<string, unknown>;
    const before = ((old as Service).spec ?? {}) as Record<string, unknown>;
    for (const field of ['clusterIP', 'clusterIPs', 'ipFamilies']) if (spec[field] === undefined && before[field] !== undefined) spec[field] = before[field];
  },
};
