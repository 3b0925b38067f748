import { fieldError, type FieldError } from './errors.js';
import type { ObjectMeta } from './object.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue, nameIsDNSSubdomain, type NameValidator } from './names.js';

/** Upstream's limit on the summed size of all annotation keys and values. */
export const totalAnnotationSizeLimitBytes = 256 * 1024;

/** How validateObjectMeta treats the object's kind. */
export interface ObjectMetaOptions {
  namespaced: boolean;
  /** defaults to DNS-1123 subdomain names */
  nameValidator?: NameValidator;
  /** the path metadata sits at; `metadata` unless told */
  path?: string;
}

/** Label keys and values, as upstream's ValidateLabels. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(fieldError('FieldValueInvalid', path, msg, k));
    if (typeof v !== 'string') {
      errs.push(fieldError('FieldValueTypeInvalid', path, 'must be a string', v));
      continue;
    }
    for (const msg of isValidLabelValue(v)) errs.push(fieldError('FieldValueInvalid', path, msg, v));
  }
  return errs;
}

/** Annotation keys (case-insensitive qualified names) and their total size. */
export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fieldError('FieldValueInvalid', path, msg, k));
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (size > totalAnnotationSizeLimitBytes) {
    errs.push(fieldError('FieldValueTooLong', path, `may not be more than ${totalAnnotationSizeLimitBytes} bytes`));
  }
  return errs;
}

/** `field is immutable` when a value changed. */
export function validateImmutableField(newValue: unknown, oldValue: unknown, path: string): FieldError[] {
  if (JSON.stringify(newValue) === JSON.stringify(oldValue)) return [];
  return [fieldError('FieldValueInvalid', path, 'field is immutable', newValue)];
}

/**
 * Validates an object's metadata as upstream's ValidateObjectMeta, and with `old` also as
 * ValidateObjectMetaUpdate (name, namespace, uid and creationTimestamp are immutable).
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, options: ObjectMetaOptions, old?: ObjectMeta): FieldError[] {
  const path = options.path ?? 'metadata';
  const nameFn = options.nameValidator ?? nameIsDNSSubdomain;
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of nameFn(m.generateName, true)) errs.push(fieldError('FieldValueInvalid', `${path}.generateName`, msg, m.generateName));
  }
  if (!m.name) {
    errs.push(fieldError('FieldValueRequired', `${path}.name`, 'name or generateName is required'));
  } else {
    for (const msg of nameFn(m.name, false)) errs.push(fieldError('FieldValueInvalid', `${path}.name`, msg, m.name));
  }
  if (options.namespaced) {
    if (!m.namespace) errs.push(fieldError('FieldValueRequired', `${path}.namespace`));
    else for (const msg of isDNS1123Label(m.namespace)) errs.push(fieldError('FieldValueInvalid', `${path}.namespace`, msg, m.namespace));
  } else if (m.namespace) {
    errs.push(fieldError('FieldValueForbidden', `${path}.namespace`, 'not allowed on this type'));
  }
  if (m.generation !== undefined && m.generation < 0) {
    errs.push(fieldError('FieldValueInvalid', `${path}.generation`, 'must be greater than or equal to 0', m.generation));
  }
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  if (old) {
    if (old.deletionTimestamp) {
      const before = new Set(old.finalizers ?? []);
      for (const f of m.finalizers ?? []) {
        if (!before.has(f)) {
          errs.push(fieldError('FieldValueForbidden', `${path}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(
            (m.finalizers ?? []).filter((x) => !before.has(x)),
          )}`));
          break;
        }
      }
    }
    if ((m.generation ?? 0) < (old.generation ?? 0)) {
      errs.push(fieldError('FieldValueInvalid', `${path}.generation`, 'must not be decremented', m.generation ?? 0));
    }
    errs.push(...validateImmutableField(m.name, old.name, `${path}.name`));
    errs.push(...validateImmutableField(m.namespace, old.namespace, `${path}.namespace`));
    errs.push(...validateImmutableField(m.uid, old.uid, `${path}.uid`));
    errs.push(...validateImmutableField(m.creationTimestamp, old.creationTimestamp, `${path}.creationTimestamp`));
  }
  return errs;
}

function validateOwnerReferences(meta: ObjectMeta, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let controllers = 0;
  (meta.ownerReferences ?? []).forEach((ref, i) => {
    if (!ref.apiVersion) errs.push(fieldError('FieldValueInvalid', `${path}[${i}].apiVersion`, 'version must not be empty', ref.apiVersion ?? ''));
    if (!ref.kind) errs.push(fieldError('FieldValueInvalid', `${path}[${i}].kind`, 'kind must not be empty', ref.kind ?? ''));
    if (!ref.name) errs.push(fieldError('FieldValueInvalid', `${path}[${i}].name`, 'name must not be empty', ref.name ?? ''));
    if (!ref.uid) errs.push(fieldError('FieldValueInvalid', `${path}[${i}].uid`, 'uid must not be empty', ref.uid ?? ''));
    if (ref.controller) controllers++;
  });
  if (controllers > 1) {
    errs.push(fieldError('FieldValueInvalid', path, 'Only one reference can have Controller set to true', meta.ownerReferences));
  }
  return errs;
}

function validateFinalizers(finalizers: string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers ?? []) {
    for (const msg of isQualifiedName(f)) errs.push(fieldError('FieldValueInvalid', path, msg, f));
  }
  return errs;
}
