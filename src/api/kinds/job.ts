import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { validateLabelSelector } from '../label-selector-meta.js';
import { validateImmutableField } from '../object-meta.js';
import { child, list, nonNegative, notSupported, required, setDefault, type Obj } from './field-errors.js';
import { defaultPodTemplate } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { validateSelectorMatchesTemplate } from './workload-validation.js';

/** The job-name and controller-uid label keys upstream puts on a Job's pods. */
export const jobLabels = {
  legacyJobName: 'job-name',
  jobName: 'batch.kubernetes.io/job-name',
  legacyControllerUid: 'controller-uid',
  controllerUid: 'batch.kubernetes.io/controller-uid',
} as const;

/** JobSpec defaults shared by Jobs (not by CronJob job templates, as upstream). */
function defaultJobSpec(spec: Obj): void {
  if ((spec.completions === undefined || spec.completions === null) && (spec.parallelism === undefined || spec.parallelism === null)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  if (spec.backoffLimit === undefined || spec.backoffLimit === null) spec.backoffLimit = spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null ? 2147483647 : 6;
  if (!spec.completionMode) spec.completionMode = 'NonIndexed';
  setDefault(spec, 'suspend', false);
  for (const rule of list(spec.podFailurePolicy, 'rules')) for (const c of list(rule, 'onPodConditions')) if (!c.status) c.status = 'True';
  if (!spec.podReplacementPolicy) spec.podReplacementPolicy = spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
}

/**
 * batch/v1 Job defaults: completions/parallelism 1, backoffLimit 6, NonIndexed, suspend false,
 * podReplacementPolicy, metadata.labels from the template when empty, pod template defaults.
 * The selector is generated separately (generateJobSelector) unless manualSelector is true.
 */
export function defaultJob(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  defaultJobSpec(spec);
  const templateLabels = spec.template?.metadata?.labels;
  if (templateLabels && Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...templateLabels };
  defaultPodTemplate(spec.template);
}

/**
 * What the Job strategy does on create when manualSelector is not true: label the template
 * with job-name and controller-uid and select on controller-uid. Needs metadata.uid.
 */
export function generateJobSelector(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  if (spec.manualSelector === true) return;
  const meta = child(child(spec, 'template'), 'metadata');
  const labels = child(meta, 'labels');
  for (const k of [jobLabels.legacyJobName, jobLabels.jobName]) if (labels[k] === undefined) labels[k] = obj.metadata.name ?? '';
  for (const k of [jobLabels.legacyControllerUid, jobLabels.controllerUid]) if (labels[k] === undefined) labels[k] = obj.metadata.uid ?? '';
  const matchLabels = child(child(spec, 'selector'), 'matchLabels');
  if (matchLabels[jobLabels.controllerUid] === undefined) matchLabels[jobLabels.controllerUid] = obj.metadata.uid ?? '';
}

/** JobSpec checks shared by Jobs and CronJob job templates. */
export function validateJobSpecFields(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) {
    errs.push(...nonNegative(spec[f], `${path}.${f}`));
  }
  if (spec.completionMode !== undefined && spec.completionMode !== null) {
    if (spec.completionMode !== 'NonIndexed' && spec.completionMode !== 'Indexed') {
      errs.push(notSupported(`${path}.completionMode`, spec.completionMode, ['NonIndexed', 'Indexed']));
    }
    if (spec.completionMode === 'Indexed' && (spec.completions === undefined || spec.completions === null)) {
      errs.push(required(`${path}.completions`, 'when completion mode is Indexed'));
    }
  }
  const policy = spec.template?.spec?.restartPolicy;
  if (policy === 'Always' || !policy) {
    errs.push(required(`${path}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
  } else if (policy !== 'OnFailure' && policy !== 'Never') {
    errs.push(notSupported(`${path}.template.spec.restartPolicy`, policy, ['OnFailure', 'Never']));
  }
  return errs;
}

/** batch/v1 Job spec validation; with `old`, the selector, completions (unless Indexed) and template (unless suspended) are immutable. */
export function validateJob(obj: KubeObject, old?: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  if (!spec.selector) errs.push(required('spec.selector'));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  errs.push(...validateSelectorMatchesTemplate(spec.selector, spec.template, 'spec.template'));
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  errs.push(...validateJobSpecFields(spec, 'spec'));
  if (old) {
    const prev = (old.spec ?? {}) as Obj;
    errs.push(...validateImmutableField(spec.selector, prev.selector, 'spec.selector'));
    if (spec.completionMode !== 'Indexed') errs.push(...validateImmutableField(spec.completions, prev.completions, 'spec.completions'));
    errs.push(...validateImmutableField(spec.completionMode, prev.completionMode, 'spec.completionMode'));
    if (prev.suspend !== true) {
      errs.push(...validateImmutableField(spec.template, prev.template, 'spec.template'));
    }
  }
  return errs;
}
