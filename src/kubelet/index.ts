/**
 * The kubelet: pod sources (API, static pod folder, URL) merged into one desired set, one serial
 * worker per pod UID against the container runtime interface, status manager, prober, volumes,
 * events, mirror pods, Node registration, status and Lease.
 *
 * ```ts
 * const kubelet = new Kubelet({ nodeName, runtime, client, dataDir, logger });
 * await kubelet.start(signal);
 * ```
 * @module
 */
export { Kubelet, type KubeletOptions } from './kubelet.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { expandVars, resolveEnv, ContainerConfigError, type ConfigLookup, type EnvContext } from './env.js';
export { EventRecorder, type InvolvedObject } from './event-recorder.js';
export { computePodStatus, podPhase, type PodObservation } from './pod-status-compute.js';
export { PodWorkers, type WorkResult } from './pod-workers.js';
export { readMachineInfo, type MachineInfo } from './node-info.js';
export { NodeStatusManager, type NodeConfig } from './node-status.js';
export { MirrorPodManager } from './mirror-pods.js';
export { parsePods, staticPodFrom, StaticPodError } from './sources/static-pod.js';
export { configAnnotations, isMirrorPod, isStaticPod, type Pod, type PodSpec, type Container, type PodStatus } from './pod-types.js';
export { startKubeletServer, defaultKubeletPort, apiserverKubeletClientUser, type KubeletServer, type KubeletServerOptions } from './server/index.js';
