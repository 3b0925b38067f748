import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { validateImmutableField } from '../object-meta.js';
import { validateImmutableData, maxDataSize } from './config-map.js';
import { invalidValue, required, type Obj } from './field-errors.js';
import { validateDataKeys } from './volume-validation.js';

/**
 * Secret defaults: type Opaque, and stringData folded into data (base64) as upstream's
 * conversion does, so stringData is never stored.
 */
export function defaultSecret(obj: KubeObject): void {
  if (!obj.type) obj.type = 'Opaque';
  const stringData = obj.stringData as Obj | undefined;
  if (stringData && typeof stringData === 'object') {
    const data = { ...((obj.data as Obj | undefined) ?? {}) };
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString('base64');
    obj.data = data;
  }
  delete obj.stringData;
}

function isBase64(s: unknown): boolean {
  return typeof s === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0;
}

/** Secret validation: keys, base64 values, 1 MiB total, the fields each built-in type needs; with `old`, type and immutable data. */
export function validateSecret(obj: KubeObject, old?: KubeObject): FieldError[] {
  const data = (obj.data ?? {}) as Obj;
  const errs = validateDataKeys(Object.keys(data), 'data');
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    if (!isBase64(v)) errs.push(invalidValue(`data[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
    else size += Buffer.from(v, 'base64').length;
  }
  if (size > maxDataSize) errs.push({ type: 'FieldValueTooLong', field: 'data', message: `Too long: may not be more than ${maxDataSize} bytes` });
  const has = (k: string) => Object.prototype.hasOwnProperty.call(data, k);
  switch (obj.type) {
    case 'kubernetes.io/service-account-token':
      if (!obj.metadata.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = obj.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) {
        errs.push(required(`data[${key}]`));
        break;
      }
      try {
        const parsed: unknown = JSON.parse(Buffer.from(String(data[key]), 'base64').toString());
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('json: cannot unmarshal into Go value of type map[string]interface {}');
      } catch (e) {
        errs.push(invalidValue(`data[${key}]`, '<secret contents redacted>', (e as Error).message));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) errs.push(required('data[username]'), required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!data['ssh-privatekey']) errs.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required('data[tls.crt]'));
      if (!has('tls.key')) errs.push(required('data[tls.key]'));
      break;
  }
  if (old) {
    errs.push(...validateImmutableField(obj.type, old.type, 'type'));
    errs.push(...validateImmutableData(obj, old));
  }
  return errs;
}
