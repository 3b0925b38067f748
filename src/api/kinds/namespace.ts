import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { isQualifiedName } from '../names.js';
import { child, each, invalidValue, type Obj } from './field-errors.js';

/** The label upstream puts on every namespace with its name. */
export const namespaceNameLabel = 'kubernetes.io/metadata.name';

/**
 * Namespace defaults: the `kubernetes.io/metadata.name` label, status.phase Active, and (as the
 * namespace strategy does on create) spec.finalizers ["kubernetes"].
 */
export function defaultNamespace(obj: KubeObject): void {
  if (obj.metadata.name) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [namespaceNameLabel]: obj.metadata.name };
  const spec = child(obj, 'spec');
  if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
  const status = child(obj, 'status');
  if (!status.phase) status.phase = 'Active';
}

/** Namespace spec validation: finalizer names are standard (`kubernetes`) or fully qualified. */
export function validateNamespace(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec as Obj | undefined;
  const finalizers: string[] = Array.isArray(spec?.finalizers) ? spec.finalizers : [];
  for (const f of finalizers) {
    const msgs = isQualifiedName(f);
    if (msgs.length) errs.push(...each('spec.finalizers', f, msgs));
    else if (!f.includes('/') && f !== 'kubernetes') errs.push(invalidValue('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}
