import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { validateSelectorImmutable } from './deployment.js';
import { child, forbidden, invalidValue, jsonEqual, list, nonNegative, notSupported, required, setDefault, type Obj } from './field-errors.js';
import { defaultPodTemplate } from './pod-defaults.js';
import { validateTemplateForController, validateWorkloadSelector } from './workload-validation.js';

/**
 * apps/v1 StatefulSet defaults: OrderedReady, RollingUpdate partition 0, Retain/Retain claim
 * policy, replicas 1, revisionHistoryLimit 10, claim templates (Filesystem, phase Pending).
 */
export function defaultStatefulSet(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  const strategy = child(spec, 'updateStrategy');
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    setDefault(strategy, 'rollingUpdate', {});
  }
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) setDefault(strategy.rollingUpdate, 'partition', 0);
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  if (!retention.whenDeleted) retention.whenDeleted = 'Retain';
  if (!retention.whenScaled) retention.whenScaled = 'Retain';
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  for (const claim of list(spec, 'volumeClaimTemplates')) {
    setDefault(child(claim, 'spec'), 'volumeMode', 'Filesystem');
    const status = child(claim, 'status');
    if (!status.phase) status.phase = 'Pending';
  }
  defaultPodTemplate(spec.template);
}

const retentionValues = ['Retain', 'Delete'];

/** apps/v1 StatefulSet spec validation; with `old`, only some spec fields may change. */
export function validateStatefulSet(obj: KubeObject, old?: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy;
  if (!pmp) errs.push(required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(invalidValue('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const us: Obj = spec.updateStrategy ?? {};
  if (!us.type) errs.push(required('spec.updateStrategy'));
  else if (us.type === 'OnDelete') {
    if (us.rollingUpdate) errs.push(invalidValue('spec.updateStrategy.rollingUpdate', us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (us.type === 'RollingUpdate') {
    if (us.rollingUpdate) errs.push(...nonNegative(us.rollingUpdate.partition, 'spec.updateStrategy.rollingUpdate.partition'));
  } else {
    errs.push(invalidValue('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention: Obj = spec.persistentVolumeClaimRetentionPolicy ?? {};
  for (const f of ['whenDeleted', 'whenScaled']) {
    if (retention[f] !== undefined && !retentionValues.includes(retention[f])) {
      errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, retention[f], retentionValues));
    }
  }
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (spec.ordinals) errs.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  errs.push(...validateWorkloadSelector(spec.selector, 'spec.selector', 'statefulset'));
  errs.push(...validateTemplateForController(spec.selector, spec.template, 'spec.template', 'StatefulSet'));
  if (old) {
    const prev = (old.spec ?? {}) as Obj;
    errs.push(...validateSelectorImmutable(spec.selector, prev.selector));
    const mutable = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'selector'];
    const strip = (s: Obj) => Object.fromEntries(Object.entries(s).filter(([k]) => !mutable.includes(k)));
    if (!jsonEqual(strip(spec), strip(prev))) {
      errs.push(
        forbidden(
          'spec',
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    }
  }
  return errs;
}
