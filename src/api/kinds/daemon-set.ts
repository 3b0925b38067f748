import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { validateSelectorImmutable } from './deployment.js';
import { child, intOrStringText, nonNegative, notSupported, rawError, required, setDefault, type Obj } from './field-errors.js';
import { defaultPodTemplate } from './pod-defaults.js';
import { intOrPercentValue, isNotMoreThan100Percent, validatePositiveIntOrPercent, validateTemplateForController, validateWorkloadSelector } from './workload-validation.js';

/** apps/v1 DaemonSet defaults: RollingUpdate maxUnavailable 1 / maxSurge 0, revisionHistoryLimit 10, pod template. */
export function defaultDaemonSet(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  const strategy = child(spec, 'updateStrategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    setDefault(ru, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(spec.template);
}

function validateUpdateStrategy(strategy: Obj | undefined, path: string): FieldError[] {
  const s: Obj = strategy ?? {};
  if (s.type === 'OnDelete') return [];
  if (s.type !== 'RollingUpdate') return [notSupported(`${path}.type`, s.type ?? '', ['RollingUpdate', 'OnDelete'])];
  if (!s.rollingUpdate) return [required(`${path}.rollingUpdate`)];
  const ru = s.rollingUpdate;
  const p = `${path}.rollingUpdate`;
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
    ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`),
    ...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`),
    ...isNotMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`),
  ];
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) errs.push(rawError('FieldValueInvalid', `${p}.maxSurge`, intOrStringText(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
  if (!hasUnavailable && !hasSurge) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  return errs;
}

/** apps/v1 DaemonSet spec validation; with `old`, the selector is immutable. */
export function validateDaemonSet(obj: KubeObject, old?: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  errs.push(...validateWorkloadSelector(spec.selector, 'spec.selector', 'daemonset'));
  errs.push(...validateTemplateForController(spec.selector, spec.template, 'spec.template', 'DaemonSet'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateUpdateStrategy(spec.updateStrategy, 'spec.updateStrategy'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (old) errs.push(...validateSelectorImmutable(spec.selector, (old.spec as Obj | undefined)?.selector));
  return errs;
}
