import type { Logger } from 'pino';
import { sleep, type Clock } from '../../client/index.js';
import type { ContainerRuntime, ContainerStatus } from '../../runtime/index.js';
import type { EventRecorder } from '../event-recorder.js';
import type { Container, Pod, Probe } from '../pod-types.js';
import { runHandler } from './probe-handler.js';

type ProbeKind = 'liveness' | 'readiness' | 'startup';
const kindName: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

export interface ProberManagerOptions {
  runtime: ContainerRuntime;
  clock: Clock;
  recorder: EventRecorder;
  logger: Logger;
  /** a result changed (readiness or startup): the pod's status should be recomputed */
  onChange: (podUid: string) => void;
  /** liveness or startup failed past its threshold: the container must be killed */
  onFailure: (podUid: string, containerName: string, containerId: string, kind: 'liveness' | 'startup', message: string) => void;
}

interface ContainerProbes {
  podUid: string;
  abort: AbortController;
  ready: boolean;
  started: boolean;
}

/**
 * Runs each running container's liveness, readiness and startup probes on their periods (upstream
 * defaults come from API defaulting). Readiness starts false, startup holds the other two off
 * until it passes; every failed run records an `Unhealthy` event.
 */
export class ProberManager {
  private readonly containers = new Map<string, ContainerProbes>();

  constructor(private readonly options: ProberManagerOptions) {}

  /** Whether the container passes its readiness probe (running with none: ready once started). */
  ready(containerId: string): boolean {
    const c = this.containers.get(containerId);
    return c ? c.ready && c.started : false;
  }

  /** Whether the container passed its startup probe (none: true). */
  started(containerId: string): boolean {
    return this.containers.get(containerId)?.started ?? false;
  }

  /** Starts probing newly running containers of `pod` and stops probing the ones gone. */
  sync(pod: Pod, running: ContainerStatus[], podIP: string): void {
    const uid = pod.metadata.uid!;
    const specs = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    const live = new Set(running.filter((c) => c.state === 'running').map((c) => c.id));
    for (const [id, probes] of this.containers) {
      if (probes.podUid === uid && !live.has(id)) {
        probes.abort.abort();
        this.containers.delete(id);
      }
    }
    for (const status of running) {
      if (status.state !== 'running' || this.containers.has(status.id)) continue;
      const spec = specs.find((c) => c.name === status.name);
      if (!spec) continue;
      const probes: ContainerProbes = { podUid: uid, abort: new AbortController(), ready: !spec.readinessProbe, started: !spec.startupProbe };
      this.containers.set(status.id, probes);
      const target = { pod, spec, status, podIP, probes };
      if (spec.startupProbe) void this.run('startup', spec.startupProbe, target);
      if (spec.livenessProbe) void this.run('liveness', spec.livenessProbe, target);
      if (spec.readinessProbe) void this.run('readiness', spec.readinessProbe, target);
    }
  }

  /** Stops every probe of a pod. */
  removePod(uid: string): void {
    for (const [id, probes] of this.containers) {
      if (probes.podUid !== uid) continue;
      probes.abort.abort();
      this.containers.delete(id);
    }
  }

  stopAll(): void {
    for (const probes of this.containers.values()) probes.abort.abort();
    this.containers.clear();
  }

  private async run(kind: ProbeKind, probe: Probe, t: { pod: Pod; spec: Container; status: ContainerStatus; podIP: string; probes: ContainerProbes }): Promise<void> {
    const { clock, runtime, recorder } = this.options;
    const signal = t.probes.abort.signal;
    const uid = t.pod.metadata.uid!;
    const period = (probe.periodSeconds ?? 10) * 1000;
    const startedAt = t.status.startedAt ?? clock.now();
    const initialDelay = Math.max(0, startedAt + (probe.initialDelaySeconds ?? 0) * 1000 - clock.now());
    if (initialDelay > 0 && !(await sleep(clock, initialDelay, signal))) return;
    let successes = 0;
    let failures = 0;
    for (;;) {
      if (signal.aborted) return;
      if (kind === 'startup' && t.probes.started) return;
      if (kind === 'startup' || t.probes.started) {
        const result = await runHandler(probe, { runtime, containerId: t.status.id, container: t.spec, podIP: t.podIP }, (probe.timeoutSeconds ?? 1) * 1000, signal);
        if (signal.aborted) return;
        if (result.ok) {
          failures = 0;
          successes++;
          if (successes >= (probe.successThreshold ?? 1)) this.succeed(kind, t.probes, uid);
        } else {
          successes = 0;
          failures++;
          recorder.record(
            { kind: 'Pod', namespace: t.pod.metadata.namespace, name: t.pod.metadata.name!, uid, fieldPath: `spec.containers{${t.spec.name}}` },
            'Warning',
            'Unhealthy',
            `${kindName[kind]} probe failed: ${result.message}`,
          );
          if (failures >= (probe.failureThreshold ?? 3)) {
            failures = 0;
            if (kind === 'readiness') {
              if (t.probes.ready) {
                t.probes.ready = false;
                this.options.onChange(uid);
              }
            } else {
              this.options.onFailure(uid, t.spec.name, t.status.id, kind, `Container ${t.spec.name} failed ${kind} probe, will be restarted`);
              return;
            }
          }
        }
      }
      if (!(await sleep(clock, period, signal))) return;
    }
  }

  private succeed(kind: ProbeKind, probes: ContainerProbes, uid: string): void {
    if (kind === 'startup' && !probes.started) {
      probes.started = true;
      this.options.onChange(uid);
    } else if (kind === 'readiness' && !probes.ready) {
      probes.ready = true;
      this.options.onChange(uid);
    }
  }
}
