import { isValidQuantity, parseQuantityValue } from '../../api/index.js';

/** The resource requirements of one container, as on the wire. */
export interface ResourceRequirementsShape {
  requests?: Record<string, string | number>;
  limits?: Record<string, string | number>;
}

export interface QosPodShape {
  spec?: {
    containers?: { resources?: ResourceRequirementsShape }[];
    initContainers?: { resources?: ResourceRequirementsShape }[];
    resources?: ResourceRequirementsShape;
  };
}

const qosResources = new Set(['cpu', 'memory']);

/**
 * upstream's GetPodQOS: BestEffort when no container asks for cpu or memory, Guaranteed when every
 * container's cpu and memory requests equal its limits, Burstable otherwise. A request left out
 * counts as equal to its limit, as upstream's defaulting makes it.
 */
export function podQosClass(pod: QosPodShape): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  const add = (into: Map<string, bigint>, name: string, value: bigint) => into.set(name, (into.get(name) ?? 0n) + value);
  const resourceSets = pod.spec?.resources
    ? [pod.spec.resources]
    : [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => c.resources ?? {});
  for (const resources of resourceSets) {
    const limitsFound = new Set<string>();
    const effectiveRequests = { ...resources.limits, ...resources.requests };
    for (const [name, value] of Object.entries(effectiveRequests)) {
      const amount = nanos(value);
      if (qosResources.has(name) && amount > 0n) add(requests, name, amount);
    }
    for (const [name, value] of Object.entries(resources.limits ?? {})) {
      const amount = nanos(value);
      if (qosResources.has(name) && amount > 0n) {
        limitsFound.add(name);
        add(limits, name, amount);
      }
    }
    if (!limitsFound.has('cpu') || !limitsFound.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, amount] of requests) if (limits.get(name) !== amount) guaranteed = false;
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

function nanos(value: string | number): bigint {
  if (typeof value === 'number') return BigInt(Math.round(value * 1e9));
  return isValidQuantity(value) ? parseQuantityValue(value).nanos : 0n;
}
