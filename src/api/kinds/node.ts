import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { isQualifiedName, isValidLabelValue, ipFamilyOf } from '../names.js';
import { isValidQuantity, parseQuantity } from '../quantity.js';
import { child, each, forbidden, invalidValue, list, notSupported, required, rawError, goJsonList, type Obj } from './field-errors.js';

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** Node defaults: status.allocatable copies status.capacity when absent. */
export function defaultNode(obj: KubeObject): void {
  const status = obj.status as Obj | undefined;
  if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
  child(obj, 'spec');
}

function isValidCIDR(s: string): boolean {
  const [ip, bits, ...rest] = s.split('/');
  if (rest.length || bits === undefined || !/^\d+$/.test(bits)) return false;
  const fam = ipFamilyOf(ip);
  return fam !== undefined && Number(bits) <= (fam === 4 ? 32 : 128);
}

/** Taints: key, value, effect, unique by key and effect. */
export function validateTaints(taints: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  taints.forEach((t, i) => {
    const p = `${path}[${i}]`;
    errs.push(...each(`${p}.key`, t.key ?? '', isQualifiedName(t.key ?? '')));
    const vmsgs = isValidLabelValue(t.value ?? '');
    if (vmsgs.length) errs.push(invalidValue(`${p}.value`, t.value, vmsgs.join(';')));
    if (!t.effect) errs.push(required(`${p}.effect`));
    else if (!taintEffects.includes(t.effect)) errs.push(notSupported(`${p}.effect`, t.effect, taintEffects));
    const key = `${t.effect}\u0000${t.key}`;
    if (seen.has(key)) {
      errs.push({ type: 'FieldValueDuplicate', field: p, message: `Duplicate value: ${JSON.stringify({ Key: t.key ?? '', Value: t.value ?? '', Effect: t.effect ?? '', TimeAdded: t.timeAdded ?? null })}: taints must be unique by key and effect pair` });
      return;
    }
    seen.add(key);
  });
  return errs;
}

/** Node validation: podCIDRs, taints, status resource quantities; with `old`, providerID and podCIDRs only go from empty to set. */
export function validateNode(obj: KubeObject, old?: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  const cidrs: string[] = Array.isArray(spec.podCIDRs) ? spec.podCIDRs : [];
  cidrs.forEach((c, i) => {
    if (!isValidCIDR(c)) errs.push(invalidValue(`spec.podCIDRs[${i}]`, c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
  });
  if (cidrs.length > 1) {
    const fams = cidrs.map((c) => ipFamilyOf(c.split('/')[0]));
    if (cidrs.length > 2 || fams[0] === fams[1]) errs.push(rawError('FieldValueInvalid', 'spec.podCIDRs', goJsonList(cidrs), 'may specify no more than one CIDR for each IP family'));
  }
  errs.push(...validateTaints(list(spec, 'taints'), 'spec.taints'));
  const status = (obj.status ?? {}) as Obj;
  for (const kind of ['capacity', 'allocatable']) {
    for (const [name, q] of Object.entries((status[kind] ?? {}) as Obj)) {
      if (!isValidQuantity(q) || parseQuantity(q as string) < 0) errs.push(invalidValue(`status.${kind}[${name}]`, q, 'must be greater than or equal to 0'));
    }
  }
  if (old) {
    const prev = (old.spec ?? {}) as Obj;
    if (prev.providerID && prev.providerID !== spec.providerID) errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
    const oldCidrs: string[] = Array.isArray(prev.podCIDRs) ? prev.podCIDRs : [];
    if (oldCidrs.length && JSON.stringify(oldCidrs) !== JSON.stringify(cidrs)) {
      errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
    }
  }
  return errs;
}
