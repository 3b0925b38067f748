import type { FieldError } from '../errors.js';
import { validateLabelSelector } from '../label-selector-meta.js';
import { isQualifiedName } from '../names.js';
import { duplicate, each, forbidden, invalidValue, list, nonNegative, notSupported, required, type Obj } from './field-errors.js';

function validateNodeSelectorRequirement(rq: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values: unknown[] = Array.isArray(rq.values) ? rq.values : [];
  switch (rq.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalidValue(`${path}.operator`, rq.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...each(`${path}.key`, rq.key ?? '', isQualifiedName(rq.key ?? '')));
  return errs;
}

function validateNodeSelectorTerm(term: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  list(term, 'matchExpressions').forEach((rq, i) => errs.push(...validateNodeSelectorRequirement(rq, `${path}.matchExpressions[${i}]`)));
  list(term, 'matchFields').forEach((rq, i) => {
    const p = `${path}.matchFields[${i}]`;
    if (rq.key !== 'metadata.name') errs.push(invalidValue(`${p}.key`, rq.key ?? '', 'not a valid field selector key'));
    if (rq.operator !== 'In' && rq.operator !== 'NotIn') errs.push(invalidValue(`${p}.operator`, rq.operator ?? '', 'not a valid selector operator'));
    else if (!Array.isArray(rq.values) || rq.values.length !== 1) errs.push(required(`${p}.values`, 'must be only one value when `operator` is \'In\' or \'NotIn\' for node field selector'));
  });
  return errs;
}

function validatePodAffinityTerm(term: Obj, path: string): FieldError[] {
  const errs = validateLabelSelector(term.labelSelector, `${path}.labelSelector`);
  errs.push(...validateLabelSelector(term.namespaceSelector, `${path}.namespaceSelector`));
  if (!term.topologyKey) errs.push(required(`${path}.topologyKey`, 'can not be empty'));
  else errs.push(...each(`${path}.topologyKey`, term.topologyKey, isQualifiedName(term.topologyKey)));
  return errs;
}

function validateWeighted(terms: Obj[], path: string, inner: (t: Obj, p: string) => FieldError[], innerKey: string): FieldError[] {
  const errs: FieldError[] = [];
  terms.forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (typeof t.weight !== 'number' || t.weight < 1 || t.weight > 100) errs.push(invalidValue(`${p}.weight`, t.weight ?? 0, 'must be in the range 1-100'));
    errs.push(...inner(t[innerKey] ?? {}, `${p}.${innerKey}`));
  });
  return errs;
}

/** spec.affinity: node affinity terms, pod (anti-)affinity terms, weights. */
export function validateAffinity(affinity: Obj | undefined, path: string): FieldError[] {
  if (!affinity) return [];
  const errs: FieldError[] = [];
  const na = affinity.nodeAffinity;
  if (na) {
    const req = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (req) {
      const terms = list(req, 'nodeSelectorTerms');
      const p = `${path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`;
      if (terms.length === 0) errs.push(required(p, 'must have at least one node selector term'));
      terms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, `${p}[${i}]`)));
    }
    errs.push(...validateWeighted(list(na, 'preferredDuringSchedulingIgnoredDuringExecution'), `${path}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution`, validateNodeSelectorTerm, 'preference'));
  }
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = affinity[kind];
    if (!a) continue;
    list(a, 'requiredDuringSchedulingIgnoredDuringExecution').forEach((t, i) =>
      errs.push(...validatePodAffinityTerm(t, `${path}.${kind}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`)),
    );
    errs.push(...validateWeighted(list(a, 'preferredDuringSchedulingIgnoredDuringExecution'), `${path}.${kind}.preferredDuringSchedulingIgnoredDuringExecution`, validatePodAffinityTerm, 'podAffinityTerm'));
  }
  return errs;
}

const scheduleActions = ['DoNotSchedule', 'ScheduleAnyway'];

/** spec.topologySpreadConstraints as upstream's validateTopologySpreadConstraints. */
export function validateTopologySpreadConstraints(constraints: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  constraints.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (typeof c.maxSkew !== 'number' || c.maxSkew <= 0) errs.push(invalidValue(`${p}.maxSkew`, c.maxSkew ?? 0, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(required(`${p}.topologyKey`, 'can not be empty'));
    else errs.push(...each(`${p}.topologyKey`, c.topologyKey, isQualifiedName(c.topologyKey)));
    if (!scheduleActions.includes(c.whenUnsatisfiable)) errs.push(notSupported(`${p}.whenUnsatisfiable`, c.whenUnsatisfiable ?? '', scheduleActions));
    const key = `{${c.topologyKey ?? ''}, ${c.whenUnsatisfiable ?? ''}}`;
    if (seen.has(key)) errs.push(duplicate(`${p}.{topologyKey, whenUnsatisfiable}`, key));
    seen.add(key);
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (c.minDomains <= 0) errs.push(invalidValue(`${p}.minDomains`, c.minDomains, 'must be greater than zero'));
      if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errs.push(invalidValue(`${p}.minDomains`, c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${c.whenUnsatisfiable}`));
      }
    }
    errs.push(...validateLabelSelector(c.labelSelector, `${p}.labelSelector`));
  });
  return errs;
}

/** Pod- and container-level securityContext user and group ids are non-negative. */
export function validateSecurityContextIds(sc: Obj | undefined, path: string): FieldError[] {
  if (!sc) return [];
  const errs: FieldError[] = [];
  for (const f of ['runAsUser', 'runAsGroup', 'fsGroup']) errs.push(...nonNegative(sc[f], `${path}.${f}`));
  (Array.isArray(sc.supplementalGroups) ? sc.supplementalGroups : []).forEach((g: unknown, i: number) => errs.push(...nonNegative(g, `${path}.supplementalGroups[${i}]`)));
  return errs;
}
