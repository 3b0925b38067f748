import { ApiError, type KubeObject } from '../api/index.js';
import { formatMicroTime, Informer, realClock, silentLogger, sleep, type Client, type Clock, type Logger } from '../client/index.js';
import { forEachBounded } from './bounded.js';
import { simNode, simNodeName, type SimNodeShape } from './sim-node-spec.js';

interface SimPod extends KubeObject {
  spec: { nodeName?: string; containers?: Array<{ name: string; image?: string }>; initContainers?: Array<{ name: string }> };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string }> };
}

/** How a SimNodes set runs. */
export interface SimNodesOptions extends SimNodeShape {
  client: Client;
  logger?: Logger;
  clock?: Clock;
  /** register Leases in kube-node-lease and renew them (default true) */
  leases?: boolean;
  /** Lease renewal period, spread over all nodes (10 s, as the kubelet) */
  leaseRenewMs?: number;
  leaseDurationSeconds?: number;
  /** API calls in flight for registration, lease renewals and cleanup (default 32) */
  concurrency?: number;
  /** pod status writes in flight (default 64) */
  podConcurrency?: number;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const isNotFound = (e: unknown) => e instanceof ApiError && e.reason === 'NotFound';
const isConflictOrExists = (e: unknown) => e instanceof ApiError && (e.reason === 'AlreadyExists' || e.reason === 'Conflict');

/**
 * N simulated nodes (like kwok): registers Ready Nodes with their Leases, renews the Leases in
 * one loop that spreads N renewals over each period with bounded concurrency, turns pods bound to
 * them Running and Ready (fake pod IP, no containers) through one pod informer, finishes their
 * deletion at once, and removes the Nodes and Leases when stopped.
 */
export class SimNodes {
  private readonly client: Client;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly names = new Set<string>();
  private readonly inFlight = new Set<string>();
  private readonly podQueue: SimPod[] = [];
  private podWorkers = 0;
  private nextIp = 0;
  private renewed = 0;
  private started = false;

  constructor(private readonly options: SimNodesOptions) {
    this.client = options.client;
    this.logger = (options.logger ?? silentLogger()).child({ component: 'sim' });
    this.clock = options.clock ?? realClock;
    for (let i = 0; i < options.count; i++) this.names.add(simNodeName(options, i));
  }

  /** The node names this set owns. */
  nodeNames(): string[] {
    return [...this.names];
  }

  /** Lease renewals written so far. */
  get leaseRenewals(): number {
    return this.renewed;
  }

  /** Registers the nodes (and Leases); resolves once all exist. Throws with the first error if some could not be registered. */
  async register(): Promise<void> {
    const nodes = this.client.resource('nodes');
    const now = rfc3339(this.clock.now());
    const errors = await forEachBounded(
      Array.from({ length: this.options.count }, (_, i) => i),
      this.options.concurrency ?? 32,
      async (i) => {
        const node = simNode(this.options, i, now);
        let created: KubeObject;
        try {
          created = await nodes.create(undefined, node);
        } catch (error) {
          if (!isConflictOrExists(error)) throw error;
          created = await nodes.get(undefined, node.metadata.name!);
        }
        await nodes.patch(undefined, node.metadata.name!, { status: node.status }, 'merge', { subresource: 'status', fieldManager: 'skiff-sim' });
        if (this.options.leases !== false) await this.renewLease(node.metadata.name!, created.metadata.uid);
      },
    );
    if (errors.length > 0) throw errors[0];
  }

  private async renewLease(name: string, nodeUid?: string): Promise<void> {
    const leases = this.client.resource('leases');
    const spec = { holderIdentity: name, leaseDurationSeconds: this.options.leaseDurationSeconds ?? 40, renewTime: formatMicroTime(this.clock.now()) };
    try {
      await leases.patch('kube-node-lease', name, { spec }, 'merge');
    } catch (error) {
      if (!isNotFound(error)) throw error;
      const ownerReferences = nodeUid ? [{ apiVersion: 'v1', kind: 'Node', name, uid: nodeUid }] : undefined;
      await leases.create('kube-node-lease', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease', ownerReferences }, spec });
    }
    this.renewed++;
  }

  /** Registers, then renews Leases and runs bound pods until `signal` aborts; then removes the nodes. */
  async run(signal: AbortSignal, onReady?: () => void): Promise<void> {
    if (this.started) throw new Error('SimNodes already running');
    this.started = true;
    await this.register();
    const pods = new Informer<SimPod>(this.client.resource<SimPod>('pods'), { fieldSelector: 'spec.nodeName!=', logger: this.logger, clock: this.clock });
    pods.addEventHandler({ onAdd: (p) => this.onPod(p), onUpdate: (_old, p) => this.onPod(p) });
    pods.start(signal);
    await pods.waitForSync(signal);
    onReady?.();
    this.logger.info({ nodes: this.options.count }, 'simulated nodes ready');
    if (this.options.leases !== false) await this.leaseLoop(signal);
    else await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
    await this.cleanup();
  }

  private async leaseLoop(signal: AbortSignal): Promise<void> {
    const period = this.options.leaseRenewMs ?? 10_000;
    const names = this.nodeNames();
    const tickMs = Math.max(50, Math.min(1000, period / Math.max(1, names.length)));
    const perTick = Math.max(1, Math.ceil((names.length * tickMs) / period));
    let cursor = 0;
    while (!signal.aborted) {
      const batch: string[] = [];
      for (let k = 0; k < perTick && names.length > 0; k++) batch.push(names[cursor++ % names.length]);
      const started = this.clock.now();
      const errors = await forEachBounded(batch, this.options.concurrency ?? 32, (n) => this.renewLease(n));
      if (errors.length > 0 && !signal.aborted) this.logger.warn({ err: errors[0], failed: errors.length }, 'lease renewals failed');
      const wait = Math.max(0, tickMs - (this.clock.now() - started));
      await sleep(this.clock, wait, signal);
    }
  }

  private onPod(pod: SimPod): void {
    const node = pod.spec.nodeName;
    if (!node || !this.names.has(node)) return;
    const uid = pod.metadata.uid ?? '';
    if (this.inFlight.has(uid)) return;
    const running = pod.status?.phase === 'Running' && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (!pod.metadata.deletionTimestamp && (running || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')) return;
    this.inFlight.add(uid);
    this.podQueue.push(pod);
    this.pumpPods();
  }

  private pumpPods(): void {
    while (this.podWorkers < (this.options.podConcurrency ?? 64) && this.podQueue.length > 0) {
      const pod = this.podQueue.shift()!;
      this.podWorkers++;
      void this.syncPod(pod)
        .catch((error: unknown) => {
          if (!isNotFound(error)) this.logger.warn({ err: error, pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'simulated pod update failed');
        })
        .finally(() => {
          this.podWorkers--;
          this.inFlight.delete(pod.metadata.uid ?? '');
          this.pumpPods();
        });
    }
  }

  private async syncPod(pod: SimPod): Promise<void> {
    const pods = this.client.resource<SimPod>('pods');
    if (pod.metadata.deletionTimestamp) {
      await pods.delete(pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      return;
    }
    const now = rfc3339(this.clock.now());
    const n = this.nextIp++;
    const podIP = `10.${64 + (Math.floor(n / 65024) % 64)}.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`;
    const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
    const status = {
      phase: 'Running',
      conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
      hostIP: '10.250.0.1',
      hostIPs: [{ ip: '10.250.0.1' }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: now,
      containerStatuses: (pod.spec.containers ?? []).map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        containerID: `sim://${pod.metadata.uid}-${c.name}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      })),
    };
    await pods.patch(pod.metadata.namespace, pod.metadata.name!, { status }, 'merge', { subresource: 'status', fieldManager: 'skiff-sim' });
  }

  /** Deletes the nodes and their Leases. */
  async cleanup(): Promise<void> {
    const nodes = this.client.resource('nodes');
    const leases = this.client.resource('leases');
    const errors = await forEachBounded(this.nodeNames(), this.options.concurrency ?? 32, async (name) => {
      await Promise.all([
        nodes.delete(undefined, name).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        }),
        leases.delete('kube-node-lease', name).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        }),
      ]);
    });
    if (errors.length > 0) this.logger.warn({ err: errors[0], failed: errors.length }, 'some simulated nodes could not be removed');
    else this.logger.info({ nodes: this.names.size }, 'simulated nodes removed');
  }
}
