import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { invalidValue, type Obj } from './field-errors.js';

/** coordination.k8s.io/v1 Lease has no upstream defaults; kept for a uniform registry. */
export function defaultLease(obj: KubeObject): void {
  if (obj.spec === null || obj.spec === undefined) obj.spec = {};
}

/** Lease spec validation: leaseDurationSeconds > 0, leaseTransitions ≥ 0. */
export function validateLease(obj: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0) {
    errs.push(invalidValue('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (typeof spec.leaseTransitions === 'number' && spec.leaseTransitions < 0) {
    errs.push(invalidValue('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errs;
}
