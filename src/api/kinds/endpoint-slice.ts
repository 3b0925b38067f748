import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortNum, ipFamilyOf } from '../names.js';
import { validateLabels } from '../object-meta.js';
import { duplicate, each, invalidValue, list, notSupported, required, type Obj } from './field-errors.js';
import { validateNonSpecialIP } from './endpoints.js';

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];
const protocols = ['SCTP', 'TCP', 'UDP'];

/** discovery.k8s.io/v1 EndpointSlice defaults: ports name "" and protocol TCP. */
export function defaultEndpointSlice(obj: KubeObject): void {
  for (const p of list(obj, 'ports')) {
    if (p.name === undefined || p.name === null) p.name = '';
    if (!p.protocol) p.protocol = 'TCP';
  }
}

function validateAddress(addressType: string, addr: string, path: string): FieldError[] {
  if (addressType === 'FQDN') return each(path, addr, isDNS1123Subdomain(addr));
  const fam = ipFamilyOf(addr);
  if ((addressType === 'IPv4' && fam !== 4) || (addressType === 'IPv6' && fam !== 6)) {
    return [invalidValue(path, addr, addressType === 'IPv4' ? 'must be a valid IPv4 address' : 'must be a valid IPv6 address')];
  }
  return validateNonSpecialIP(addr, path);
}

/** EndpointSlice validation: address type, 1–100 addresses per endpoint, ports. */
export function validateEndpointSlice(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const addressType = String(obj.addressType ?? '');
  if (!addressType) errs.push(required('addressType'));
  else if (!addressTypes.includes(addressType)) errs.push(notSupported('addressType', addressType, addressTypes));
  const endpoints = list(obj, 'endpoints');
  if (endpoints.length > 1000) errs.push({ type: 'FieldValueTooLong', field: 'endpoints', message: `Too many: ${endpoints.length}: must have at most 1000 items` });
  endpoints.forEach((ep, i) => {
    const p = `endpoints[${i}]`;
    const addrs: string[] = Array.isArray(ep.addresses) ? ep.addresses : [];
    if (addrs.length === 0) errs.push(required(`${p}.addresses`, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push({ type: 'FieldValueTooLong', field: `${p}.addresses`, message: `Too many: ${addrs.length}: must have at most 100 items` });
    addrs.forEach((a, j) => errs.push(...validateAddress(addressType, a, `${p}.addresses[${j}]`)));
    if (ep.nodeName) errs.push(...each(`${p}.nodeName`, ep.nodeName, isDNS1123Subdomain(ep.nodeName)));
    if (ep.hostname) errs.push(...each(`${p}.hostname`, ep.hostname, isDNS1123Label(ep.hostname)));
    if (ep.deprecatedTopology) errs.push(...validateLabels(ep.deprecatedTopology, `${p}.deprecatedTopology`));
  });
  const names = new Set<string>();
  list(obj, 'ports').forEach((port: Obj, i) => {
    const p = `ports[${i}]`;
    const name = port.name ?? '';
    if (name) errs.push(...each(`${p}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
    names.add(name);
    if (!port.protocol) errs.push(required(`${p}.protocol`));
    else if (!protocols.includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, protocols));
    if (port.port !== undefined && port.port !== null) errs.push(...each(`${p}.port`, port.port, isValidPortNum(port.port)));
  });
  if (old && old.addressType !== obj.addressType) errs.push(invalidValue('addressType', obj.addressType, 'field is immutable'));
  return errs;
}
