import type { KubeObject } from '../api/index.js';

/** The parts of a core/v1 Pod the kubelet reads and writes. */
export interface Pod extends KubeObject {
  spec: PodSpec;
  status?: PodStatus;
}

export interface PodSpec {
  nodeName?: string;
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  initContainers?: Container[];
  containers: Container[];
  volumes?: Volume[];
  terminationGracePeriodSeconds?: number;
  activeDeadlineSeconds?: number;
  hostNetwork?: boolean;
  hostname?: string;
  subdomain?: string;
  dnsPolicy?: string;
  dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: { name: string; value?: string }[] };
  hostAliases?: { ip: string; hostnames?: string[] }[];
  serviceAccountName?: string;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }[];
  readinessGates?: { conditionType: string }[];
  securityContext?: { runAsUser?: number; runAsGroup?: number };
  imagePullSecrets?: { name: string }[];
  [extra: string]: unknown;
}

export interface Handler {
  exec?: { command?: string[] };
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string; host?: string };
  grpc?: { port: number; service?: string };
  sleep?: { seconds: number };
}

export interface Probe extends Handler {
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string; apiVersion?: string };
    resourceFieldRef?: { containerName?: string; resource: string; divisor?: string };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

export interface Container {
  name: string;
  image?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: { prefix?: string; configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } }[];
  ports?: { containerPort: number; hostPort?: number; protocol?: 'TCP' | 'UDP' | 'SCTP'; hostIP?: string; name?: string }[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { postStart?: Handler; preStop?: Handler };
  restartPolicy?: 'Always';
  tty?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
  securityContext?: { runAsUser?: number; runAsGroup?: number; readOnlyRootFilesystem?: boolean };
}

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export interface DownwardAPIFile {
  path: string;
  fieldRef?: { fieldPath: string };
  resourceFieldRef?: { containerName?: string; resource: string; divisor?: string };
  mode?: number;
}

export interface Volume {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  hostPath?: { path: string; type?: string };
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number };
  secret?: { secretName: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number };
  downwardAPI?: { items?: DownwardAPIFile[]; defaultMode?: number };
  projected?: {
    sources?: {
      configMap?: { name: string; items?: KeyToPath[]; optional?: boolean };
      secret?: { name: string; items?: KeyToPath[]; optional?: boolean };
      downwardAPI?: { items?: DownwardAPIFile[] };
      serviceAccountToken?: { path: string; audience?: string; expirationSeconds?: number };
    }[];
    defaultMode?: number;
  };
  [extra: string]: unknown;
}

export interface ContainerStateJson {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string; containerID?: string; signal?: number };
}

export interface ContainerStatusJson {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state: ContainerStateJson;
  lastState: ContainerStateJson;
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

export interface PodStatus {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  reason?: string;
  message?: string;
  conditions?: PodCondition[];
  hostIP?: string;
  hostIPs?: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  initContainerStatuses?: ContainerStatusJson[];
  containerStatuses?: ContainerStatusJson[];
  qosClass?: string;
  [extra: string]: unknown;
}

/** Annotation keys of static and mirror pods (upstream's kubetypes). */
export const configAnnotations = {
  hash: 'kubernetes.io/config.hash',
  source: 'kubernetes.io/config.source',
  seen: 'kubernetes.io/config.seen',
  mirror: 'kubernetes.io/config.mirror',
} as const;

/** `file` or `http` pods from the node itself rather than the API. */
export function isStaticPod(pod: Pod): boolean {
  const source = pod.metadata.annotations?.[configAnnotations.source];
  return source === 'file' || source === 'http';
}

/** A pod in the API that stands for a static pod. */
export function isMirrorPod(pod: KubeObject): boolean {
  return pod.metadata.annotations?.[configAnnotations.mirror] !== undefined;
}

/** Init containers with `restartPolicy: Always` (KEP-753). */
export function isSidecar(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

/** `2024-01-02T03:04:05Z` */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
