import { readFileSync } from 'node:fs';
import type { ContainerStatus, SandboxConfig } from '../runtime/index.js';
import { runtimeLabels } from '../runtime/index.js';
import { containerHash, containerRef, startContainer, type StartContext } from './container-start.js';
import type { Backoff } from './backoff.js';
import { instancesOf } from './pod-status-compute.js';
import { newPodState, type PodState } from './pod-state.js';
import { isSidecar, type Container, type Pod } from './pod-types.js';
import { runHandler } from './prober/probe-handler.js';
import type { ProberManager } from './prober/prober-manager.js';
import { VolumeError, type VolumeManager } from './volume-manager.js';

/** Settings of the pod syncer besides what starting a container needs. */
export interface PodSyncerOptions extends StartContext {
  volumes: VolumeManager;
  crashBackoff: Backoff;
  prober: ProberManager;
  nodeName: string;
  clusterDNS: string[];
  clusterDomain: string;
  /** how often configMap/secret/downwardAPI volumes are rewritten (60 s) */
  volumeRefreshMs?: number;
  /** the node's `spec.podCIDR` once known, handed to the runtime for pod IPs */
  podCIDR?: () => string | undefined;
}

/** What a sync asks of its worker. */
export interface SyncResult {
  /** sync again after this long (a back-off or deadline expires) */
  requeueAfterMs?: number;
}

const minimumGraceSeconds = 2;

function hostResolvConf(): { servers: string[]; searches: string[]; options: string[] } {
  const out = { servers: [] as string[], searches: [] as string[], options: [] as string[] };
  try {
    for (const line of readFileSync('/etc/resolv.conf', 'utf8').split('\n')) {
      const [key, ...rest] = line.trim().split(/\s+/);
      if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
      else if (key === 'search') out.searches = rest;
      else if (key === 'options') out.options = rest;
    }
  } catch {
    return out;
  }
  return out;
}

/**
 * Brings one pod's containers to what its spec asks, through the runtime: sandbox, volumes, init
 * containers in order, sidecars, regular containers, restarts with back-off, probes' kill
 * requests; and kills pods (preStop, SIGTERM, grace, SIGKILL; sidecars last, in reverse order).
 */
export class PodSyncer {
  readonly states = new Map<string, PodState>();

  constructor(private readonly o: PodSyncerOptions) {}

  /** The remembered state of a pod, created on first use. */
  state(uid: string): PodState {
    let s = this.states.get(uid);
    if (!s) {
      s = newPodState(uid);
      this.states.set(uid, s);
    }
    return s;
  }

  /** Runtime containers of a pod. */
  containers(uid: string): Promise<ContainerStatus[]> {
    return this.o.runtime.listContainers({ podUid: uid });
  }

  /** The sandbox configuration of a pod (DNS, hostname, port mappings, labels). */
  sandboxConfig(pod: Pod, attempt: number): SandboxConfig {
    const spec = pod.spec;
    const policy = spec.dnsPolicy ?? 'ClusterFirst';
    const ns = pod.metadata.namespace ?? 'default';
    const useCluster = this.o.clusterDNS.length > 0 && (policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !spec.hostNetwork));
    let dns = policy === 'None' ? { servers: [] as string[], searches: [] as string[], options: [] as string[] } : hostResolvConf();
    if (useCluster) {
      const d = this.o.clusterDomain;
      dns = { servers: [...this.o.clusterDNS], searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...dns.searches], options: ['ndots:5'] };
    }
    if (spec.dnsConfig) {
      dns.servers.push(...(spec.dnsConfig.nameservers ?? []));
      dns.searches.push(...(spec.dnsConfig.searches ?? []));
      dns.options.push(...(spec.dnsConfig.options ?? []).map((o) => (o.value !== undefined ? `${o.name}:${o.value}` : o.name)));
    }
    const podCIDR = this.o.podCIDR?.();
    const portMappings = [...(spec.initContainers ?? []), ...spec.containers].flatMap((c) =>
      (c.ports ?? []).filter((p) => p.hostPort).map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort!, protocol: p.protocol ?? 'TCP', ...(p.hostIP ? { hostIP: p.hostIP } : {}) })),
    );
    return {
      podUid: pod.metadata.uid!,
      name: pod.metadata.name!,
      namespace: ns,
      attempt,
      hostname: spec.hostNetwork ? this.o.nodeName : (spec.hostname ?? pod.metadata.name!).slice(0, 63),
      hostNetwork: spec.hostNetwork === true,
      portMappings,
      dns,
      hostAliases: (spec.hostAliases ?? []).map((a) => ({ ip: a.ip, hostnames: a.hostnames ?? [] })),
      labels: { [runtimeLabels.podUid]: pod.metadata.uid!, [runtimeLabels.podName]: pod.metadata.name!, [runtimeLabels.podNamespace]: ns },
      cgroupParent: `/skiff/pod${pod.metadata.uid}`,
      ...(podCIDR ? { podCIDR } : {}),
    };
  }

  /** One pass bringing a live pod towards its spec. */
  async sync(pod: Pod): Promise<SyncResult> {
    const o = this.o;
    const uid = pod.metadata.uid!;
    const state = this.state(uid);
    const now = o.clock.now();
    state.startTime ??= now;
    const sandboxes = (await o.runtime.listPodSandboxes()).filter((s) => s.podUid === uid);
    let sandbox = sandboxes.find((s) => s.id === state.sandboxId && s.state === 'ready') ?? sandboxes.find((s) => s.state === 'ready');
    const config = this.sandboxConfig(pod, sandbox ? state.sandboxAttempt : state.sandboxAttempt + (state.sandboxId ? 1 : 0));
    if (!sandbox) {
      for (const s of sandboxes) await o.runtime.stopPodSandbox(s.id);
      sandbox = await o.runtime.runPodSandbox(config);
      state.sandboxAttempt = config.attempt;
    }
    state.sandboxId = sandbox.id;
    state.ips = sandbox.ips;

    if (!state.volumes || now - (state.volumesAt ?? 0) >= (o.volumeRefreshMs ?? 60_000)) {
      try {
        state.volumes = await o.volumes.setUp(pod, { ...o.env, podIPs: sandbox.ips });
        state.volumesAt = now;
      } catch (error) {
        if (!(error instanceof VolumeError)) throw error;
        o.recorder.record({ kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name!, uid }, 'Warning', 'FailedMount', error.message);
        if (!state.volumes) return { requeueAfterMs: 10_000 };
      }
    }

    let all = await this.containers(uid);
    for (const [id, message] of state.killRequests) {
      const c = all.find((x) => x.id === id);
      state.killRequests.delete(id);
      if (c?.state !== 'running') continue;
      const spec = this.specOf(pod, c.name);
      if (spec) await this.killContainer(pod, spec.c, spec.init, c, pod.spec.terminationGracePeriodSeconds ?? 30, message);
    }
    all = await this.containers(uid);
    const current = all.filter((c) => c.sandboxId === sandbox.id);
    o.prober.sync(pod, current, sandbox.ips[0] ?? '');
    let requeue: number | undefined;
    const soonest = (ms: number | undefined) => {
      if (ms !== undefined && (requeue === undefined || ms < requeue)) requeue = ms;
    };

    let initDone = true;
    for (const c of pod.spec.initContainers ?? []) {
      const [latest] = instancesOf(current, c.name);
      if (isSidecar(c)) {
        if (latest?.state === 'running') {
          if (this.o.prober.started(latest.id)) continue;
          initDone = false;
          break;
        }
        const r = await this.startOrRestart(pod, c, true, all, latest, config);
        soonest(r.requeueAfterMs);
        const [now2] = instancesOf(await this.containers(uid), c.name);
        if (now2?.state === 'running' && now2.sandboxId === sandbox.id && !c.startupProbe) continue;
        initDone = false;
        break;
      }
      if (latest?.state === 'exited' && latest.exitCode === 0) continue;
      initDone = false;
      if (latest?.state === 'running' || latest?.state === 'created') break;
      if (latest?.state === 'exited' && (pod.spec.restartPolicy ?? 'Always') === 'Never') break;
      soonest((await this.startOrRestart(pod, c, true, all, latest, config)).requeueAfterMs);
      break;
    }
    if (initDone) {
      for (const c of pod.spec.containers) {
        const [latest] = instancesOf(current, c.name);
        if (latest?.state === 'running') {
          if (latest.labels[runtimeLabels.containerHash] && latest.labels[runtimeLabels.containerHash] !== containerHash(c)) {
            await this.killContainer(pod, c, false, latest, pod.spec.terminationGracePeriodSeconds ?? 30, `Container ${c.name} definition changed, will be restarted`);
            soonest(0);
          }
          continue;
        }
        soonest((await this.startOrRestart(pod, c, false, all, latest, config)).requeueAfterMs);
      }
    }
    const after = (await this.containers(uid)).filter((c) => c.sandboxId === sandbox.id);
    o.prober.sync(pod, after, sandbox.ips[0] ?? '');
    if (pod.spec.activeDeadlineSeconds !== undefined) soonest(Math.max(0, state.startTime + pod.spec.activeDeadlineSeconds * 1000 - o.clock.now()));
    return requeue === undefined ? {} : { requeueAfterMs: requeue };
  }

  private specOf(pod: Pod, name: string): { c: Container; init: boolean } | undefined {
    const init = pod.spec.initContainers?.find((c) => c.name === name);
    if (init) return { c: init, init: true };
    const c = pod.spec.containers.find((x) => x.name === name);
    return c ? { c, init: false } : undefined;
  }

  private shouldRestart(pod: Pod, c: Container, init: boolean, exited: ContainerStatus): boolean {
    if (isSidecar(c)) return true;
    const policy = pod.spec.restartPolicy ?? 'Always';
    if (policy === 'Never') return false;
    if (init || policy === 'OnFailure') return exited.exitCode !== 0;
    return true;
  }

  private async startOrRestart(pod: Pod, c: Container, init: boolean, all: ContainerStatus[], latest: ContainerStatus | undefined, config: SandboxConfig): Promise<SyncResult> {
    const o = this.o;
    const uid = pod.metadata.uid!;
    const state = this.state(uid);
    const [newest] = instancesOf(all, c.name);
    let attempt = 0;
    if (newest) attempt = (Number(newest.labels[runtimeLabels.restartCount] ?? newest.attempt) || 0) + 1;
    if (latest?.state === 'created') return {};
    if (latest?.state === 'exited') {
      if (!this.shouldRestart(pod, c, init, latest)) return {};
      const key = `${uid}/${c.name}`;
      const finished = latest.finishedAt ?? o.clock.now();
      const left = o.crashBackoff.remaining(key, finished, o.clock.now());
      if (left > 0) {
        const delay = o.crashBackoff.delay(key) / 1000;
        const podLabel = `${pod.metadata.name}_${pod.metadata.namespace}(${uid})`;
        const first = state.waiting.get(c.name)?.reason !== 'CrashLoopBackOff';
        state.waiting.set(c.name, { reason: 'CrashLoopBackOff', message: `back-off ${delay}s restarting failed container=${c.name} pod=${podLabel}` });
        if (first) o.recorder.record(containerRef(pod, c, init), 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${podLabel}`);
        return { requeueAfterMs: left };
      }
      o.crashBackoff.next(key, finished);
    }
    const ok = await startContainer(o, pod, c, init, attempt, state, config);
    if (ok) {
      for (const old of instancesOf(all, c.name).slice(1)) if (old.state === 'exited') await o.runtime.removeContainer(old.id);
      return {};
    }
    const reason = state.waiting.get(c.name)?.reason;
    if (reason === 'ErrImagePull' || reason === 'ImagePullBackOff') {
      const left = o.imageBackoff.remainingSinceUpdate(`pull/${uid}/${c.image}`, o.clock.now());
      return { requeueAfterMs: Math.max(left, 1000) };
    }
    return { requeueAfterMs: 10_000 };
  }

  /** Runs the preStop hook, then stops the container within what is left of `graceSeconds`. */
  async killContainer(pod: Pod, c: Container, init: boolean, status: ContainerStatus, graceSeconds: number, message?: string): Promise<void> {
    const o = this.o;
    const started = o.clock.now();
    o.recorder.record(containerRef(pod, c, init), 'Normal', 'Killing', message ?? `Stopping container ${c.name}`);
    if (c.lifecycle?.preStop && status.state === 'running') {
      const result = await runHandler(c.lifecycle.preStop, { runtime: o.runtime, containerId: status.id, container: c, podIP: this.state(pod.metadata.uid!).ips[0] ?? '' }, graceSeconds * 1000);
      if (!result.ok) o.recorder.record(containerRef(pod, c, init), 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${result.message}`);
    }
    const left = Math.max(minimumGraceSeconds, Math.ceil(graceSeconds - (o.clock.now() - started) / 1000));
    await o.runtime.stopContainer(status.id, left);
  }

  /**
   * Stops every container of the pod (regular ones together, then sidecars in reverse order) and
   * its sandbox, within `graceSeconds`.
   */
  async killPod(pod: Pod, graceSeconds: number): Promise<void> {
    const o = this.o;
    const uid = pod.metadata.uid!;
    o.prober.removePod(uid);
    const running = (await this.containers(uid)).filter((c) => c.state === 'running' || c.state === 'created');
    const byName = (name: string) => running.filter((c) => c.name === name);
    const sidecars = (pod.spec.initContainers ?? []).filter(isSidecar);
    const others = [...(pod.spec.initContainers ?? []).filter((c) => !isSidecar(c)).map((c) => ({ c, init: true })), ...pod.spec.containers.map((c) => ({ c, init: false }))];
    await Promise.all(others.flatMap(({ c, init }) => byName(c.name).map((s) => this.killContainer(pod, c, init, s, graceSeconds))));
    for (const c of [...sidecars].reverse()) for (const s of byName(c.name)) await this.killContainer(pod, c, true, s, graceSeconds);
    const known = new Set([...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name));
    for (const s of running) if (!known.has(s.name)) await o.runtime.stopContainer(s.id, minimumGraceSeconds);
    for (const s of (await o.runtime.listPodSandboxes()).filter((x) => x.podUid === uid)) await o.runtime.stopPodSandbox(s.id);
  }

  /** Removes what is left of a pod: containers, sandboxes, volumes and remembered state. */
  async removePod(uid: string): Promise<void> {
    const o = this.o;
    o.prober.removePod(uid);
    for (const c of await this.containers(uid)) await o.runtime.removeContainer(c.id);
    for (const s of (await o.runtime.listPodSandboxes()).filter((x) => x.podUid === uid)) await o.runtime.removePodSandbox(s.id);
    await o.volumes.tearDown(uid);
    o.crashBackoff.resetPrefix(`${uid}/`);
    o.imageBackoff.resetPrefix(`pull/${uid}/`);
    this.states.delete(uid);
  }
}
