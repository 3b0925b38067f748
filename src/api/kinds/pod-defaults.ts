import type { KubeObject } from '../object.js';
import { canonicalQuantity, isValidQuantity } from '../quantity.js';
import { child, list, setDefault, type Obj } from './field-errors.js';

/** Always for `:latest` or an untagged image without digest, else IfNotPresent (upstream's SetDefaults_Container). */
export function defaultImagePullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  const at = (image ?? '').indexOf('@');
  const ref = at >= 0 ? (image ?? '').slice(0, at) : image ?? '';
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const tag = colon > lastSlash ? ref.slice(colon + 1) : at >= 0 ? '' : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: Obj | undefined): void {
  if (!h) return;
  if (h.httpGet) {
    setDefault(h.httpGet, 'path', '/');
    setDefault(h.httpGet, 'scheme', 'HTTP');
  }
  if (h.grpc) setDefault(h.grpc, 'service', '');
}

function defaultProbe(p: Obj | undefined): void {
  if (!p) return;
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  defaultHandler(p);
}

function defaultEnv(c: Obj): void {
  for (const e of list(c, 'env')) {
    if (e.valueFrom?.fieldRef) setDefault(e.valueFrom.fieldRef, 'apiVersion', 'v1');
  }
}

/** Rewrites valid quantities in a resource list canonically, rounded up to milli-units (SetDefaults_ResourceList). */
export function defaultResourceList(resources: Obj | undefined): void {
  if (!resources || typeof resources !== 'object') return;
  for (const [k, v] of Object.entries(resources)) if (isValidQuantity(v)) resources[k] = canonicalQuantity(v as string | number, { roundUpToMilli: true });
}

/** Container defaults: imagePullPolicy, termination message, port protocols, probes, handlers. */
export function defaultContainer(c: Obj): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultImagePullPolicy(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const p of list(c, 'ports')) if (!p.protocol) p.protocol = 'TCP';
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
  defaultEnv(c);
  defaultResourceList(c.resources?.limits);
  defaultResourceList(c.resources?.requests);
}

const volumeSources = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
];

/** The volume source fields a Volume may set (exactly one of them). */
export const volumeSourceFields: readonly string[] = volumeSources;

/** Volume defaults: emptyDir when no source is given, file modes 0644, projected token expiry. */
export function defaultVolume(v: Obj): void {
  if (!volumeSources.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  if (v.secret) setDefault(v.secret, 'defaultMode', 0o644);
  if (v.configMap) setDefault(v.configMap, 'defaultMode', 0o644);
  if (v.downwardAPI) {
    setDefault(v.downwardAPI, 'defaultMode', 0o644);
    for (const item of list(v.downwardAPI, 'items')) if (item.fieldRef) setDefault(item.fieldRef, 'apiVersion', 'v1');
  }
  if (v.projected) {
    setDefault(v.projected, 'defaultMode', 0o644);
    for (const s of list(v.projected, 'sources')) {
      if (s.serviceAccountToken) setDefault(s.serviceAccountToken, 'expirationSeconds', 3600);
      for (const item of list(s.downwardAPI, 'items')) if (item.fieldRef) setDefault(item.fieldRef, 'apiVersion', 'v1');
    }
  }
  if (v.hostPath) setDefault(v.hostPath, 'type', '');
  if (v.emptyDir && isValidQuantity(v.emptyDir.sizeLimit)) v.emptyDir.sizeLimit = canonicalQuantity(v.emptyDir.sizeLimit);
  if (v.iscsi) setDefault(v.iscsi, 'iscsiInterface', 'default');
  if (v.rbd) {
    setDefault(v.rbd, 'pool', 'rbd');
    setDefault(v.rbd, 'user', 'admin');
    setDefault(v.rbd, 'keyring', '/etc/ceph/keyring');
  }
  if (v.ephemeral?.volumeClaimTemplate?.spec) setDefault(v.ephemeral.volumeClaimTemplate.spec, 'volumeMode', 'Filesystem');
}

function defaultHostNetworkPorts(containers: Obj[]): void {
  for (const c of containers) for (const p of list(c, 'ports')) if (p.hostPort === undefined || p.hostPort === null) p.hostPort = p.containerPort;
}

/**
 * PodSpec defaults as upstream's SetDefaults_PodSpec and the generated defaulters (for pods and
 * pod templates alike).
 */
export function defaultPodSpec(spec: Obj): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (spec.hostNetwork) {
    defaultHostNetworkPorts(list(spec, 'containers'));
    defaultHostNetworkPorts(list(spec, 'initContainers'));
  }
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  for (const c of list(spec, 'initContainers')) defaultContainer(c);
  for (const c of list(spec, 'containers')) defaultContainer(c);
  for (const c of list(spec, 'ephemeralContainers')) defaultContainer(c);
  for (const v of list(spec, 'volumes')) defaultVolume(v);
}

/** Pod template defaults (PodTemplateSpec inside workloads): the PodSpec defaults only. */
export function defaultPodTemplate(template: Obj | undefined): void {
  if (!template) return;
  defaultPodSpec(child(template, 'spec'));
}

function defaultRequestsFromLimits(c: Obj): void {
  const limits = c.resources?.limits;
  if (!limits || typeof limits !== 'object') return;
  const requests = child(c.resources, 'requests');
  for (const [k, v] of Object.entries(limits)) if (requests[k] === undefined) requests[k] = v;
}

/**
 * Pod defaults as upstream's SetDefaults_Pod plus the PodSpec defaults: requests default to
 * limits, enableServiceLinks true. Mutates the object. Status is left alone.
 */
export function defaultPod(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  for (const c of [...list(spec, 'containers'), ...list(spec, 'initContainers')]) defaultRequestsFromLimits(c);
  setDefault(spec, 'enableServiceLinks', true);
  defaultPodSpec(spec);
}
