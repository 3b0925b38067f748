import type { ContainerStatus, SandboxStatus } from '../runtime/index.js';
import { isSidecar, rfc3339, type Container, type ContainerStateJson, type ContainerStatusJson, type Pod, type PodCondition, type PodStatus } from './pod-types.js';

/** What the kubelet knows about a pod besides its spec, for computing its status. */
export interface PodObservation {
  pod: Pod;
  runtimeName: string;
  sandbox?: SandboxStatus;
  /** every runtime container of the pod */
  containers: ContainerStatus[];
  /** why a container is not running right now (ErrImagePull, CrashLoopBackOff …) */
  waiting: ReadonlyMap<string, { reason: string; message?: string }>;
  ready(containerId: string): boolean;
  started(containerId: string): boolean;
  hostIP: string;
  startTime?: number;
  /** set when the kubelet decided the pod is done (deadline, deletion) */
  terminal?: { reason?: string; message?: string };
  previous?: PodStatus;
  now: number;
}

/** The instances of one container, newest first. */
export function instancesOf(containers: ContainerStatus[], name: string): ContainerStatus[] {
  return containers.filter((c) => c.name === name).sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
}

function terminatedState(c: ContainerStatus, runtimeName: string): ContainerStateJson {
  return {
    terminated: {
      exitCode: c.exitCode ?? 0,
      reason: c.reason ?? (c.exitCode === 0 ? 'Completed' : 'Error'),
      ...(c.message ? { message: c.message } : {}),
      ...(c.startedAt !== undefined ? { startedAt: rfc3339(c.startedAt) } : {}),
      ...(c.finishedAt !== undefined ? { finishedAt: rfc3339(c.finishedAt) } : {}),
      containerID: `${runtimeName}://${c.id}`,
    },
  };
}

function containerStatus(obs: PodObservation, spec: Container, initPending: boolean, regular: boolean): ContainerStatusJson {
  const [latest, prev] = instancesOf(obs.containers, spec.name);
  const waiting = obs.waiting.get(spec.name);
  const base = { name: spec.name, image: spec.image ?? '', imageID: '', ready: false, started: false, restartCount: 0, lastState: {} as ContainerStateJson };
  if (!latest) {
    const reason = waiting?.reason ?? (regular && initPending ? 'PodInitializing' : 'ContainerCreating');
    return { ...base, state: { waiting: { reason, ...(waiting?.message ? { message: waiting.message } : {}) } } };
  }
  const restartCount = Number(latest.labels['io.kubernetes.container.restartCount'] ?? latest.attempt) || 0;
  const common = { ...base, imageID: latest.imageId, containerID: `${obs.runtimeName}://${latest.id}`, restartCount };
  const prevState = prev && prev.state === 'exited' ? terminatedState(prev, obs.runtimeName) : {};
  if (latest.state === 'running') {
    return {
      ...common,
      ready: obs.ready(latest.id),
      started: obs.started(latest.id),
      state: { running: { startedAt: rfc3339(latest.startedAt ?? latest.createdAt) } },
      lastState: prevState,
    };
  }
  if (latest.state === 'exited') {
    if (waiting) return { ...common, state: { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } }, lastState: terminatedState(latest, obs.runtimeName) };
    return { ...common, state: terminatedState(latest, obs.runtimeName), lastState: prevState };
  }
  return { ...common, state: { waiting: { reason: waiting?.reason ?? 'ContainerCreating', ...(waiting?.message ? { message: waiting.message } : {}) } }, lastState: prevState };
}

function regularStarted(statuses: ContainerStatusJson[]): boolean {
  return statuses.some((s) => s.state.running || s.state.terminated || s.lastState.terminated);
}

/** upstream's getPhase (kubelet_pods.go), in its order. */
export function podPhase(pod: Pod, init: ContainerStatusJson[], regular: ContainerStatusJson[], podIsTerminal: boolean, isStatic: boolean): NonNullable<PodStatus['phase']> {
  const policy = pod.spec.restartPolicy ?? 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of pod.spec.initContainers ?? []) {
    const s = init.find((x) => x.name === c.name);
    if (!s) {
      pendingInit++;
      continue;
    }
    if (isSidecar(c)) {
      if ((s.state.running && !s.started) || (s.state.waiting && !s.lastState.terminated)) pendingInit++;
      continue;
    }
    if (s.state.running) pendingInit++;
    else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++;
      } else pendingInit++;
    } else pendingInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of pod.spec.containers) {
    const s = regular.find((x) => x.name === c.name);
    if (!s) unknown++;
    else if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if ((pendingInit > 0 && !regularStarted(regular)) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal && !isStatic) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason: string | undefined, message: string | undefined, previous: PodStatus | undefined, now: number): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = previous?.conditions?.find((c) => c.type === type);
  const lastTransitionTime = prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now);
  return { type, status, lastProbeTime: null, lastTransitionTime, ...(reason && !ok ? { reason } : {}), ...(message && !ok ? { message } : {}) };
}

/** Phase, conditions and container statuses of a pod as the kubelet reports them. */
export function computePodStatus(obs: PodObservation, isStatic: boolean): PodStatus {
  const { pod, previous, now } = obs;
  const initSpecs = pod.spec.initContainers ?? [];
  const init = initSpecs.map((c) => containerStatus(obs, c, false, false));
  const initDone = initSpecs.every((c, i) => (isSidecar(c) ? init[i]!.started : init[i]!.state.terminated?.exitCode === 0));
  const regular = pod.spec.containers.map((c) => containerStatus(obs, c, initSpecs.length > 0 && !initDone, true));
  const allStopped = [...init, ...regular].every((s) => !s.state.running);
  let phase = podPhase(pod, init, regular, obs.terminal !== undefined && allStopped, isStatic);
  if (obs.terminal && !isStatic && obs.terminal.reason === 'DeadlineExceeded') phase = 'Failed';
  if (previous?.phase === 'Succeeded' || previous?.phase === 'Failed') phase = previous.phase;
  const terminal = phase === 'Succeeded' || phase === 'Failed';

  const initialized = initDone || regularStarted(regular);
  const incomplete = initSpecs.filter((c, i) => !(isSidecar(c) ? init[i]!.started : init[i]!.state.terminated?.exitCode === 0)).map((c) => c.name);
  const unready = [...initSpecs.filter(isSidecar).map((c) => init[initSpecs.indexOf(c)]!), ...regular].filter((s) => !s.ready).map((s) => s.name);
  const gates = (pod.spec.readinessGates ?? []).filter((g) => pod.status?.conditions?.find((c) => c.type === g.conditionType)?.status !== 'True');
  const containersReady = unready.length === 0 && !terminal;
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const ready = containersReady && gates.length === 0;
  const conditions: PodCondition[] = [
    condition('PodReadyToStartContainers', obs.sandbox?.state === 'ready', undefined, undefined, previous, now),
    condition('Initialized', initialized, terminal ? 'PodCompleted' : 'ContainersNotInitialized', terminal ? undefined : `containers with incomplete status: [${incomplete.join(' ')}]`, previous, now),
    condition(
      'Ready',
      ready,
      containersReady ? 'ReadinessGatesNotReady' : notReadyReason,
      containersReady ? `corresponding condition of pod readiness gate "${gates[0]?.conditionType}" does not exist.` : notReadyMessage,
      previous,
      now,
    ),
    condition('ContainersReady', containersReady, notReadyReason, notReadyMessage, previous, now),
  ];
  if (terminal && !initDone && !regularStarted(regular)) conditions[1] = condition('Initialized', false, 'PodCompleted', undefined, previous, now);
  const kept = (pod.status?.conditions ?? []).filter((c) => !conditions.some((x) => x.type === c.type));
  const ips = obs.sandbox?.ips ?? [];
  const status: PodStatus = {
    phase,
    conditions: [...kept, ...conditions],
    hostIP: obs.hostIP,
    hostIPs: [{ ip: obs.hostIP }],
    ...(ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
    ...(obs.startTime !== undefined ? { startTime: rfc3339(obs.startTime) } : {}),
    ...(init.length ? { initContainerStatuses: init } : {}),
    containerStatuses: regular,
  };
  if (obs.terminal?.reason) status.reason = obs.terminal.reason;
  if (obs.terminal?.message) status.message = obs.terminal.message;
  if (previous?.reason && terminal && !status.reason) status.reason = previous.reason;
  if (previous?.message && terminal && !status.message) status.message = previous.message;
  if (pod.status?.qosClass) status.qosClass = pod.status.qosClass;
  return status;
}
