import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { forbidden, invalidValue, jsonEqual, type Obj } from './field-errors.js';
import { validateDataKeys } from './volume-validation.js';

/** Largest ConfigMap or Secret payload upstream accepts. */
export const maxDataSize = 1024 * 1024;

/** ConfigMap has no upstream defaults; kept for a uniform registry. */
export function defaultConfigMap(obj: KubeObject): void {
  if (obj.data === null) delete obj.data;
}

/** ConfigMap validation: keys, no key in both data and binaryData, 1 MiB total; with `old`, immutable ConfigMaps stay as they are. */
export function validateConfigMap(obj: KubeObject, old?: KubeObject): FieldError[] {
  const data = (obj.data ?? {}) as Obj;
  const binary = (obj.binaryData ?? {}) as Obj;
  const errs: FieldError[] = [];
  let size = 0;
  errs.push(...validateDataKeys(Object.keys(data), 'data'));
  for (const [k, v] of Object.entries(data)) {
    if (k in binary) errs.push(invalidValue(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(String(v));
  }
  errs.push(...validateDataKeys(Object.keys(binary), 'binaryData'));
  for (const [k, v] of Object.entries(binary)) {
    if (k in data) errs.push(invalidValue(`binaryData[${k}]`, k, 'duplicate of key present in data'));
    size += Buffer.from(String(v), 'base64').length;
  }
  if (size > maxDataSize) errs.push({ type: 'FieldValueTooLong', field: '', message: `Too long: may not be more than ${maxDataSize} bytes` });
  if (old) errs.push(...validateImmutableData(obj, old));
  return errs;
}

/** `immutable: true` ConfigMaps and Secrets may not change their data or become mutable. */
export function validateImmutableData(obj: KubeObject, old: KubeObject): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  if (!jsonEqual(obj.data ?? {}, old.data ?? {})) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
  if (!jsonEqual(obj.binaryData ?? {}, old.binaryData ?? {})) errs.push(forbidden('binaryData', 'field is immutable when `immutable` is set'));
  return errs;
}
