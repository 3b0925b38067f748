import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { validateSelectorImmutable } from './deployment.js';
import { child, nonNegative, setDefault, type Obj } from './field-errors.js';
import { defaultPodTemplate } from './pod-defaults.js';
import { validateTemplateForController, validateWorkloadSelector } from './workload-validation.js';

/** apps/v1 ReplicaSet defaults: replicas 1 and the pod template's. */
export function defaultReplicaSet(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(spec.template);
}

/** apps/v1 ReplicaSet spec validation; with `old`, the selector is immutable. */
export function validateReplicaSet(obj: KubeObject, old?: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateWorkloadSelector(spec.selector, 'spec.selector', 'deployment'));
  errs.push(...validateTemplateForController(spec.selector, spec.template, 'spec.template', 'ReplicaSet'));
  if (old) errs.push(...validateSelectorImmutable(spec.selector, (old.spec as Obj | undefined)?.selector));
  return errs;
}
