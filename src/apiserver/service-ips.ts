import { ApiError, invalid, fieldError, ipv4Number, ipv4String, parseIpv4Network, type KubeObject } from '../api/index.js';
import type { Admit, ObjectStorage } from './object-storage.js';

interface ServicePort {
  name?: string;
  port?: number;
  nodePort?: number;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  ports?: ServicePort[];
}

/** An IPv4 range as first address and size (`10.43.0.0/16`). */
export interface Ipv4Range {
  base: number;
  size: number;
  text: string;
}

/** `--service-cidr` as a range; only /8 to /30 leave room for Services and are not absurdly large. */
export function parseIpv4Cidr(cidr: string): Ipv4Range {
  const network = parseIpv4Network(cidr);
  if (!network || network.bits < 8 || network.bits > 30) throw new Error(`not an IPv4 CIDR between /8 and /30: ${cidr}`);
  return { base: network.base, size: 2 ** (32 - network.bits), text: cidr };
}

/** The address `kubernetes.default` gets: the first of the service range. */
export function apiServiceIp(range: Ipv4Range): string {
  return ipv4String(range.base + 1);
}

const nodePortRange = { min: 30000, max: 32767 };

/**
 * Upstream's service IP and node port allocators as an admission step: a new Service gets a
 * ClusterIP from `--service-cidr` (or keeps the one asked for, if free and in range) and its
 * NodePort/LoadBalancer ports get node ports from 30000–32767. What is taken is read from the
 * watch cache plus the allocations this server handed out moments ago, so releasing is implicit
 * in deleting the Service.
 */
export function serviceIpAllocation(services: () => ObjectStorage, range: Ipv4Range): Admit {
  const recentIps = new Map<number, number>();
  const recentPorts = new Map<number, number>();
  const remember = (map: Map<number, number>, key: number) => {
    const now = Date.now();
    for (const [k, at] of map) if (now - at > 10_000) map.delete(k);
    map.set(key, now);
  };
  return async (operation, def, object) => {
    if (operation !== 'CREATE' || def.group !== '' || def.plural !== 'services') return;
    const spec = ((object.spec ??= {}) as ServiceSpec);
    if (spec.type === 'ExternalName') return;
    const existing = services().cache.list(services().prefix, () => true).map((e) => e.object);
    if (spec.clusterIP !== 'None') allocateClusterIp(object, spec, existing, range, recentIps, (ip) => remember(recentIps, ip));
    else spec.clusterIPs = ['None'];
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') allocateNodePorts(object, spec, existing, recentPorts, (p) => remember(recentPorts, p));
  };
}

function allocateClusterIp(object: KubeObject, spec: ServiceSpec, existing: KubeObject[], range: Ipv4Range, recent: Map<number, number>, remember: (ip: number) => void): void {
  const used = new Set<number>(recent.keys());
  for (const service of existing) {
    for (const ip of (service.spec as ServiceSpec | undefined)?.clusterIPs ?? []) {
      const n = ipv4Number(ip);
      if (n !== undefined) used.add(n);
    }
  }
  const asked = spec.clusterIP || spec.clusterIPs?.[0];
  let chosen: number | undefined;
  if (asked) {
    const n = ipv4Number(asked);
    const name = object.metadata.name ?? '';
    if (n === undefined || n <= range.base || n >= range.base + range.size - 1) {
      throw invalid('Service', name, [fieldError('FieldValueInvalid', 'spec.clusterIPs', `failed to allocate IP ${asked}: the provided IP (${asked}) is not in the valid range. The range of valid IPs is ${range.text}`, [asked])]);
    }
    if (used.has(n)) throw invalid('Service', name, [fieldError('FieldValueInvalid', 'spec.clusterIPs', `failed to allocate IP ${asked}: provided IP is already allocated`, [asked])]);
    chosen = n;
  } else {
    const usable = range.size - 2;
    const start = Math.floor(Math.random() * usable);
    for (let i = 0; i < usable && chosen === undefined; i++) {
      const candidate = range.base + 1 + ((start + i) % usable);
      if (!used.has(candidate)) chosen = candidate;
    }
    if (chosen === undefined) throw new ApiError('InternalError', `Internal error occurred: failed to allocate a serviceIP: range is full`);
  }
  remember(chosen);
  spec.clusterIP = ipv4String(chosen);
  spec.clusterIPs = [spec.clusterIP];
  spec.ipFamilies ??= ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';
}

function allocateNodePorts(object: KubeObject, spec: ServiceSpec, existing: KubeObject[], recent: Map<number, number>, remember: (port: number) => void): void {
  const used = new Set<number>(recent.keys());
  for (const service of existing) for (const p of (service.spec as ServiceSpec | undefined)?.ports ?? []) if (p.nodePort) used.add(p.nodePort);
  const size = nodePortRange.max - nodePortRange.min + 1;
  for (const [i, port] of (spec.ports ?? []).entries()) {
    if (port.nodePort) {
      if (used.has(port.nodePort)) {
        throw invalid('Service', object.metadata.name ?? '', [fieldError('FieldValueInvalid', `spec.ports[${i}].nodePort`, 'provided port is already allocated', port.nodePort)]);
      }
    } else {
      const start = Math.floor(Math.random() * size);
      for (let k = 0; k < size; k++) {
        const candidate = nodePortRange.min + ((start + k) % size);
        if (!used.has(candidate)) {
          port.nodePort = candidate;
          break;
        }
      }
      if (!port.nodePort) throw new ApiError('InternalError', 'Internal error occurred: failed to allocate a nodePort: range is full');
    }
    used.add(port.nodePort);
    remember(port.nodePort);
  }
}
