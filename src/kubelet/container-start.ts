import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { parseQuantity, quantityMilliValue } from '../api/index.js';
import type { Clock } from '../client/index.js';
import { RuntimeError, runtimeLabels, type ContainerResources, type ContainerRuntime, type SandboxConfig } from '../runtime/index.js';
import type { Backoff } from './backoff.js';
import { ContainerConfigError, expandCommand, resolveEnv, type ConfigLookup, type EnvContext } from './env.js';
import type { EventRecorder, InvolvedObject } from './event-recorder.js';
import type { PodState } from './pod-state.js';
import type { Container, Pod } from './pod-types.js';
import { runHandler } from './prober/probe-handler.js';
import { containerMounts } from './volume-manager.js';

/** What starting a container needs from the kubelet. */
export interface StartContext {
  runtime: ContainerRuntime;
  clock: Clock;
  recorder: EventRecorder;
  lookup: ConfigLookup;
  imageBackoff: Backoff;
  logger: Logger;
  logRoot: string;
  env: EnvContext;
}

/** Hash of the parts of a container spec that, changed, make the kubelet restart it. */
export function containerHash(c: Container): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 16);
}

/** The involvedObject of a container's events. */
export function containerRef(pod: Pod, c: Container, init: boolean): InvolvedObject {
  return {
    kind: 'Pod',
    namespace: pod.metadata.namespace,
    name: pod.metadata.name!,
    uid: pod.metadata.uid,
    fieldPath: `spec.${init ? 'initContainers' : 'containers'}{${c.name}}`,
  };
}

/** CPU shares, quota and memory limit from requests and limits (upstream's cgroup conversion). */
export function containerResources(c: Container): ContainerResources {
  const out: ContainerResources = {};
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const cpuReq = req.cpu ?? lim.cpu;
  out.cpuShares = cpuReq ? Math.max(2, Math.floor((quantityMilliValue(cpuReq) * 1024) / 1000)) : 2;
  if (lim.cpu) {
    out.cpuPeriodMicros = 100_000;
    out.cpuQuotaMicros = Math.max(1000, Math.floor((quantityMilliValue(lim.cpu) * 100_000) / 1000));
  }
  if (lim.memory) out.memoryLimitBytes = parseQuantity(lim.memory);
  return out;
}

function podLabel(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

/** Makes sure the image is there per imagePullPolicy; false (with a waiting reason set) if not. */
async function ensureImage(ctx: StartContext, pod: Pod, c: Container, init: boolean, state: PodState): Promise<boolean> {
  const image = c.image ?? '';
  const ref = containerRef(pod, c, init);
  const policy = c.imagePullPolicy ?? 'IfNotPresent';
  const present = await ctx.runtime.imageStatus({ image });
  if (policy === 'Never' || (policy === 'IfNotPresent' && present)) {
    if (present) {
      ctx.recorder.record(ref, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return true;
    }
    const message = `Container image "${image}" is not present with pull policy of Never`;
    state.waiting.set(c.name, { reason: 'ErrImageNeverPull', message });
    ctx.recorder.record(ref, 'Warning', 'ErrImageNeverPull', message);
    return false;
  }
  const key = `pull/${pod.metadata.uid}/${image}`;
  const now = ctx.clock.now();
  const left = ctx.imageBackoff.remainingSinceUpdate(key, now);
  if (left > 0) {
    state.waiting.set(c.name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` });
    ctx.recorder.record(ref, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
    return false;
  }
  ctx.recorder.record(ref, 'Normal', 'Pulling', `Pulling image "${image}"`);
  const started = ctx.clock.now();
  try {
    const status = await ctx.runtime.pullImage({ image }, undefined);
    ctx.imageBackoff.reset(key);
    const secs = ((ctx.clock.now() - started) / 1000).toFixed(3);
    ctx.recorder.record(ref, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${status.size} bytes.`);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.imageBackoff.next(key, ctx.clock.now());
    state.waiting.set(c.name, { reason: 'ErrImagePull', message });
    ctx.recorder.record(ref, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`);
    ctx.recorder.record(ref, 'Warning', 'Failed', 'Error: ErrImagePull');
    return false;
  }
}

/**
 * Pulls the image, builds the configuration (env, `$(VAR)` expansion, mounts, resources,
 * labels), creates and starts one container, and runs its postStart hook. Answers false, with
 * the container's waiting reason set in `state`, when it could not be started.
 */
export async function startContainer(ctx: StartContext, pod: Pod, c: Container, init: boolean, attempt: number, state: PodState, sandbox: SandboxConfig): Promise<boolean> {
  const ref = containerRef(pod, c, init);
  if (!(await ensureImage(ctx, pod, c, init, state))) return false;
  let env: { name: string; value: string }[];
  try {
    env = await resolveEnv(pod, c, ctx.lookup, { ...ctx.env, podIPs: state.ips });
  } catch (error) {
    if (!(error instanceof ContainerConfigError)) throw error;
    state.waiting.set(c.name, { reason: 'CreateContainerConfigError', message: error.message });
    ctx.recorder.record(ref, 'Warning', 'Failed', `Error: ${error.message}`);
    return false;
  }
  const { command, args } = expandCommand(c, env);
  const uid = pod.metadata.uid!;
  const logPath = join(ctx.logRoot, `${pod.metadata.namespace}_${pod.metadata.name}_${uid}`, c.name, `${attempt}.log`);
  await mkdir(dirname(logPath), { recursive: true });
  const sc = { ...pod.spec.securityContext, ...c.securityContext };
  let id: string;
  try {
    id = await ctx.runtime.createContainer(
      state.sandboxId!,
      {
        name: c.name,
        attempt,
        image: c.image ?? '',
        command,
        args,
        env,
        ...(c.workingDir ? { workingDir: c.workingDir } : {}),
        mounts: containerMounts(c, state.volumes ?? new Map()),
        tty: c.tty === true,
        stdin: c.stdin === true,
        stdinOnce: c.stdinOnce === true,
        ...(sc.runAsUser !== undefined ? { runAsUser: sc.runAsUser } : {}),
        ...(sc.runAsGroup !== undefined ? { runAsGroup: sc.runAsGroup } : {}),
        readOnlyRootFilesystem: c.securityContext?.readOnlyRootFilesystem === true,
        resources: containerResources(c),
        labels: {
          [runtimeLabels.podUid]: uid,
          [runtimeLabels.podName]: pod.metadata.name!,
          [runtimeLabels.podNamespace]: pod.metadata.namespace ?? 'default',
          [runtimeLabels.containerName]: c.name,
          [runtimeLabels.restartCount]: String(attempt),
          [runtimeLabels.containerHash]: containerHash(c),
        },
        annotations: {},
        logPath,
      },
      sandbox,
    );
  } catch (error) {
    if (!(error instanceof RuntimeError)) throw error;
    state.waiting.set(c.name, { reason: error.code === 'ImageNotFound' ? 'ErrImagePull' : 'CreateContainerError', message: error.message });
    ctx.recorder.record(ref, 'Warning', 'Failed', `Error: ${error.message}`);
    return false;
  }
  ctx.recorder.record(ref, 'Normal', 'Created', `Created container ${c.name}`);
  try {
    await ctx.runtime.startContainer(id);
  } catch (error) {
    if (!(error instanceof RuntimeError)) throw error;
    state.waiting.delete(c.name);
    ctx.recorder.record(ref, 'Warning', 'Failed', `Error: failed to start container "${c.name}": ${error.message}`);
    return false;
  }
  state.waiting.delete(c.name);
  ctx.recorder.record(ref, 'Normal', 'Started', `Started container ${c.name}`);
  if (c.lifecycle?.postStart) {
    const result = await runHandler(c.lifecycle.postStart, { runtime: ctx.runtime, containerId: id, container: c, podIP: state.ips[0] ?? '' }, 30_000);
    if (!result.ok) {
      ctx.recorder.record(ref, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${result.message}`);
      ctx.recorder.record(ref, 'Normal', 'Killing', `FailedPostStartHook`);
      await ctx.runtime.stopContainer(id, Math.max(2, pod.spec.terminationGracePeriodSeconds ?? 30));
    }
  }
  ctx.logger.debug({ pod: podLabel(pod), container: c.name, attempt }, 'container started');
  return true;
}
