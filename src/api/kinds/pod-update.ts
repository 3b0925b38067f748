import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { forbidden, invalidValue, jsonEqual, list, required, type Obj } from './field-errors.js';

const maxInt32 = 2147483647;

/** The list of spec fields a pod update may change, worded as upstream's error. */
export const podUpdatableFieldsMessage =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function validateContainerUpdates(next: Obj[], prev: Obj[], path: string): { errs: FieldError[]; stop: boolean } {
  if (next.length !== prev.length) return { errs: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  next.forEach((c, i) => {
    if (!c.image) errs.push(required(`${path}[${i}].image`));
    else if (String(c.image).trim() !== c.image) errs.push(invalidValue(`${path}[${i}].image`, c.image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

function validateOnlyAddedTolerations(next: Obj[], prev: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const old of prev) {
    const found = next.some((t) => {
      const a = { ...t, tolerationSeconds: undefined };
      const b = { ...old, tolerationSeconds: undefined };
      if (!jsonEqual(a, b)) return false;
      if (old.effect === 'NoExecute' && old.tolerationSeconds !== undefined && old.tolerationSeconds !== null) {
        return t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.tolerationSeconds <= old.tolerationSeconds;
      }
      return jsonEqual(t.tolerationSeconds, old.tolerationSeconds);
    });
    if (!found) {
      errs.push(forbidden(path, 'existing toleration can not be modified except its tolerationSeconds'));
      return errs;
    }
  }
  return errs;
}

function diffLines(a: unknown, b: unknown, path: string, out: string[]): void {
  if (jsonEqual(a, b)) return;
  const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a as Obj), ...Object.keys(b as Obj)])) diffLines((a as Obj)[k], (b as Obj)[k], `${path}.${k}`, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => diffLines(x, b[i], `${path}[${i}]`, out));
    return;
  }
  if (a !== undefined) out.push(`- \t${path}: ${JSON.stringify(a)}`);
  if (b !== undefined) out.push(`+ \t${path}: ${JSON.stringify(b)}`);
}

/**
 * Pod update rules (ValidatePodUpdate upstream): only container images, activeDeadlineSeconds
 * (set, or lowered), added tolerations and terminationGracePeriodSeconds (negative → 1) may change.
 */
export function validatePodUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const prev = (old.spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  for (const kind of ['containers', 'initContainers']) {
    const r = validateContainerUpdates(list(spec, kind), list(prev, kind), `spec.${kind}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null) {
    if (ads < 0 || ads > maxInt32) return [...errs, invalidValue('spec.activeDeadlineSeconds', ads, `must be between 0 and ${maxInt32}, inclusive`)];
    if (prev.activeDeadlineSeconds !== undefined && prev.activeDeadlineSeconds !== null && prev.activeDeadlineSeconds < ads) {
      return [...errs, invalidValue('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')];
    }
  } else if (prev.activeDeadlineSeconds !== undefined && prev.activeDeadlineSeconds !== null) {
    errs.push(invalidValue('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateOnlyAddedTolerations(list(spec, 'tolerations'), list(prev, 'tolerations'), 'spec.tolerations'));
  if (jsonEqual(spec, prev)) return errs;
  const munged: Obj = structuredClone(spec);
  const withOldImages = (kind: string) => {
    if (!Array.isArray(munged[kind])) return;
    munged[kind] = (munged[kind] as Obj[]).map((c, i) => ({ ...c, image: list(prev, kind)[i]?.image }));
  };
  withOldImages('containers');
  withOldImages('initContainers');
  munged.activeDeadlineSeconds = prev.activeDeadlineSeconds;
  munged.schedulingGates = prev.schedulingGates;
  munged.tolerations = prev.tolerations;
  if (typeof prev.terminationGracePeriodSeconds === 'number' && prev.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = prev.terminationGracePeriodSeconds;
  }
  if (Array.isArray(prev.schedulingGates) && prev.schedulingGates.length > 0) {
    const oldSel: Obj = prev.nodeSelector ?? {};
    const merged: Obj = { ...(munged.nodeSelector ?? {}) };
    if (Object.entries(oldSel).every(([k, v]) => merged[k] === v)) munged.nodeSelector = prev.nodeSelector;
  }
  if (!jsonEqual(munged, prev)) {
    const lines: string[] = [];
    diffLines(prev, munged, 'spec', lines);
    errs.push(forbidden('spec', `${podUpdatableFieldsMessage}\n  core.PodSpec{\n${lines.map((l) => `  ${l}`).join('\n')}\n  }\n`));
  }
  return errs;
}
