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

const suffixes: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A resource.Quantity as a plain number (`100m` → 0.1, `1Gi` → 1073741824); NaN when unparsable. */
export function quantityValue(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^([+-]?[0-9.]+)(?:([eE][+-]?[0-9]+)|([a-zA-Z]*))$/.exec(quantity.trim());
  if (!match) return NaN;
  const base = Number(match[1]);
  if (match[2]) return base * 10 ** Number(match[2].slice(1));
  const multiplier = suffixes[match[3] ?? ''];
  return multiplier === undefined ? NaN : base * multiplier;
}

const qosResources = new Set(['cpu', 'memory']);

function sameQuantity(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(Math.abs(a), Math.abs(b)) * 1e-12;
}

/**
 * upstream's GetPodQOS: BestEffort when no container asks for cpu or memory, Guaranteed when every
 * container's cpu and memory requests equal its limits, Burstable otherwise. A request left out
 * counts as equal to its limit, as upstream's defaulting makes it.
 */
export function podQosClass(pod: QosPodShape): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const add = (into: Map<string, number>, name: string, value: number) => into.set(name, (into.get(name) ?? 0) + value);
  const containerSets = pod.spec?.resources ? [pod.spec.resources] : [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => c.resources ?? {});
  for (const resources of containerSets) {
    const limitsFound = new Set<string>();
    const explicitRequests = resources.requests ?? {};
    const effectiveRequests: Record<string, string | number> = { ...explicitRequests };
    for (const [name, value] of Object.entries(resources.limits ?? {})) if (!(name in effectiveRequests)) effectiveRequests[name] = value;
    for (const [name, value] of Object.entries(effectiveRequests)) {
      const amount = quantityValue(value);
      if (qosResources.has(name) && amount > 0) add(requests, name, amount);
    }
    for (const [name, value] of Object.entries(resources.limits ?? {})) {
      const amount = quantityValue(value);
      if (qosResources.has(name) && amount > 0) {
        limitsFound.add(name);
        add(limits, name, amount);
      }
    }
    if (!limitsFound.has('cpu') || !limitsFound.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, amount] of requests) {
      const limit = limits.get(name);
      if (limit === undefined || !sameQuantity(limit, amount)) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
