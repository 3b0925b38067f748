import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { list, required } from './field-errors.js';

/** ServiceAccount has no upstream defaults; kept for a uniform registry. */
export function defaultServiceAccount(obj: KubeObject): void {
  if (obj.secrets === null) delete obj.secrets;
}

/** ServiceAccount validation: referenced secrets and image pull secrets have names. */
export function validateServiceAccount(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  list(obj, 'imagePullSecrets').forEach((r, i) => {
    if (!r.name) errs.push(required(`imagePullSecrets[${i}].name`));
  });
  return errs;
}
