import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidIP } from '../names.js';
import { validateLabels, validateAnnotations } from '../object-meta.js';
import { validateContainers } from './container-validation.js';
import { duplicate, each, invalidValue, list, nonNegative, notSupported, required, type Obj } from './field-errors.js';
import { validatePodUpdate } from './pod-update.js';
import { validateAffinity, validateSecurityContextIds, validateTopologySpreadConstraints } from './pod-scheduling-validation.js';
import { validateVolumes } from './volume-validation.js';

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const tolerationOperators = ['Equal', 'Exists'];
const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const maxInt32 = 2147483647;

/** upstream's validateRestartPolicy */
export function validateRestartPolicy(policy: unknown, path: string): FieldError[] {
  if (policy === undefined || policy === '') return [required(path)];
  return restartPolicies.includes(policy as string) ? [] : [notSupported(path, policy, restartPolicies)];
}

function validateDNSPolicy(spec: Obj, path: string): FieldError[] {
  const p = spec.dnsPolicy;
  if (p === undefined || p === '') return [required(`${path}.dnsPolicy`)];
  if (!dnsPolicies.includes(p)) return [notSupported(`${path}.dnsPolicy`, p, dnsPolicies)];
  if (p === 'None' && !spec.dnsConfig) return [required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None')];
  return [];
}

/** Tolerations as upstream's ValidateTolerations. */
export function validateTolerations(tolerations: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  tolerations.forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (t.key) errs.push(...each(`${p}.key`, t.key, isQualifiedName(t.key)));
    if (!t.key && t.operator !== 'Exists') errs.push(invalidValue(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(invalidValue(`${p}.effect`, t.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
    }
    const op = t.operator ?? 'Equal';
    if (op === 'Equal' || op === '') {
      if (t.value) errs.push(...each(`${p}.operator`, t.value, isValidLabelValue(t.value)));
    } else if (op === 'Exists') {
      if (t.value) errs.push(invalidValue(`${p}.operator`, t, 'value must be empty when `operator` is \'Exists\''));
    } else {
      errs.push(notSupported(`${p}.operator`, op, tolerationOperators));
    }
    if (t.effect && !taintEffects.includes(t.effect)) errs.push(notSupported(`${p}.effect`, t.effect, taintEffects));
  });
  return errs;
}

function validateHostPorts(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const [kind, containers] of [['containers', list(spec, 'containers')], ['initContainers', list(spec, 'initContainers')]] as const) {
    containers.forEach((c, ci) => {
      list(c, 'ports').forEach((port, pi) => {
        if (!port.hostPort) return;
        const key = `${port.protocol ?? 'TCP'}/${port.hostIP ?? ''}/${port.hostPort}`;
        if (seen.has(key)) errs.push(duplicate(`${path}.${kind}[${ci}].ports[${pi}].hostPort`, key));
        seen.add(key);
      });
    });
  }
  return errs;
}

/** Validates a PodSpec at `path` (`spec`, or `spec.template.spec` in workloads). */
export function validatePodSpec(spec: Obj | undefined, path = 'spec'): FieldError[] {
  const s: Obj = spec ?? {};
  const errs: FieldError[] = [];
  const { errors: volErrs, names: volumes } = validateVolumes(list(s, 'volumes'), `${path}.volumes`);
  errs.push(...volErrs);
  const names = new Set<string>();
  const containers = list(s, 'containers');
  if (containers.length === 0) errs.push(required(`${path}.containers`));
  errs.push(...validateContainers(list(s, 'initContainers'), `${path}.initContainers`, { volumes, names, kind: 'initContainers' }));
  errs.push(...validateContainers(containers, `${path}.containers`, { volumes, names, kind: 'containers' }));
  errs.push(...validateContainers(list(s, 'ephemeralContainers'), `${path}.ephemeralContainers`, { volumes, names, kind: 'ephemeralContainers' }));
  errs.push(...validateHostPorts(s, path));
  errs.push(...validateRestartPolicy(s.restartPolicy, `${path}.restartPolicy`));
  errs.push(...validateDNSPolicy(s, path));
  if (s.nodeSelector) errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  if (s.nodeName) errs.push(...each(`${path}.nodeName`, s.nodeName, isDNS1123Subdomain(s.nodeName)));
  if (s.serviceAccountName) errs.push(...each(`${path}.serviceAccountName`, s.serviceAccountName, isDNS1123Subdomain(s.serviceAccountName)));
  if (s.hostname) errs.push(...each(`${path}.hostname`, s.hostname, isDNS1123Label(s.hostname)));
  if (s.subdomain) errs.push(...each(`${path}.subdomain`, s.subdomain, isDNS1123Label(s.subdomain)));
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null) {
    const v = s.activeDeadlineSeconds;
    if (!Number.isInteger(v) || v < 1 || v > maxInt32) errs.push(invalidValue(`${path}.activeDeadlineSeconds`, v, `must be between 1 and ${maxInt32}, inclusive`));
  }
  errs.push(...nonNegative(s.terminationGracePeriodSeconds, `${path}.terminationGracePeriodSeconds`));
  errs.push(...validateTolerations(list(s, 'tolerations'), `${path}.tolerations`));
  list(s, 'imagePullSecrets').forEach((r, i) => {
    if (!r.name) errs.push(required(`${path}.imagePullSecrets[${i}].name`));
  });
  list(s, 'hostAliases').forEach((h, i) => {
    errs.push(...each(`${path}.hostAliases[${i}].ip`, h.ip, isValidIP(h.ip ?? '')));
  });
  if (s.priorityClassName) errs.push(...each(`${path}.priorityClassName`, s.priorityClassName, isDNS1123Subdomain(s.priorityClassName)));
  if (s.hostNetwork) {
    [...list(s, 'containers')].forEach((c, ci) => {
      list(c, 'ports').forEach((port, pi) => {
        if (port.hostPort && port.hostPort !== port.containerPort) {
          errs.push(invalidValue(`${path}.containers[${ci}].ports[${pi}].containerPort`, port.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
        }
      });
    });
  }
  errs.push(...validateAffinity(s.affinity, `${path}.affinity`));
  errs.push(...validateTopologySpreadConstraints(list(s, 'topologySpreadConstraints'), `${path}.topologySpreadConstraints`));
  errs.push(...validateSecurityContextIds(s.securityContext, `${path}.securityContext`));
  for (const kind of ['initContainers', 'containers']) {
    list(s, kind).forEach((c, i) => errs.push(...validateSecurityContextIds(c.securityContext, `${path}.${kind}[${i}].securityContext`)));
  }
  if (s.schedulerName !== undefined && s.schedulerName !== '') errs.push(...each(`${path}.schedulerName`, s.schedulerName, isDNS1123Subdomain(s.schedulerName)));
  return errs;
}

/** Validates a PodTemplateSpec at `path` (`spec.template`): its labels, annotations and spec. */
export function validatePodTemplateSpec(template: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabels(template?.metadata?.labels, `${path}.metadata.labels`));
  errs.push(...validateAnnotations(template?.metadata?.annotations, `${path}.metadata.annotations`));
  errs.push(...validatePodSpec(template?.spec, `${path}.spec`));
  return errs;
}

/** Pod spec validation on create, and with `old` the update rules (most of the spec is immutable). */
export function validatePod(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs = validatePodSpec(obj.spec as Obj | undefined, 'spec');
  if (old) errs.push(...validatePodUpdate(obj, old));
  return errs;
}
