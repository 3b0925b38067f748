import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { isDNS1123Subdomain, isQualifiedName } from '../names.js';
import { each, invalidValue, required, type Obj } from './field-errors.js';

const lengthLimit = 128;
const noteLengthLimit = 1024;

/** core/v1 and events.k8s.io/v1 Events have no upstream defaults; kept for a uniform registry. */
export function defaultEvent(obj: KubeObject): void {
  if (obj.count === null) delete obj.count;
}

interface EventFields {
  namespace: string;
  involvedNamespace: string;
  eventTime: unknown;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  message: string;
}

function legacyValidate(f: EventFields, controllerField: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!f.eventTime) {
    if (!f.involvedNamespace) {
      if (f.namespace !== '' && f.namespace !== 'default') errs.push(invalidValue('involvedObject.namespace', f.involvedNamespace, 'does not match event.namespace'));
    } else if (f.namespace !== f.involvedNamespace) {
      errs.push(invalidValue('involvedObject.namespace', f.involvedNamespace, 'does not match event.namespace'));
    }
  } else {
    if (!f.involvedNamespace && f.namespace !== 'default' && f.namespace !== 'kube-system') {
      errs.push(invalidValue('involvedObject.namespace', f.involvedNamespace, 'does not match event.namespace'));
    }
    if (!f.reportingController) errs.push(required(controllerField));
    errs.push(...each(controllerField, f.reportingController, isQualifiedName(f.reportingController)));
    if (!f.reportingInstance) errs.push(required('reportingInstance'));
    if (f.reportingInstance.length > lengthLimit) errs.push(invalidValue('reportingInstance', '', `can have at most ${lengthLimit} characters`));
    if (!f.action) errs.push(required('action'));
    if (f.action.length > lengthLimit) errs.push(invalidValue('action', '', `can have at most ${lengthLimit} characters`));
    if (!f.reason) errs.push(required('reason'));
    if (f.reason.length > lengthLimit) errs.push(invalidValue('reason', '', `can have at most ${lengthLimit} characters`));
    if (f.message.length > noteLengthLimit) errs.push(invalidValue('message', '', `can have at most ${noteLengthLimit} characters`));
  }
  errs.push(...each('namespace', f.namespace, isDNS1123Subdomain(f.namespace)));
  return errs;
}

/** core/v1 Event validation (upstream's legacy rules: namespaces agree; new-style events need reporting fields). */
export function validateEvent(obj: KubeObject): FieldError[] {
  const involved = (obj.involvedObject ?? {}) as Obj;
  return legacyValidate(
    {
      namespace: obj.metadata.namespace ?? '',
      involvedNamespace: involved.namespace ?? '',
      eventTime: obj.eventTime,
      reportingController: String(obj.reportingComponent ?? ''),
      reportingInstance: String(obj.reportingInstance ?? ''),
      action: String(obj.action ?? ''),
      reason: String(obj.reason ?? ''),
      message: String(obj.message ?? ''),
    },
    'reportingComponent',
  );
}

/** events.k8s.io/v1 Event validation: the stricter rules (eventTime required, type Normal/Warning, deprecated fields unset). */
export function validateEventsV1Event(obj: KubeObject): FieldError[] {
  const regarding = (obj.regarding ?? {}) as Obj;
  const errs: FieldError[] = [];
  if (!obj.eventTime) errs.push(required('eventTime'));
  if (obj.type !== 'Normal' && obj.type !== 'Warning') errs.push(invalidValue('type', '', `has invalid value: ${String(obj.type ?? '')}`));
  if (obj.deprecatedFirstTimestamp) errs.push(invalidValue('deprecatedFirstTimestamp', '', 'needs to be unset'));
  if (obj.deprecatedLastTimestamp) errs.push(invalidValue('deprecatedLastTimestamp', '', 'needs to be unset'));
  if (obj.deprecatedCount) errs.push(invalidValue('deprecatedCount', '', 'needs to be unset'));
  const source = (obj.deprecatedSource ?? {}) as Obj;
  if (source.component || source.host) errs.push(invalidValue('deprecatedSource', '', 'needs to be unset'));
  errs.push(
    ...legacyValidate(
      {
        namespace: obj.metadata.namespace ?? '',
        involvedNamespace: regarding.namespace ?? '',
        eventTime: obj.eventTime,
        reportingController: String(obj.reportingController ?? ''),
        reportingInstance: String(obj.reportingInstance ?? ''),
        action: String(obj.action ?? ''),
        reason: String(obj.reason ?? ''),
        message: String(obj.note ?? ''),
      },
      'reportingController',
    ),
  );
  return errs;
}
