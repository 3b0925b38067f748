import type { FieldError } from '../errors.js';
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain } from '../names.js';
import { isValidQuantity, parseQuantity } from '../quantity.js';
import { volumeSourceFields } from './pod-defaults.js';
import { each, duplicate, forbidden, invalidValue, list, notSupported, required, type Obj } from './field-errors.js';

const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';
const hostPathTypes = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

function validateMode(mode: unknown, path: string): FieldError[] {
  if (mode === undefined || mode === null) return [];
  return typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 0o777 ? [] : [invalidValue(path, mode, fileModeErrorMsg)];
}

/** upstream's validateLocalDescendingPath: relative, no `..` element. */
export function validateLocalDescendingPath(target: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(invalidValue(path, target, 'must be a relative path'));
  if (target.split('/').includes('..')) errs.push(invalidValue(path, target, "must not contain '..'"));
  return errs;
}

function validateKeyToPaths(items: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  items.forEach((item, i) => {
    const p = `${path}[${i}]`;
    if (!item.key) errs.push(required(`${p}.key`));
    if (!item.path) errs.push(required(`${p}.path`));
    else errs.push(...validateLocalDescendingPath(item.path, `${p}.path`));
    errs.push(...validateMode(item.mode, `${p}.mode`));
  });
  return errs;
}

function validateSource(v: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const set = volumeSourceFields.filter((s) => v[s] !== undefined && v[s] !== null);
  if (set.length === 0) errs.push(required(path, 'must specify a volume type'));
  for (const extra of set.slice(1)) errs.push(forbidden(`${path}.${extra}`, 'may not specify more than 1 volume type'));
  if (v.configMap) {
    if (!v.configMap.name) errs.push(required(`${path}.configMap.name`));
    errs.push(...validateMode(v.configMap.defaultMode, `${path}.configMap.defaultMode`));
    errs.push(...validateKeyToPaths(list(v.configMap, 'items'), `${path}.configMap.items`));
  }
  if (v.secret) {
    if (!v.secret.secretName) errs.push(required(`${path}.secret.secretName`));
    else errs.push(...each(`${path}.secret.secretName`, v.secret.secretName, isDNS1123Subdomain(v.secret.secretName)));
    errs.push(...validateMode(v.secret.defaultMode, `${path}.secret.defaultMode`));
    errs.push(...validateKeyToPaths(list(v.secret, 'items'), `${path}.secret.items`));
  }
  if (v.hostPath) {
    if (!v.hostPath.path) errs.push(required(`${path}.hostPath.path`));
    if (v.hostPath.type !== undefined && !hostPathTypes.includes(v.hostPath.type)) errs.push(notSupported(`${path}.hostPath.type`, v.hostPath.type, hostPathTypes));
  }
  if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(required(`${path}.persistentVolumeClaim.claimName`));
  if (v.emptyDir) {
    if (v.emptyDir.medium !== undefined && !['', 'Memory', 'HugePages'].includes(v.emptyDir.medium) && !String(v.emptyDir.medium).startsWith('HugePages-')) {
      errs.push(notSupported(`${path}.emptyDir.medium`, v.emptyDir.medium, ['', 'Memory', 'HugePages']));
    }
    const limit = v.emptyDir.sizeLimit;
    if (limit !== undefined && (!isValidQuantity(limit) || parseQuantity(limit) < 0)) {
      errs.push(invalidValue(`${path}.emptyDir.sizeLimit`, limit, 'must be greater than or equal to 0'));
    }
  }
  if (v.downwardAPI) {
    errs.push(...validateMode(v.downwardAPI.defaultMode, `${path}.downwardAPI.defaultMode`));
    list(v.downwardAPI, 'items').forEach((item, i) => {
      if (!item.path) errs.push(required(`${path}.downwardAPI.items[${i}].path`));
    });
  }
  if (v.projected) {
    errs.push(...validateMode(v.projected.defaultMode, `${path}.projected.defaultMode`));
    list(v.projected, 'sources').forEach((s, i) => {
      const p = `${path}.projected.sources[${i}]`;
      if (s.configMap) errs.push(...validateKeyToPaths(list(s.configMap, 'items'), `${p}.configMap.items`));
      if (s.secret) errs.push(...validateKeyToPaths(list(s.secret, 'items'), `${p}.secret.items`));
      if (s.serviceAccountToken) {
        if (!s.serviceAccountToken.path) errs.push(required(`${p}.serviceAccountToken.path`));
        const exp = s.serviceAccountToken.expirationSeconds;
        if (typeof exp === 'number' && exp < 600) errs.push(invalidValue(`${p}.serviceAccountToken.expirationSeconds`, exp, 'may not specify a duration less than 10 minutes'));
      }
    });
  }
  if (v.nfs) {
    if (!v.nfs.server) errs.push(required(`${path}.nfs.server`));
    if (!v.nfs.path) errs.push(required(`${path}.nfs.path`));
    else if (!String(v.nfs.path).startsWith('/')) errs.push(invalidValue(`${path}.nfs.path`, v.nfs.path, 'must be an absolute path'));
  }
  if (v.csi && !v.csi.driver) errs.push(required(`${path}.csi.driver`));
  if (v.image && !v.image.reference) errs.push(required(`${path}.image.reference`));
  return errs;
}

/** Validates spec.volumes; returns the errors and the volume names that are valid to mount. */
export function validateVolumes(volumes: Obj[], path: string): { errors: FieldError[]; names: Set<string> } {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const p = `${path}[${i}]`;
    errors.push(...validateSource(v, p));
    if (!v.name) errors.push(required(`${p}.name`));
    else errors.push(...each(`${p}.name`, v.name, isDNS1123Label(v.name)));
    if (names.has(v.name)) errors.push(duplicate(`${p}.name`, v.name));
    else if (v.name) names.add(v.name);
  });
  return { errors, names };
}

/** Keys of a ConfigMap or Secret's data (`data[key]`), as upstream's IsConfigMapKey. */
export function validateDataKeys(keys: string[], path: string): FieldError[] {
  return keys.flatMap((k) => each(`${path}[${k}]`, k, isConfigMapKey(k)));
}
