import type { Logger } from 'pino';
import { ApiError, type KubeObject } from '../api/index.js';
import { formatMicroTime, sleep, type Client, type Clock } from '../client/index.js';
import type { MachineInfo } from './node-info.js';
import { rfc3339 } from './pod-types.js';

/** How the kubelet describes its Node. */
export interface NodeConfig {
  nodeName: string;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
  controlPlane: boolean;
  machine: MachineInfo;
  runtime: { name: string; version: string };
  kubeletVersion: string;
  maxPods: number;
  /** the port the kubelet's HTTP server listens on (0: none yet) */
  kubeletPort: number;
  leaseDurationSeconds?: number;
  /** Lease renewal period (10 s) */
  leaseRenewMs?: number;
  /** how often the status is checked for changes (10 s) */
  statusCheckMs?: number;
  /** status written at least this often even unchanged (5 min) */
  statusReportMs?: number;
}

interface Node extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[]; taints?: NodeConfig['taints'] };
  status?: { conditions?: { type: string; status: string; lastHeartbeatTime?: string; lastTransitionTime?: string; reason?: string; message?: string }[] } & Record<string, unknown>;
}

/**
 * Registers the Node, renews its Lease in `kube-node-lease` every 10 s, and writes its status
 * (capacity, allocatable, addresses, nodeInfo, Ready and pressure conditions) when it changes
 * and at least every 5 minutes. Keeps retrying while the API server is away.
 */
export class NodeStatusManager {
  /** the registered Node, once known */
  node: Node | undefined;
  private lastStatus = '';
  private lastReport = 0;

  constructor(
    private readonly client: Client,
    private readonly config: NodeConfig,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Node labels: hostname, os, arch, control-plane role, then `--node-labels`. */
  labels(): Record<string, string> {
    return {
      'kubernetes.io/hostname': this.config.nodeName,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': this.config.machine.architecture,
      'beta.kubernetes.io/os': 'linux',
      'beta.kubernetes.io/arch': this.config.machine.architecture,
      ...(this.config.controlPlane ? { 'node-role.kubernetes.io/control-plane': 'true' } : {}),
      ...this.config.labels,
    };
  }

  /** The status the kubelet reports, with heartbeat times from `previous` when unchanged. */
  status(previous?: Node): Record<string, unknown> {
    const m = this.config.machine;
    const now = rfc3339(this.clock.now());
    const resources = { cpu: String(m.cpus), memory: `${Math.floor(m.memoryBytes / 1024)}Ki`, pods: String(this.config.maxPods), 'ephemeral-storage': `${Math.floor(m.ephemeralStorageBytes / 1024)}Ki` };
    const cond = (type: string, status: string, reason: string, message: string) => {
      const prev = previous?.status?.conditions?.find((c) => c.type === type);
      return { type, status, lastHeartbeatTime: now, lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now, reason, message };
    };
    return {
      capacity: resources,
      allocatable: resources,
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: m.internalIP },
        { type: 'Hostname', address: this.config.nodeName },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: this.config.kubeletPort } },
      nodeInfo: {
        machineID: m.machineID,
        systemUUID: m.machineID,
        bootID: m.bootID,
        kernelVersion: m.kernelVersion,
        osImage: m.osImage,
        containerRuntimeVersion: `${this.config.runtime.name}://${this.config.runtime.version}`,
        kubeletVersion: this.config.kubeletVersion,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: m.architecture,
      },
    };
  }

  /** Creates the Node if missing (or adopts the existing one); resolves once registered. */
  async register(signal: AbortSignal): Promise<Node | undefined> {
    const nodes = this.client.resource<Node>('nodes');
    let delay = 500;
    while (!signal.aborted) {
      try {
        try {
          this.node = await nodes.get(undefined, this.config.nodeName);
        } catch (error) {
          if (!(error instanceof ApiError && error.reason === 'NotFound')) throw error;
          this.node = await nodes.create(undefined, {
            apiVersion: 'v1',
            kind: 'Node',
            metadata: { name: this.config.nodeName, labels: this.labels(), annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
            spec: this.config.taints.length ? { taints: this.config.taints } : {},
          });
          this.logger.info({ node: this.config.nodeName }, 'node registered');
        }
        await this.updateStatus(true);
        return this.node;
      } catch (error) {
        this.logger.warn({ err: error }, 'node registration failed; retrying');
        if (!(await sleep(this.clock, delay, signal))) break;
        delay = Math.min(delay * 2, 7000);
      }
    }
    return undefined;
  }

  /** Writes the status if it changed or the report period passed (or `force`). */
  async updateStatus(force = false): Promise<void> {
    const nodes = this.client.resource<Node>('nodes');
    const status = this.status(this.node);
    const comparable = JSON.stringify({ ...status, conditions: (status.conditions as { type: string; status: string }[]).map((c) => [c.type, c.status]) });
    const now = this.clock.now();
    if (!force && comparable === this.lastStatus && now - this.lastReport < (this.config.statusReportMs ?? 300_000)) return;
    this.node = await nodes.patch(undefined, this.config.nodeName, { status }, 'merge', { subresource: 'status', fieldManager: 'kubelet' });
    this.lastStatus = comparable;
    this.lastReport = now;
  }

  /** Renews (or creates) the node's Lease once. */
  async renewLease(): Promise<void> {
    const leases = this.client.resource('leases');
    const now = formatMicroTime(this.clock.now());
    const spec = { holderIdentity: this.config.nodeName, leaseDurationSeconds: this.config.leaseDurationSeconds ?? 40, renewTime: now };
    const ownerReferences = this.node?.metadata.uid ? [{ apiVersion: 'v1', kind: 'Node', name: this.config.nodeName, uid: this.node.metadata.uid }] : undefined;
    try {
      const lease = await leases.get('kube-node-lease', this.config.nodeName);
      await leases.update('kube-node-lease', { ...lease, spec: { ...(lease.spec as object), ...spec } });
    } catch (error) {
      if (!(error instanceof ApiError && error.reason === 'NotFound')) throw error;
      await leases.create('kube-node-lease', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.config.nodeName, namespace: 'kube-node-lease', ...(ownerReferences ? { ownerReferences } : {}) }, spec });
    }
  }

  /** Registers, then renews the Lease and checks the status on their periods until `signal` aborts. */
  async run(signal: AbortSignal, onRegistered?: () => void): Promise<void> {
    if (!(await this.register(signal))) return;
    onRegistered?.();
    const loop = async (periodMs: number, what: string, fn: () => Promise<void>) => {
      do {
        try {
          await fn();
        } catch (error) {
          if (!signal.aborted) this.logger.warn({ err: error }, `${what} failed`);
        }
      } while (await sleep(this.clock, periodMs, signal));
    };
    await Promise.all([loop(this.config.leaseRenewMs ?? 10_000, 'lease renewal', () => this.renewLease()), loop(this.config.statusCheckMs ?? 10_000, 'node status update', () => this.updateStatus())]);
  }
}
