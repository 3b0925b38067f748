import type { FieldError } from '../errors.js';
import { isDNS1123Label, isEnvVarName, isQualifiedName, isValidPortName, isValidPortNum } from '../names.js';
import { compareQuantities, canonicalQuantity, isValidQuantity, parseQuantity, quantityFormatError, quantityMilliValue } from '../quantity.js';
import { duplicate, each, forbidden, invalidValue, list, nonNegative, notFound, notSupported, required, type Obj } from './field-errors.js';
import { validateLocalDescendingPath } from './volume-validation.js';

const protocols = ['SCTP', 'TCP', 'UDP'];
const pullPolicies = ['Always', 'IfNotPresent', 'Never'];
const terminationMessagePolicies = ['File', 'FallbackToLogsOnError'];
const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** A port given as a number or an IANA name (httpGet.port, tcpSocket.port, targetPort). */
export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') return each(path, port, isValidPortNum(port));
  if (typeof port === 'string') return port === '' ? [required(path)] : each(path, port, isValidPortName(port));
  return [required(path)];
}

/** Container ports: names, numbers, protocols. */
export function validateContainerPorts(ports: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `${path}[${i}]`;
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) errs.push(...each(`${p}.name`, port.name, msgs));
      else if (names.has(port.name)) errs.push(duplicate(`${p}.name`, port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(required(`${p}.containerPort`));
    else errs.push(...each(`${p}.containerPort`, port.containerPort, isValidPortNum(port.containerPort)));
    if (port.hostPort) errs.push(...each(`${p}.hostPort`, port.hostPort, isValidPortNum(port.hostPort)));
    if (!port.protocol) errs.push(required(`${p}.protocol`));
    else if (!protocols.includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, protocols));
  });
  return errs;
}

function validateResourceName(name: string, path: string): FieldError[] {
  const errs = each(path, name, isQualifiedName(name));
  if (errs.length) return errs;
  if (!name.includes('/') && !standardContainerResources.has(name) && !name.startsWith('hugepages-')) {
    return [invalidValue(path, name, 'must be a standard resource for containers')];
  }
  return [];
}

function validateQuantity(name: string, q: unknown, path: string): FieldError[] {
  if (!isValidQuantity(q)) return [invalidValue(path, q, quantityFormatError)];
  if (parseQuantity(q as string) < 0) return [invalidValue(path, q, 'must be greater than or equal to 0')];
  if ((name.startsWith('hugepages-') || name.includes('/')) && quantityMilliValue(q as string) % 1000 !== 0) {
    return [invalidValue(path, q, 'must be an integer')];
  }
  return [];
}

/** resources.limits and resources.requests: names, quantities, requests ≤ limits. */
export function validateResourceRequirements(resources: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const limits: Obj = resources?.limits ?? {};
  const requests: Obj = resources?.requests ?? {};
  for (const [name, q] of Object.entries(limits)) {
    errs.push(...validateResourceName(name, `${path}.limits[${name}]`));
    errs.push(...validateQuantity(name, q, `${path}.limits[${name}]`));
  }
  for (const [name, q] of Object.entries(requests)) {
    const p = `${path}.requests[${name}]`;
    errs.push(...validateResourceName(name, p));
    const qErrs = validateQuantity(name, q, p);
    errs.push(...qErrs);
    const limit = limits[name];
    if (qErrs.length || limit === undefined || !isValidQuantity(limit)) continue;
    const overcommit = standardContainerResources.has(name);
    const cmp = compareQuantities(q as string, limit);
    if (cmp !== 0 && !overcommit) {
      errs.push(invalidValue(`${path}.requests`, canonicalQuantity(q as string), `must be equal to ${name} limit of ${canonicalQuantity(limit)}`));
    } else if (cmp > 0) {
      errs.push(invalidValue(`${path}.requests`, canonicalQuantity(q as string), `must be less than or equal to ${name} limit of ${canonicalQuantity(limit)}`));
    }
  }
  return errs;
}

const handlerKinds = ['exec', 'httpGet', 'tcpSocket', 'grpc'];

function validateHandler(h: Obj, path: string, kinds: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const set = kinds.filter((k) => h[k] !== undefined && h[k] !== null);
  if (set.length === 0) errs.push(required(path, 'must specify a handler type'));
  for (const extra of set.slice(1)) errs.push(forbidden(`${path}.${extra}`, 'may not specify more than 1 handler type'));
  if (h.exec && list(h.exec, 'command').length === 0) errs.push(required(`${path}.exec.command`));
  if (h.httpGet) {
    errs.push(...validatePortNumOrName(h.httpGet.port, `${path}.httpGet.port`));
    if (h.httpGet.scheme !== undefined && !['HTTP', 'HTTPS'].includes(h.httpGet.scheme)) errs.push(notSupported(`${path}.httpGet.scheme`, h.httpGet.scheme, ['HTTP', 'HTTPS']));
  }
  if (h.tcpSocket) errs.push(...validatePortNumOrName(h.tcpSocket.port, `${path}.tcpSocket.port`));
  if (h.grpc) errs.push(...each(`${path}.grpc.port`, h.grpc.port, isValidPortNum(h.grpc.port)));
  if (h.sleep && !(typeof h.sleep.seconds === 'number' && h.sleep.seconds >= 0)) errs.push(invalidValue(`${path}.sleep.seconds`, h.sleep.seconds, 'must be greater than or equal to 0'));
  return errs;
}

function validateProbe(probe: Obj | undefined, path: string, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  if (!probe) return [];
  const errs = validateHandler(probe, path, handlerKinds);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(probe[f], `${path}.${f}`));
  }
  if (kind !== 'readiness' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(invalidValue(`${path}.successThreshold`, probe.successThreshold, 'must be 1'));
  }
  if (kind === 'readiness' && probe.terminationGracePeriodSeconds !== undefined) {
    errs.push(invalidValue(`${path}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(invalidValue(`${path}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

function validateEnv(env: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  env.forEach((e, i) => {
    const p = `${path}[${i}]`;
    if (!e.name) errs.push(required(`${p}.name`));
    else errs.push(...each(`${p}.name`, e.name, isEnvVarName(e.name)));
    if (e.valueFrom) {
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'fileKeyRef'].filter((k) => e.valueFrom[k]);
      if (sources.length === 0) errs.push(invalidValue(`${p}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      if (sources.length > 1) errs.push(invalidValue(`${p}.valueFrom`, '', 'may not have more than one field specified at a time'));
      if (e.value) errs.push(invalidValue(`${p}.valueFrom`, '', 'may not be specified when `value` is not empty'));
      for (const ref of ['configMapKeyRef', 'secretKeyRef']) {
        if (e.valueFrom[ref] && !e.valueFrom[ref].key) errs.push(required(`${p}.valueFrom.${ref}.key`));
      }
      if (e.valueFrom.fieldRef && !e.valueFrom.fieldRef.fieldPath) errs.push(required(`${p}.valueFrom.fieldRef.fieldPath`));
    }
  });
  return errs;
}

function validateEnvFrom(envFrom: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  envFrom.forEach((e, i) => {
    const p = `${path}[${i}]`;
    if (e.prefix) errs.push(...each(`${p}.prefix`, e.prefix, isEnvVarName(e.prefix)));
    const n = (e.configMapRef ? 1 : 0) + (e.secretRef ? 1 : 0);
    if (n === 0) errs.push(invalidValue(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
    if (n > 1) errs.push(invalidValue(p, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(mounts: Obj[], path: string, volumes: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const points = new Set<string>();
  mounts.forEach((m, i) => {
    const p = `${path}[${i}]`;
    if (!m.name) errs.push(required(`${p}.name`));
    if (!volumes.has(m.name)) errs.push(notFound(`${p}.name`, m.name ?? ''));
    if (!m.mountPath) errs.push(required(`${p}.mountPath`));
    if (points.has(m.mountPath)) errs.push(invalidValue(`${p}.mountPath`, m.mountPath, 'must be unique'));
    points.add(m.mountPath);
    if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, `${p}.subPath`));
    if (m.subPath && m.subPathExpr) errs.push(invalidValue(`${p}.subPathExpr`, m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
  });
  return errs;
}

/** What the caller knows when validating one list of containers. */
export interface ContainerContext {
  volumes: Set<string>;
  /** container names seen so far across containers, initContainers, ephemeralContainers */
  names: Set<string>;
  kind: 'containers' | 'initContainers' | 'ephemeralContainers';
}

/** Validates one list of containers as upstream's validateContainers / validateInitContainers. */
export function validateContainers(containers: Obj[], path: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!c.name) errs.push(required(`${p}.name`));
    else errs.push(...each(`${p}.name`, c.name, isDNS1123Label(c.name)));
    if (c.name && ctx.names.has(c.name)) errs.push(duplicate(`${p}.name`, c.name));
    else if (c.name) ctx.names.add(c.name);
    if (!c.image) errs.push(required(`${p}.image`));
    else if (c.image !== String(c.image).trim()) errs.push(invalidValue(`${p}.image`, c.image, 'must not have leading or trailing whitespace'));
    if (ctx.kind === 'ephemeralContainers') {
      for (const f of ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle']) {
        if (c[f] !== undefined) errs.push(forbidden(`${p}.${f}`, 'cannot be set for an Ephemeral Container'));
      }
    }
    if (ctx.kind === 'initContainers') {
      const sidecar = c.restartPolicy === 'Always';
      if (c.restartPolicy !== undefined && !sidecar) errs.push(notSupported(`${p}.restartPolicy`, c.restartPolicy, ['Always']));
      if (!sidecar) {
        for (const f of ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle']) {
          if (c[f] !== undefined) errs.push(forbidden(`${p}.${f}`, `may not be set for init containers without restartPolicy=Always`));
        }
      }
    } else if (c.restartPolicy !== undefined && ctx.kind === 'containers') {
      errs.push(forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
    }
    errs.push(...validateContainerPorts(list(c, 'ports'), `${p}.ports`));
    errs.push(...validateEnv(list(c, 'env'), `${p}.env`));
    errs.push(...validateEnvFrom(list(c, 'envFrom'), `${p}.envFrom`));
    errs.push(...validateVolumeMounts(list(c, 'volumeMounts'), `${p}.volumeMounts`, ctx.volumes));
    errs.push(...validateResourceRequirements(c.resources, `${p}.resources`));
    errs.push(...validateProbe(c.livenessProbe, `${p}.livenessProbe`, 'liveness'));
    errs.push(...validateProbe(c.readinessProbe, `${p}.readinessProbe`, 'readiness'));
    errs.push(...validateProbe(c.startupProbe, `${p}.startupProbe`, 'startup'));
    for (const hook of ['postStart', 'preStop']) {
      if (c.lifecycle?.[hook]) errs.push(...validateHandler(c.lifecycle[hook], `${p}.lifecycle.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
    }
    if (!c.imagePullPolicy) errs.push(required(`${p}.imagePullPolicy`));
    else if (!pullPolicies.includes(c.imagePullPolicy)) errs.push(notSupported(`${p}.imagePullPolicy`, c.imagePullPolicy, pullPolicies));
    if (!c.terminationMessagePolicy) errs.push(required(`${p}.terminationMessagePolicy`));
    else if (!terminationMessagePolicies.includes(c.terminationMessagePolicy)) {
      errs.push(notSupported(`${p}.terminationMessagePolicy`, c.terminationMessagePolicy, terminationMessagePolicies));
    }
  });
  return errs;
}
