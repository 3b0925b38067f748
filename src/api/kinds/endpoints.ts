import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortNum, ipFamilyOf } from '../names.js';
import { each, invalidValue, list, notSupported, required, type Obj } from './field-errors.js';

const protocols = ['SCTP', 'TCP', 'UDP'];

/** Endpoints defaults: ports protocol TCP. */
export function defaultEndpoints(obj: KubeObject): void {
  for (const subset of list(obj, 'subsets')) for (const p of list(subset, 'ports')) if (!p.protocol) p.protocol = 'TCP';
}

/** upstream's validateNonSpecialIP: no unspecified, loopback, link-local or multicast addresses. */
export function validateNonSpecialIP(ip: string, path: string): FieldError[] {
  const fam = ipFamilyOf(ip);
  if (fam === 4) {
    const [a, b] = ip.split('.').map(Number);
    if (ip === '0.0.0.0') return [invalidValue(path, ip, 'may not be unspecified (0.0.0.0)')];
    if (a === 127) return [invalidValue(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
    if (a === 169 && b === 254) return [invalidValue(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
    if (a >= 224 && a <= 239) return [invalidValue(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')];
  } else if (fam === 6) {
    const lower = ip.toLowerCase();
    if (lower === '::') return [invalidValue(path, ip, 'may not be unspecified (::)')];
    if (lower === '::1') return [invalidValue(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
    if (/^fe[89ab]/.test(lower)) return [invalidValue(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
  }
  return [];
}

function validateAddress(a: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!ipFamilyOf(a.ip ?? '')) errs.push(invalidValue(`${path}.ip`, a.ip ?? '', 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  else errs.push(...validateNonSpecialIP(a.ip, `${path}.ip`));
  if (a.hostname) errs.push(...each(`${path}.hostname`, a.hostname, isDNS1123Label(a.hostname)));
  if (a.nodeName) errs.push(...each(`${path}.nodeName`, a.nodeName, isDNS1123Subdomain(a.nodeName)));
  return errs;
}

/** Endpoints validation: each subset has addresses, addresses are valid IPs, ports valid. */
export function validateEndpoints(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  list(obj, 'subsets').forEach((ss, i) => {
    const p = `subsets[${i}]`;
    if (list(ss, 'addresses').length === 0 && list(ss, 'notReadyAddresses').length === 0) {
      errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    list(ss, 'addresses').forEach((a, j) => errs.push(...validateAddress(a, `${p}.addresses[${j}]`)));
    list(ss, 'notReadyAddresses').forEach((a, j) => errs.push(...validateAddress(a, `${p}.notReadyAddresses[${j}]`)));
    const ports = list(ss, 'ports');
    ports.forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      if (ports.length > 1 && !port.name) errs.push(required(`${pp}.name`));
      else if (port.name) errs.push(...each(`${pp}.name`, port.name, isDNS1123Label(port.name)));
      errs.push(...each(`${pp}.port`, port.port ?? 0, isValidPortNum(port.port ?? 0)));
      if (!port.protocol) errs.push(required(`${pp}.protocol`));
      else if (!protocols.includes(port.protocol)) errs.push(notSupported(`${pp}.protocol`, port.protocol, protocols));
    });
  });
  return errs;
}
