import type { FieldError } from '../errors.js';
import { labelSelectorFromMeta, validateLabelSelector, type LabelSelectorMeta } from '../label-selector-meta.js';
import { matchLabelSelector } from '../labels.js';
import { regexError } from '../names.js';
import { forbidden, goJsonMap, intOrStringText, invalidValue, nonNegative, notSupported, rawError, required, type Obj } from './field-errors.js';
import { validatePodTemplateSpec } from './pod-validation.js';

/** A metav1.LabelSelector as upstream (1.34+) prints it in field errors: its JSON, omitting empty fields. */
export function goLabelSelector(sel: LabelSelectorMeta | undefined | null): string {
  if (!sel) return 'null';
  const parts: string[] = [];
  if (sel.matchLabels && Object.keys(sel.matchLabels).length) parts.push(`"matchLabels":${goJsonMap(sel.matchLabels)}`);
  if (sel.matchExpressions && sel.matchExpressions.length) {
    const exprs = sel.matchExpressions.map((x) => {
      const fields = [`"key":${JSON.stringify(x.key)}`, `"operator":${JSON.stringify(x.operator)}`];
      if (x.values && x.values.length) fields.push(`"values":${JSON.stringify(x.values)}`);
      return `{${fields.join(',')}}`;
    });
    parts.push(`"matchExpressions":[${exprs.join(',')}]`);
  }
  return `{${parts.join(',')}}`;
}

/** `spec.selector`: required, valid, non-empty (`empty selector is invalid for <kind>`). */
export function validateWorkloadSelector(selector: LabelSelectorMeta | undefined, path: string, kindWord: string): FieldError[] {
  if (!selector) return [required(path)];
  const errs = validateLabelSelector(selector, path);
  if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0) {
    errs.push(rawError('FieldValueInvalid', path, goLabelSelector(selector), `empty selector is invalid for ${kindWord}`));
  }
  return errs;
}

/** The template's labels must match the selector: ``selector` does not match template `labels``. */
export function validateSelectorMatchesTemplate(selector: LabelSelectorMeta | undefined, template: Obj | undefined, templatePath: string): FieldError[] {
  let sel;
  try {
    sel = labelSelectorFromMeta(selector);
  } catch {
    // an unparsable selector is reported once, by the selector validation beside this check
    return [];
  }
  const labels = template?.metadata?.labels as Record<string, string> | undefined;
  if (matchLabelSelector(sel, labels)) return [];
  return [rawError('FieldValueInvalid', `${templatePath}.metadata.labels`, goJsonMap(labels), '`selector` does not match template `labels`')];
}

/**
 * The pod template of a ReplicaSet, Deployment, DaemonSet or StatefulSet: matches the selector,
 * is a valid template, restartPolicy Always, no activeDeadlineSeconds.
 */
export function validateTemplateForController(selector: LabelSelectorMeta | undefined, maybeTemplate: Obj | undefined, path: string, kindName: string): FieldError[] {
  const template: Obj = maybeTemplate ?? {};
  const errs: FieldError[] = [];
  if (!selector || Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length > 0) {
    errs.push(...validateSelectorMatchesTemplate(selector, template, path));
  }
  errs.push(...validatePodTemplateSpec(template, path));
  const policy = template.spec?.restartPolicy;
  if (policy !== 'Always') errs.push(notSupported(`${path}.spec.restartPolicy`, policy ?? '', ['Always']));
  const ads = template.spec?.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null) {
    if (kindName === 'StatefulSet') errs.push(forbidden(`${path}.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in StatefulSet is not Supported'));
    else errs.push(invalidValue(`${path}.spec.activeDeadlineSeconds`, ads, `activeDeadlineSeconds in ${kindName} is not Supported`));
  }
  return errs;
}

const percentFmt = '[0-9]+%';
const percentPattern = new RegExp(`^${percentFmt}$`);

/** A non-negative int or a percent string (`25%`). */
export function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') {
    return percentPattern.test(v)
      ? []
      : [rawError('FieldValueInvalid', path, v, regexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, '1%', '93%'))];
  }
  return nonNegative(v, path);
}

/** The number an int-or-percent stands for (percent value for strings), for zero checks. */
export function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && percentPattern.test(v)) return Number(v.slice(0, -1));
  return 0;
}

/** `must not be greater than 100%` for percent strings over 100. */
export function isNotMoreThan100Percent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string' && percentPattern.test(v) && Number(v.slice(0, -1)) > 100) {
    return [rawError('FieldValueInvalid', path, intOrStringText(v), 'must not be greater than 100%')];
  }
  return [];
}
