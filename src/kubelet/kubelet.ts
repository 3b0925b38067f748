import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ApiError, type KubeObject } from '../api/index.js';
import { realClock, sleep, type Client, type Clock, type Informer, SharedInformerFactory } from '../client/index.js';
import type { ContainerRuntime } from '../runtime/index.js';
import { apiConfigLookup } from './api-config-lookup.js';
import { Backoff } from './backoff.js';
import type { ConfigLookup } from './env.js';
import { EventRecorder } from './event-recorder.js';
import { MirrorPodManager } from './mirror-pods.js';
import { readMachineInfo, type MachineInfo } from './node-info.js';
import { NodeStatusManager } from './node-status.js';
import { computePodStatus } from './pod-status-compute.js';
import { PodSyncer } from './pod-sync.js';
import { configAnnotations, isMirrorPod, isStaticPod, type Pod, type PodStatus } from './pod-types.js';
import { PodWorkers, type WorkResult } from './pod-workers.js';
import { ProberManager } from './prober/prober-manager.js';
import { FileSource } from './sources/file-source.js';
import { HttpSource } from './sources/http-source.js';
import { StatusManager } from './status-manager.js';
import { VolumeManager } from './volume-manager.js';

/** How a kubelet is set up. */
export interface KubeletOptions {
  nodeName: string;
  runtime: ContainerRuntime;
  /** the API; absent means static pods only */
  client?: Client;
  dataDir: string;
  logger: Logger;
  clock?: Clock;
  /** `--pod-manifest-path` (default `<data-dir>/manifests`; empty string: none) */
  podManifestPath?: string;
  /** `--manifest-url` */
  manifestUrl?: string;
  /** `--node-labels` */
  nodeLabels?: Record<string, string>;
  /** `--register-with-taints` */
  taints?: { key: string; value?: string; effect: string }[];
  /** label the node `node-role.kubernetes.io/control-plane` */
  controlPlane?: boolean;
  clusterDNS?: string[];
  clusterDomain?: string;
  maxPods?: number;
  /** override what is read from the machine (tests) */
  machine?: Partial<MachineInfo>;
  /** relist period of the runtime (upstream's PLEG, 1 s) */
  relistMs?: number;
  /** mirror pod check period (10 s) */
  mirrorCheckMs?: number;
  /** manifest folder rescan period (20 s) */
  fileCheckMs?: number;
  configLookup?: ConfigLookup;
  kubeletVersion?: string;
  /** port of the kubelet's HTTPS server, published in the Node's `status.daemonEndpoints` */
  kubeletPort?: number;
  /** hold API pods (not hostNetwork) until the Node's `spec.podCIDR` is known, so their IPs come from it */
  waitForPodCIDR?: boolean;
}

type SourceName = 'api' | 'file' | 'http';

/** How long static pods wait for a first pod CIDR from the API before using the runtime's default. */
const staticPodCIDRWaitMs = 5000;

interface NodeSpecView extends KubeObject {
  spec?: { podCIDR?: string };
}

function readPodCIDR(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The node agent: merges pods from the API, the static pod folder and a URL into one desired
 * set, runs one serial worker per pod UID against the container runtime, reports pod status,
 * events, mirror pods, the Node and its Lease. Static pods run without any API server.
 */
export class Kubelet {
  readonly clock: Clock;
  readonly recorder: EventRecorder;
  readonly statusManager: StatusManager;
  readonly syncer: PodSyncer;
  readonly prober: ProberManager;
  readonly workers: PodWorkers;
  readonly machine: MachineInfo;
  nodeStatus?: NodeStatusManager;
  private readonly sources = new Map<SourceName, Map<string, Pod>>([['api', new Map()], ['file', new Map()], ['http', new Map()]]);
  private readonly lastPods = new Map<string, Pod>();
  private readonly mirrors = new Map<string, Pod>();
  private mirrorManager?: MirrorPodManager;
  private podInformer?: Informer<Pod>;
  private relistSeen = new Map<string, string>();
  private mirrorSync: Promise<void> | undefined;
  private mirrorAgain = false;
  private readonly logger: Logger;
  private fileSource?: FileSource;
  /** the Node's `spec.podCIDR`; remembered in the data dir for static pods started without the API */
  private podCIDR: string | undefined;
  private podCIDRKnown = false;
  private startedAt = 0;

  constructor(private readonly o: KubeletOptions) {
    this.clock = o.clock ?? realClock;
    this.logger = o.logger.child({ component: 'kubelet', node: o.nodeName });
    this.machine = { ...readMachineInfo(o.dataDir), ...o.machine };
    this.podCIDR = readPodCIDR(this.podCIDRFile);
    const client = () => o.client;
    this.recorder = new EventRecorder(client, o.nodeName, this.clock, this.logger);
    this.statusManager = new StatusManager(client, this.logger);
    this.prober = new ProberManager({
      runtime: o.runtime,
      clock: this.clock,
      recorder: this.recorder,
      logger: this.logger,
      onChange: (uid) => this.workers.update(uid),
      onFailure: (uid, _name, id, _kind, message) => {
        this.syncer.state(uid).killRequests.set(id, message);
        this.workers.update(uid);
      },
    });
    const lookup = o.configLookup ?? apiConfigLookup(client);
    this.syncer = new PodSyncer({
      runtime: o.runtime,
      clock: this.clock,
      recorder: this.recorder,
      lookup,
      imageBackoff: new Backoff(),
      crashBackoff: new Backoff(),
      logger: this.logger,
      logRoot: join(o.dataDir, 'logs', 'pods'),
      env: { hostIP: this.machine.internalIP, podIPs: [], allocatable: { cpu: String(this.machine.cpus), memory: String(this.machine.memoryBytes), 'ephemeral-storage': String(this.machine.ephemeralStorageBytes) } },
      volumes: new VolumeManager(join(o.dataDir, 'pods'), lookup),
      prober: this.prober,
      nodeName: o.nodeName,
      clusterDNS: o.clusterDNS ?? [],
      clusterDomain: o.clusterDomain ?? 'cluster.local',
      podCIDR: () => this.podCIDR,
    });
    this.workers = new PodWorkers((uid) => this.syncPod(uid), this.clock, this.logger);
  }

  /** The node this kubelet runs. */
  get nodeName(): string {
    return this.o.nodeName;
  }

  /** Every pod the kubelet should run now, by UID. */
  desiredPods(): Map<string, Pod> {
    const out = new Map<string, Pod>();
    for (const pods of this.sources.values()) for (const [uid, pod] of pods) out.set(uid, pod);
    return out;
  }

  /** Static pods (file and http sources). */
  staticPods(): Pod[] {
    return [...this.sources.get('file')!.values(), ...this.sources.get('http')!.values()];
  }

  /** Replaces the pods of one source and asks the workers of every pod that changed to sync. */
  setSourcePods(source: SourceName, pods: Pod[]): void {
    const prev = this.sources.get(source)!;
    const next = new Map(pods.map((p) => [p.metadata.uid!, p]));
    this.sources.set(source, next);
    for (const [uid, pod] of next) if (prev.get(uid) !== pod) this.workers.update(uid);
    for (const uid of prev.keys()) if (!next.has(uid)) this.workers.update(uid);
    if (source !== 'api') this.requestMirrorSync();
  }

  /** Starts everything; resolves once the first pass of each source was taken in. */
  async start(signal: AbortSignal): Promise<void> {
    const o = this.o;
    this.logger.info({ runtime: `${o.runtime.name}://${o.runtime.version}` }, 'kubelet starting');
    this.startedAt = this.clock.now();
    signal.addEventListener('abort', () => {
      this.workers.stop();
      this.prober.stopAll();
    }, { once: true });
    const manifestPath = o.podManifestPath ?? join(o.dataDir, 'manifests');
    if (manifestPath) {
      this.fileSource = new FileSource({
        path: manifestPath,
        nodeName: o.nodeName,
        clock: this.clock,
        logger: this.logger.child({ source: 'file' }),
        rescanMs: o.fileCheckMs,
        onPods: (pods) => this.setSourcePods('file', pods),
        onBadFile: (_file, message) => this.nodeEvent('Warning', 'FailedStaticPod', message),
      });
      await this.fileSource.start(signal);
    }
    if (o.manifestUrl) {
      await new HttpSource({
        url: o.manifestUrl,
        nodeName: o.nodeName,
        clock: this.clock,
        logger: this.logger.child({ source: 'http' }),
        onPods: (pods) => this.setSourcePods('http', pods),
        onBadManifest: (message) => this.nodeEvent('Warning', 'FailedStaticPod', message),
      }).start(signal);
    }
    if (o.client) {
      this.startApi(o.client, signal);
      void this.podInformer!.waitForSync(signal).then((synced) => (synced ? this.removeOrphans() : undefined));
    } else {
      await this.removeOrphans();
    }
    void this.relistLoop(signal);
  }

  /** Reads the manifest folder now (tests; inotify does this on its own). */
  rescanManifests(): Promise<void> {
    return this.fileSource?.rescan() ?? Promise.resolve();
  }

  private startApi(client: Client, signal: AbortSignal): void {
    const o = this.o;
    this.nodeStatus = new NodeStatusManager(
      client,
      {
        nodeName: o.nodeName,
        labels: o.nodeLabels ?? {},
        taints: o.taints ?? [],
        controlPlane: o.controlPlane ?? false,
        machine: this.machine,
        runtime: { name: o.runtime.name, version: o.runtime.version },
        kubeletVersion: o.kubeletVersion ?? 'v1.32.0-skiff',
        maxPods: o.maxPods ?? 110,
        kubeletPort: o.kubeletPort ?? 0,
      },
      this.clock,
      this.logger.child({ component: 'node-status' }),
    );
    void this.nodeStatus.run(signal, () => this.requestMirrorSync());
    this.mirrorManager = new MirrorPodManager(client, o.nodeName, () => this.nodeStatus?.node?.metadata.uid, this.logger.child({ component: 'mirror-pods' }), () => this.clock.now());
    const factory = new SharedInformerFactory(client, { clock: this.clock, logger: this.logger });
    this.podInformer = factory.informerFor<Pod>('pods', { fieldSelector: `spec.nodeName=${o.nodeName}` });
    const onPod = (pod: Pod) => {
      if (isMirrorPod(pod)) {
        this.mirrors.set(`${pod.metadata.namespace}/${pod.metadata.name}`, pod);
        this.statusManager.invalidate(pod.metadata.namespace!, pod.metadata.name!);
        this.requestMirrorSync();
        return;
      }
      this.sources.get('api')!.set(pod.metadata.uid!, pod);
      this.workers.update(pod.metadata.uid!);
    };
    this.podInformer.addEventHandler({
      onAdd: onPod,
      onUpdate: (_old, pod) => onPod(pod),
      onDelete: (pod) => {
        if (isMirrorPod(pod)) {
          const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
          if (this.mirrors.get(key)?.metadata.uid === pod.metadata.uid) this.mirrors.delete(key);
          this.requestMirrorSync();
          return;
        }
        this.sources.get('api')!.delete(pod.metadata.uid!);
        this.workers.update(pod.metadata.uid!);
      },
    });
    factory.informerFor<NodeSpecView>('nodes', { fieldSelector: `metadata.name=${o.nodeName}` }).addEventHandler({
      onAdd: (node) => this.setPodCIDR(node.spec?.podCIDR),
      onUpdate: (_old, node) => this.setPodCIDR(node.spec?.podCIDR),
    });
    factory.start(signal);
    void this.podInformer.waitForSync(signal).then(() => this.requestMirrorSync());
    void (async () => {
      do {
        this.requestMirrorSync();
        await this.statusManager.flushAll();
      } while (await sleep(this.clock, o.mirrorCheckMs ?? 10_000, signal));
    })();
  }

  private get podCIDRFile(): string {
    return join(this.o.dataDir, 'pod-cidr');
  }

  private setPodCIDR(cidr: string | undefined): void {
    if (!cidr || (this.podCIDRKnown && cidr === this.podCIDR)) return;
    const changed = cidr !== this.podCIDR;
    this.podCIDR = cidr;
    this.podCIDRKnown = true;
    this.logger.info({ podCIDR: cidr }, 'pod CIDR from the Node');
    if (changed) void writeFile(this.podCIDRFile, `${cidr}\n`).catch((e: unknown) => this.logger.warn({ err: e }, 'cannot remember the pod CIDR'));
    for (const uid of this.sources.get('api')!.keys()) this.workers.update(uid);
  }

  /** Resolves when mirror pods match the static pods (after pending changes). */
  async syncMirrors(): Promise<void> {
    this.requestMirrorSync();
    while (this.mirrorSync) await this.mirrorSync;
  }

  private requestMirrorSync(): void {
    if (!this.mirrorManager || !this.podInformer?.hasSynced()) return;
    if (this.mirrorSync) {
      this.mirrorAgain = true;
      return;
    }
    this.mirrorSync = (async () => {
      do {
        this.mirrorAgain = false;
        try {
          const { created, retryAfterMs } = await this.mirrorManager!.sync(this.staticPods(), [...this.mirrors.values()]);
          if (retryAfterMs !== undefined) this.clock.setTimeout(() => this.requestMirrorSync(), retryAfterMs);
          for (const m of created) {
            this.mirrors.set(`${m.metadata.namespace}/${m.metadata.name}`, m);
            this.statusManager.invalidate(m.metadata.namespace!, m.metadata.name!);
          }
          if (created.length) await this.statusManager.flushAll();
        } catch (error) {
          this.logger.warn({ err: error }, 'mirror pod sync failed');
        }
      } while (this.mirrorAgain);
      this.mirrorSync = undefined;
    })();
  }

  private nodeEvent(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.record({ kind: 'Node', name: this.o.nodeName, uid: this.o.nodeName }, type, reason, message);
  }

  /** One relist of the runtime (upstream's PLEG): pods whose containers changed get a sync. */
  async relist(): Promise<void> {
    const containers = await this.o.runtime.listContainers();
    const now = new Map<string, string>();
    for (const c of containers) {
      const uid = c.labels['io.kubernetes.pod.uid'];
      if (!uid) continue;
      now.set(uid, `${now.get(uid) ?? ''}|${c.id}:${c.state}`);
    }
    for (const [uid, sig] of now) if (this.relistSeen.get(uid) !== sig) this.workers.update(uid);
    for (const uid of this.relistSeen.keys()) if (!now.has(uid)) this.workers.update(uid);
    this.relistSeen = now;
  }

  private async relistLoop(signal: AbortSignal): Promise<void> {
    while (await sleep(this.clock, this.o.relistMs ?? 1000, signal)) {
      try {
        await this.relist();
      } catch (error) {
        this.logger.warn({ err: error }, 'runtime relist failed');
      }
    }
  }

  private grace(pod: Pod): number {
    return pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  }

  private async syncPod(uid: string): Promise<WorkResult> {
    const pod = this.desiredPods().get(uid);
    if (!pod) {
      if (this.o.client && !this.podInformer?.hasSynced() && !this.lastPods.has(uid)) return {};
      const last = this.lastPods.get(uid);
      if (last) await this.syncer.killPod(last, this.grace(last));
      await this.syncer.removePod(uid);
      this.statusManager.forget(uid);
      this.lastPods.delete(uid);
      return { done: true };
    }
    this.lastPods.set(uid, pod);
    const state = this.syncer.state(uid);
    if (state.startTime === undefined && pod.status?.startTime) state.startTime = Date.parse(pod.status.startTime);
    const previous = this.statusManager.get(uid) ?? (isStaticPod(pod) ? undefined : pod.status);
    if (pod.metadata.deletionTimestamp) {
      await this.syncer.killPod(pod, this.grace(pod));
      state.terminal ??= {};
      await this.updateStatus(pod, previous);
      await this.deleteFromApi(pod);
      return {};
    }
    if (previous?.phase === 'Succeeded' || previous?.phase === 'Failed') {
      await this.syncer.killPod(pod, this.grace(pod));
      await this.updateStatus(pod, previous);
      return {};
    }
    const deadline = pod.spec.activeDeadlineSeconds;
    if (deadline !== undefined && state.startTime !== undefined && this.clock.now() >= state.startTime + deadline * 1000 && !isStaticPod(pod)) {
      const message = 'Pod was active on the node longer than the specified deadline';
      state.terminal = { reason: 'DeadlineExceeded', message };
      this.recorder.record({ kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name!, uid }, 'Normal', 'DeadlineExceeded', message);
      await this.syncer.killPod(pod, this.grace(pod));
      await this.updateStatus(pod, previous);
      return {};
    }
    const hold = this.holdBack(pod);
    if (hold !== undefined) {
      await this.updateStatus(pod, previous);
      return hold ? { requeueAfterMs: hold } : {};
    }
    const result = await this.syncer.sync(pod);
    const status = await this.updateStatus(pod, previous);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') {
      await this.syncer.killPod(pod, this.grace(pod));
      return {};
    }
    return result;
  }

  /**
   * Whether a pod may not start yet: API pods wait for the Node's pod CIDR (0: woken when it
   * comes); static pods wait for it at most `staticPodCIDRWaitMs` after start unless one is
   * remembered, and a static pod waits until an earlier one of the same name (a file edited) is gone.
   */
  private holdBack(pod: Pod): number | undefined {
    if (isStaticPod(pod)) {
      const name = `${pod.metadata.namespace}/${pod.metadata.name}`;
      for (const [uid, last] of this.lastPods) {
        if (uid !== pod.metadata.uid && isStaticPod(last) && `${last.metadata.namespace}/${last.metadata.name}` === name) return 100;
      }
    }
    if (!this.o.client || !this.o.waitForPodCIDR || pod.spec.hostNetwork) return undefined;
    if (!isStaticPod(pod)) return this.podCIDRKnown ? undefined : 0;
    const left = this.startedAt + staticPodCIDRWaitMs - this.clock.now();
    return this.podCIDR || left <= 0 ? undefined : Math.min(left, 100);
  }

  private async updateStatus(pod: Pod, previous: PodStatus | undefined): Promise<PodStatus> {
    const uid = pod.metadata.uid!;
    const state = this.syncer.state(uid);
    const sandboxes = (await this.o.runtime.listPodSandboxes()).filter((s) => s.podUid === uid);
    const status = computePodStatus(
      {
        pod,
        runtimeName: this.o.runtime.name,
        sandbox: sandboxes.find((s) => s.id === state.sandboxId) ?? sandboxes[0],
        containers: await this.syncer.containers(uid),
        waiting: state.waiting,
        ready: (id) => this.prober.ready(id),
        started: (id) => this.prober.started(id),
        hostIP: this.machine.internalIP,
        startTime: state.startTime,
        terminal: state.terminal,
        previous,
        now: this.clock.now(),
      },
      isStaticPod(pod),
    );
    await this.statusManager.set(pod, status);
    return status;
  }

  private async deleteFromApi(pod: Pod): Promise<void> {
    const client = this.o.client;
    if (!client || isStaticPod(pod)) return;
    try {
      await client.resource<Pod>('pods').delete(pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid! } });
    } catch (error) {
      if (error instanceof ApiError && (error.reason === 'NotFound' || error.reason === 'Conflict')) return;
      throw error;
    }
  }

  /** Removes runtime sandboxes whose pods are not desired (after a restart, once sources are in). */
  async removeOrphans(): Promise<void> {
    const desired = this.desiredPods();
    for (const s of await this.o.runtime.listPodSandboxes()) {
      if (!desired.has(s.podUid)) this.workers.update(s.podUid);
    }
  }

  /** Annotation-free name of a pod for logs. */
  static podKey(pod: Pod): string {
    return `${pod.metadata.namespace}/${pod.metadata.name} (${pod.metadata.annotations?.[configAnnotations.source] ?? 'api'})`;
  }
}
