import type { KubeObject } from '../api/index.js';

/** How the simulated nodes look. */
export interface SimNodeShape {
  count: number;
  namePrefix: string;
  cpu: string;
  memory: string;
  pods: number;
  /** label key → values; node i gets values[i % values.length] */
  labels: Array<{ key: string; values: string[] }>;
}

/** The label that marks a node as simulated (so a user can select or delete them). */
export const simulatedNodeLabel = 'node.skiff.dev/simulated';

/** Parses `zone=a|b|c,tier=x` into cycling label values; throws on malformed input. */
export function parseLabelSpec(spec: string): SimNodeShape['labels'] {
  if (!spec.trim()) return [];
  return spec.split(',').map((part) => {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`--labels: expected key=value[|value…], got ${JSON.stringify(part)}`);
    const values = part.slice(eq + 1).split('|');
    if (values.some((v) => !/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(v))) throw new Error(`--labels: invalid label value in ${JSON.stringify(part)}`);
    return { key: part.slice(0, eq), values };
  });
}

/** The name of node i. */
export function simNodeName(shape: SimNodeShape, i: number): string {
  return `${shape.namePrefix}${i}`;
}

/** Node i as registered: labels, capacity = allocatable, Ready. */
export function simNode(shape: SimNodeShape, i: number, nowIso: string): KubeObject & { status: Record<string, unknown> } {
  const name = simNodeName(shape, i);
  const labels: Record<string, string> = { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', [simulatedNodeLabel]: 'true' };
  for (const l of shape.labels) labels[l.key] = l.values[i % l.values.length];
  const resources = { cpu: shape.cpu, memory: shape.memory, pods: String(shape.pods), 'ephemeral-storage': '100Gi' };
  const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastHeartbeatTime: nowIso, lastTransitionTime: nowIso });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels, annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: `10.250.${(i >> 8) & 255}.${i & 255}` },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: { kubeletVersion: 'v1.32.0-skiff-sim', containerRuntimeVersion: 'sim://0', operatingSystem: 'linux', architecture: 'amd64', kernelVersion: '', osImage: 'simulated', kubeProxyVersion: '', machineID: '', systemUUID: '', bootID: '' },
    },
  };
}
