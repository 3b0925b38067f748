/**
 * The container runtime seam (CRI-shaped). The kubelet knows only this interface; drivers are
 * `oci` (runc, real images, CNI, cgroups), `host` (plain processes, no isolation) and `sim`
 * (no processes at all).
 */

/** Labels every sandbox and container carries, so a restarted kubelet adopts what is running. */
export const runtimeLabels = {
  podUid: 'io.kubernetes.pod.uid',
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  containerName: 'io.kubernetes.container.name',
  restartCount: 'io.kubernetes.container.restartCount',
  /** hash of the container spec the container was created from */
  containerHash: 'io.kubernetes.container.hash',
} as const;

export interface ImageRef {
  /** as the pod names it: `busybox`, `127.0.0.1:5000/test/busybox:1`, `x@sha256:…` */
  image: string;
}

export interface PullAuth {
  username?: string;
  password?: string;
  /** a bearer token or `auth` (base64 user:password) from a docker config */
  auth?: string;
  identityToken?: string;
}

export interface PullProgress {
  /** bytes done and expected across all layers; total 0 until manifests are read */
  done: number;
  total: number;
  layer?: string;
}

export interface ImageStatus {
  /** sha256 digest of the image config (the image ID) */
  id: string;
  /** `registry/repo@sha256:<manifest digest>` when pulled from a registry */
  repoDigests: string[];
  repoTags: string[];
  size: number;
}

export interface PortMapping {
  containerPort: number;
  hostPort: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  hostIP?: string;
}

export interface SandboxConfig {
  podUid: string;
  name: string;
  namespace: string;
  /** restart attempt of the sandbox, 0 first */
  attempt: number;
  hostname: string;
  /** share the host's network namespace (spec.hostNetwork) */
  hostNetwork: boolean;
  portMappings: PortMapping[];
  dns: { servers: string[]; searches: string[]; options: string[] };
  /** extra /etc/hosts lines (hostAliases) */
  hostAliases: { ip: string; hostnames: string[] }[];
  labels: Record<string, string>;
  /** cgroup parent for the pod, absolute (e.g. /skiff/pod<uid>) */
  cgroupParent: string;
  /** pod-level limits (sum of containers), optional */
  resources?: ContainerResources;
  /** the node's pod CIDR (`spec.podCIDR`) the pod's IP comes from; the runtime's default when absent */
  podCIDR?: string;
}

export interface SandboxStatus {
  id: string;
  podUid: string;
  state: 'ready' | 'notready';
  /** pod IPs, IPv4 first */
  ips: string[];
  createdAt: number;
  labels: Record<string, string>;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readOnly: boolean;
  /** `Memory` for an emptyDir with `medium: Memory`: the driver mounts a tmpfs at `hostPath` (the kubelet only creates the folder) */
  medium?: 'Memory';
  /** mount propagation is not supported; bind mounts are private */
}

export interface ContainerResources {
  /** CPU shares (1024 per core requested), quota/period from limits */
  cpuShares?: number;
  cpuQuotaMicros?: number;
  cpuPeriodMicros?: number;
  memoryLimitBytes?: number;
}

export interface ContainerConfig {
  name: string;
  /** restart attempt of this container in this pod, 0 first */
  attempt: number;
  image: string;
  /** entrypoint + args, already resolved against the image config and $(VAR) expanded */
  command: string[];
  args: string[];
  env: { name: string; value: string }[];
  workingDir?: string;
  mounts: Mount[];
  tty: boolean;
  stdin: boolean;
  stdinOnce: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  readOnlyRootFilesystem: boolean;
  resources: ContainerResources;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** where the runtime writes the container's log (CRI log format: `<RFC3339Nano> stdout|stderr F|P <line>`) */
  logPath: string;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerStatus {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  state: ContainerState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  /** `OOMKilled`, `Error`, `Completed`, `StartError` … as the kubelet reports them */
  reason?: string;
  message?: string;
  image: string;
  imageId: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  logPath: string;
}

export interface ExecOptions {
  command: string[];
  tty: boolean;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** terminal size changes */
  resize?: AsyncIterable<{ width: number; height: number }>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What a container runtime driver provides. Every method may throw `RuntimeError`. */
export interface ContainerRuntime {
  /** `oci`, `host` or `sim` */
  readonly name: string;
  readonly version: string;

  pullImage(ref: ImageRef, auth: PullAuth | undefined, onProgress?: (p: PullProgress) => void, signal?: AbortSignal): Promise<ImageStatus>;
  imageStatus(ref: ImageRef): Promise<ImageStatus | undefined>;
  listImages(): Promise<ImageStatus[]>;
  removeImage(ref: ImageRef): Promise<void>;

  runPodSandbox(config: SandboxConfig): Promise<SandboxStatus>;
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  listPodSandboxes(): Promise<SandboxStatus[]>;

  createContainer(sandboxId: string, config: ContainerConfig, sandbox: SandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds` */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: { sandboxId?: string; podUid?: string }): Promise<ContainerStatus[]>;
  containerStatus(id: string): Promise<ContainerStatus | undefined>;

  /** runs a command in the container and resolves with its exit code */
  exec(id: string, options: ExecOptions): Promise<number>;
  /** connects to the container's stdio (when created with stdin/tty) */
  attach(id: string, options: Omit<ExecOptions, 'command'>): Promise<void>;
  /** opens a TCP connection to `port` inside the sandbox's network namespace */
  portForward(sandboxId: string, port: number): Promise<import('node:net').Socket>;

  /** frees what the runtime holds (child processes stay running unless `killAll`) */
  close(options?: { killAll?: boolean }): Promise<void>;
}

/** Errors a runtime raises; `code` is what the kubelet turns into a waiting reason. */
export class RuntimeError extends Error {
  constructor(
    readonly code: 'ImageNotFound' | 'ErrImagePull' | 'ImageInspectError' | 'CreateContainerError' | 'RunContainerError' | 'NotFound' | 'SandboxError' | 'Unsupported',
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}
