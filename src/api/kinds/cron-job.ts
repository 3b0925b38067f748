import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { child, invalidValue, nonNegative, notSupported, required, setDefault, type Obj } from './field-errors.js';
import { parseCronSchedule } from './cron-schedule.js';
import { defaultPodTemplate } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { validateJobSpecFields } from './job.js';
import { goLabelSelector } from './workload-validation.js';

/** batch/v1 CronJob defaults: Allow, suspend false, history limits 3 and 1, and the job template's pod template. */
export function defaultCronJob(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  defaultPodTemplate(spec.jobTemplate?.spec?.template);
}

const concurrencyPolicies = ['Allow', 'Forbid', 'Replace'];

/** batch/v1 CronJob spec validation: schedule, time zone, policies, job template. */
export function validateCronJob(obj: KubeObject, old?: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  if (!spec.schedule) {
    errs.push(required('spec.schedule'));
  } else {
    const oldSchedule = String((old?.spec as Obj | undefined)?.schedule ?? '');
    if (/^(CRON_)?TZ=/.test(spec.schedule) && !oldSchedule.includes('TZ')) {
      errs.push(invalidValue('spec.schedule', spec.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    } else {
      try {
        parseCronSchedule(spec.schedule);
      } catch (e) {
        errs.push(invalidValue('spec.schedule', spec.schedule, (e as Error).message));
      }
    }
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (typeof spec.timeZone === 'string') errs.push(...validateTimeZone(spec.timeZone, 'spec.timeZone'));
  if (!spec.concurrencyPolicy) errs.push(required('spec.concurrencyPolicy'));
  else if (!concurrencyPolicies.includes(spec.concurrencyPolicy)) errs.push(notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, concurrencyPolicies));
  const jobSpec: Obj = spec.jobTemplate?.spec ?? {};
  errs.push(...validatePodTemplateSpec(jobSpec.template, 'spec.jobTemplate.spec.template'));
  errs.push(...validateJobSpecFields(jobSpec, 'spec.jobTemplate.spec'));
  if (jobSpec.selector) errs.push({ type: 'FieldValueInvalid', field: 'spec.jobTemplate.spec.selector', message: `Invalid value: ${goLabelSelector(jobSpec.selector)}: \`selector\` will be auto-generated` });
  if (jobSpec.manualSelector === true) errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}

function validateTimeZone(tz: string, path: string): FieldError[] {
  if (tz === '') return [invalidValue(path, tz, 'timeZone must be nil or non-empty string')];
  if (tz.split('/').some((part) => part === '.' || part === '..' || part.startsWith('-') || !/^[A-Za-z\.\-_0-9+]{1,14}$/.test(part))) {
    return [invalidValue(path, tz, `unknown time zone ${tz}`)];
  }
  if (tz.toLowerCase() === 'local') return [invalidValue(path, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return [];
  } catch {
    return [invalidValue(path, tz, `unknown time zone ${tz}`)];
  }
}
