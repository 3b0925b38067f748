import type { KubeObject } from './object.js';
import { translateTimestampSince } from './human-duration.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

interface PodPrintSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  lastRestart?: string;
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v : [];
}

function laterOf(a: string | undefined, b: string | undefined): string | undefined {
  if (!b) return a;
  if (!a) return b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function terminatedReason(t: Obj, prefix: string): string {
  if (t.reason) return `${prefix}${t.reason}`;
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode ?? 0}`;
}

/** What kubectl's printPod computes for one pod (READY, STATUS, RESTARTS). */
function summarize(pod: KubeObject): PodPrintSummary {
  const spec = (pod.spec ?? {}) as Obj;
  const status = (pod.status ?? {}) as Obj;
  const initSpecs = list(spec.initContainers);
  const restartable = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const total = list(spec.containers).length + restartable.size;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: string | undefined;
  let lastSidecarRestart: string | undefined;
  let reason: string = status.reason || status.phase || '';
  const conditions = list(status.conditions);
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let initializing = false;
  const initStatuses = list(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const state: Obj = c.state ?? {};
    const lastTerminated = c.lastState?.terminated;
    restarts += c.restartCount ?? 0;
    if (lastTerminated) lastRestart = laterOf(lastRestart, lastTerminated.finishedAt);
    const isSidecar = restartable.has(c.name);
    if (isSidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      if (lastTerminated) lastSidecarRestart = laterOf(lastSidecarRestart, lastTerminated.finishedAt);
    }
    if (state.terminated && (state.terminated.exitCode ?? 0) === 0) continue;
    if (isSidecar && c.started === true) {
      if (c.ready) ready++;
      continue;
    }
    if (state.terminated) reason = terminatedReason(state.terminated, 'Init:');
    else if (state.waiting?.reason && state.waiting.reason !== 'PodInitializing') reason = `Init:${state.waiting.reason}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }

  const initialized = conditions.some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = list(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      const state: Obj = c.state ?? {};
      restarts += c.restartCount ?? 0;
      if (c.lastState?.terminated) lastRestart = laterOf(lastRestart, c.lastState.terminated.finishedAt);
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated) reason = terminatedReason(state.terminated, '');
      else if (c.ready && state.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';
  return { ready, total, reason, restarts, lastRestart };
}

/** The READY, STATUS and RESTARTS cells of `kubectl get pods`, computed as upstream's printPod. */
export interface PodSummary {
  ready: string;
  status: string;
  restarts: number;
  /** when the last restart happened (a terminated lastState), for `3 (5m ago)` */
  lastRestart?: string;
}

/** Upstream's printPod (pkg/printers/internalversion/printers.go) reduced to its three cells. */
export function summarizePod(pod: KubeObject): PodSummary {
  const s = summarize(pod);
  return { ready: `${s.ready}/${s.total}`, status: s.reason, restarts: s.restarts, lastRestart: s.lastRestart };
}

/** The STATUS column of `kubectl get pods` (Running, Init:1/2, CrashLoopBackOff, Completed, Terminating …); `now` is accepted for symmetry and not needed. */
export function podPhaseReason(pod: KubeObject, _now?: Date): string {
  return summarize(pod).reason;
}

/** The READY column of `kubectl get pods`: ready containers over all containers (sidecars included), e.g. `1/2`. */
export function podReadyCount(pod: KubeObject): string {
  const s = summarize(pod);
  return `${s.ready}/${s.total}`;
}

/** The RESTARTS column of `kubectl get pods`: `0`, or `3 (5m ago)` when the last restart time is known. */
export function podRestarts(pod: KubeObject, now: Date = new Date(), since: (time: string, now: Date) => string = translateTimestampSince): string {
  const s = summarize(pod);
  if (s.restarts !== 0 && s.lastRestart) return `${s.restarts} (${since(s.lastRestart, now)} ago)`;
  return String(s.restarts);
}
