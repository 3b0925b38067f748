import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortNum, ipFamilyOf } from '../names.js';
import { validateLabels } from '../object-meta.js';
import { validatePortNumOrName } from './container-validation.js';
import { child, duplicate, each, forbidden, goJsonList, invalidValue, list, notSupported, rawError, required, setDefault, type Obj } from './field-errors.js';

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const affinities = ['ClientIP', 'None'];
const protocols = ['SCTP', 'TCP', 'UDP'];
const ipFamilyPolicies = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
const trafficPolicies = ['Cluster', 'Local'];

/**
 * Service defaults as upstream's SetDefaults_Service, plus what the service strategy
 * normalises on create: clusterIPs from clusterIP, ipFamilyPolicy SingleStack and ipFamilies
 * from the cluster IP (IPv4 when none is allocated yet).
 */
export function defaultService(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && typeof spec.sessionAffinityConfig?.clientIP?.timeoutSeconds !== 'number') {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of list(spec, 'ports')) {
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (!spec.internalTrafficPolicy && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  if (spec.type === 'ExternalName') return;
  if (spec.clusterIP && !Array.isArray(spec.clusterIPs)) spec.clusterIPs = [spec.clusterIP];
  if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = 'SingleStack';
  if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) {
    const fam = spec.clusterIP && spec.clusterIP !== 'None' ? ipFamilyOf(spec.clusterIP) : undefined;
    spec.ipFamilies = [fam === 6 ? 'IPv6' : 'IPv4'];
  }
}

function isHeadless(spec: Obj): boolean {
  return spec.clusterIP === 'None' || (Array.isArray(spec.clusterIPs) && spec.clusterIPs[0] === 'None');
}

function goServicePortKey(port: Obj): string {
  return `{"Name":"","Protocol":${JSON.stringify(port.protocol ?? '')},"AppProtocol":null,"Port":${port.port ?? 0},"TargetPort":0,"NodePort":0}`;
}

function validatePorts(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ports = list(spec, 'ports');
  const names = new Set<string>();
  const nodePorts = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((port, i) => {
    const p = `spec.ports[${i}]`;
    if (ports.length > 1 && !port.name) errs.push(required(`${p}.name`));
    else if (port.name) {
      errs.push(...each(`${p}.name`, port.name, isDNS1123Label(port.name)));
      if (names.has(port.name)) errs.push(duplicate(`${p}.name`, port.name));
      else names.add(port.name);
    }
    errs.push(...each(`${p}.port`, port.port ?? 0, isValidPortNum(port.port ?? 0)));
    if (!port.protocol) errs.push(required(`${p}.protocol`));
    else if (!protocols.includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, protocols));
    errs.push(...validatePortNumOrName(port.targetPort, `${p}.targetPort`));
    if (port.nodePort) {
      if (spec.type === 'ClusterIP') errs.push(forbidden(`${p}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      errs.push(...each(`${p}.nodePort`, port.nodePort, isValidPortNum(port.nodePort)));
      const key = `${port.protocol}/${port.nodePort}`;
      if (nodePorts.has(key)) errs.push(duplicate(`${p}.nodePort`, port.nodePort));
      nodePorts.add(key);
    }
    const key = `${port.protocol}/${port.port}`;
    if (keys.has(key)) errs.push(rawError('FieldValueDuplicate', p, goServicePortKey(port)));
    keys.add(key);
    if (spec.type === 'LoadBalancer' && port.port === 10250) {
      errs.push(invalidValue(p, port.port, 'may not expose port 10250 externally since it is used by kubelet'));
    }
  });
  return errs;
}

function validateClusterIPs(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.type === 'ExternalName') {
    if (Array.isArray(spec.clusterIPs) && spec.clusterIPs.length) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (Array.isArray(spec.ipFamilies) && spec.ipFamilies.length) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    return errs;
  }
  const ips: string[] = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  if (spec.clusterIP && ips.length && ips[0] !== spec.clusterIP) {
    errs.push(invalidValue('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  }
  ips.forEach((ip, i) => {
    if (ip === 'None') {
      if (i > 0 || ips.length > 1) errs.push(invalidValue(`spec.clusterIPs[${i}]`, ip, "'None' must be the first and only value"));
      return;
    }
    if (!ipFamilyOf(ip)) errs.push(invalidValue(`spec.clusterIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
  if (spec.ipFamilyPolicy && !ipFamilyPolicies.includes(spec.ipFamilyPolicy)) errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, ipFamilyPolicies));
  const fams: string[] = Array.isArray(spec.ipFamilies) ? spec.ipFamilies : [];
  fams.forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
  });
  if (fams.length === 2 && fams[0] === fams[1]) errs.push(duplicate('spec.ipFamilies[1]', fams[1]));
  if (spec.ipFamilyPolicy === 'SingleStack' && ips.length > 1) errs.push(invalidValue('spec.clusterIPs', ips, 'must have at most 1 value when ipFamilyPolicy is SingleStack'));
  return errs;
}

/** Service spec validation; with `old`, cluster IPs may not change once set (except to or from ExternalName). */
export function validateService(obj: KubeObject, old?: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  const headless = isHeadless(spec);
  if (list(spec, 'ports').length === 0 && !headless && spec.type !== 'ExternalName') errs.push(required('spec.ports'));
  if (spec.type === 'LoadBalancer' && headless) errs.push(invalidValue('spec.clusterIPs[0]', 'None', "may not be set to 'None' for LoadBalancer services"));
  if (spec.type === 'NodePort' && headless) errs.push(invalidValue('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services"));
  if (spec.type === 'ExternalName') {
    const cname = String(spec.externalName ?? '').replace(/\.$/, '');
    if (cname) errs.push(...each('spec.externalName', cname, isDNS1123Subdomain(cname)));
    else errs.push(required('spec.externalName'));
  }
  errs.push(...validatePorts(spec));
  if (spec.selector) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (!spec.sessionAffinity) errs.push(required('spec.sessionAffinity'));
  else if (!affinities.includes(spec.sessionAffinity)) errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, affinities));
  if (spec.sessionAffinity === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (typeof t !== 'number') errs.push(required('spec.sessionAffinityConfig.clientIP.timeoutSeconds'));
    else if (t <= 0 || t > 86400) errs.push(invalidValue('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, 'must be greater than 0 and less than 86400'));
  } else if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPs(spec));
  list(spec, 'externalIPs').forEach((ip, i) => {
    if (!ipFamilyOf(ip as unknown as string)) errs.push(invalidValue(`spec.externalIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
  if (!spec.type) errs.push(required('spec.type'));
  else if (!serviceTypes.includes(spec.type)) errs.push(notSupported('spec.type', spec.type, serviceTypes));
  if (spec.externalTrafficPolicy) {
    if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') {
      errs.push(invalidValue('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
    } else if (!trafficPolicies.includes(spec.externalTrafficPolicy)) {
      errs.push(notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, trafficPolicies));
    }
  }
  if (spec.internalTrafficPolicy && !trafficPolicies.includes(spec.internalTrafficPolicy)) {
    errs.push(notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, trafficPolicies));
  }
  if (old) errs.push(...validateClusterIPUpdate(spec, (old.spec ?? {}) as Obj));
  return errs;
}

function validateClusterIPUpdate(spec: Obj, prev: Obj): FieldError[] {
  if (spec.type === 'ExternalName' || prev.type === 'ExternalName') return [];
  if (isHeadless(spec) && isHeadless(prev)) return [];
  const ips = (s: Obj): string[] => (Array.isArray(s.clusterIPs) ? s.clusterIPs : s.clusterIP ? [s.clusterIP] : []);
  const next = ips(spec);
  const before = ips(prev);
  const printed = goJsonList(next);
  if (before.length === next.length) {
    return before.flatMap((ip, i) => (ip !== next[i] ? [rawError('FieldValueInvalid', `spec.clusterIPs[${i}]`, printed, 'may not change once set')] : []));
  }
  if (before.length > next.length) {
    if (next.length === 0) return [rawError('FieldValueInvalid', 'spec.clusterIPs[0]', printed, 'primary clusterIP can not be unset')];
    if (next[0] !== before[0]) return [rawError('FieldValueInvalid', 'spec.clusterIPs[0]', printed, 'may not change once set')];
    return [];
  }
  if (before.length > 0 && next[0] !== before[0]) return [rawError('FieldValueInvalid', 'spec.clusterIPs[0]', printed, 'may not change once set')];
  return [];
}
