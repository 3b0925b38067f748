import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { validateImmutableField } from '../object-meta.js';
import { child, forbidden, invalidValue, nonNegative, notSupported, rawError, required, setDefault, intOrStringText, type Obj } from './field-errors.js';
import { defaultPodTemplate } from './pod-defaults.js';
import { goLabelSelector, intOrPercentValue, isNotMoreThan100Percent, validatePositiveIntOrPercent, validateTemplateForController, validateWorkloadSelector } from './workload-validation.js';

/** apps/v1 Deployment defaults: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600, pod template. */
export function defaultDeployment(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = child(spec, 'strategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(spec.template);
}

function validateStrategy(strategy: Obj | undefined, path: string): FieldError[] {
  const s: Obj = strategy ?? {};
  const errs: FieldError[] = [];
  if (s.type === 'Recreate') {
    if (s.rollingUpdate) errs.push(forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'"));
  } else if (s.type === 'RollingUpdate') {
    if (!s.rollingUpdate) return [required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
    const ru = s.rollingUpdate;
    errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`));
    errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${path}.rollingUpdate.maxSurge`));
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      errs.push(rawError('FieldValueInvalid', `${path}.rollingUpdate.maxUnavailable`, intOrStringText(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
    }
    errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`));
  } else {
    errs.push(notSupported(`${path}.type`, s.type ?? '', ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

/** apps/v1 Deployment spec validation; with `old`, the selector is immutable. */
export function validateDeployment(obj: KubeObject, old?: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateWorkloadSelector(spec.selector, 'spec.selector', 'deployment'));
  errs.push(...validateTemplateForController(spec.selector, spec.template, 'spec.template', 'Deployment'));
  errs.push(...validateStrategy(spec.strategy, 'spec.strategy'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(invalidValue('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  if (old) errs.push(...validateSelectorImmutable(spec.selector, (old.spec as Obj | undefined)?.selector));
  return errs;
}

/** apps/v1 selectors may not change: `spec.selector: Invalid value: …: field is immutable`. */
export function validateSelectorImmutable(selector: Obj | undefined, oldSelector: Obj | undefined): FieldError[] {
  if (validateImmutableField(selector, oldSelector, 'spec.selector').length === 0) return [];
  return [rawError('FieldValueInvalid', 'spec.selector', goLabelSelector(selector), 'field is immutable')];
}
