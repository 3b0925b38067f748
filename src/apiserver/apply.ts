import { isDeepStrictEqual } from 'node:util';
import {
  ApiError,
  applyStrategicMergePatch,
  fallbackPatchSchema,
  patchSchemaOf,
  serverSideApply,
  trackUpdate,
  type ApiRequest,
  type FieldManagerOptions,
  type KubeObject,
  type PatchSchema,
} from '../api/index.js';
import { decodeBody } from './body.js';
import { checkApplyConfig } from './field-validation.js';
import { rfc3339, type ObjectStorage, type WriteContext } from './object-storage.js';
import type { ResourceDef } from './resources/resource-def.js';
import type { RequestInfo } from './request-info.js';

/** The strategic-merge and server-side-apply schema of a kind: its derived schema, else the small built-in table. */
export function kindPatchSchema(def: ResourceDef): PatchSchema {
  return (patchSchemaOf(def.group, def.version, def.kind) ?? fallbackPatchSchema) as PatchSchema;
}

const maxFieldManagerLength = 128;

function invalidPatchOptions(field: string, message: string, reason = 'FieldValueInvalid'): ApiError {
  return new ApiError('Invalid', `PatchOptions.meta.k8s.io "" is invalid: ${field}: ${message}`, {
    group: 'meta.k8s.io',
    kind: 'PatchOptions',
    causes: [{ reason, message, field }],
  });
}

/**
 * The field manager of a write: `?fieldManager=`, else the part of the User-Agent before the
 * first `/` (`kubectl`, `node-fetch` …), as upstream defaults it.
 */
export function fieldManagerOf(request: ApiRequest): string {
  const given = request.query.get('fieldManager');
  const manager = given ?? (request.headers['user-agent'] ?? '').split('/')[0];
  if (manager.length > maxFieldManagerLength) {
    throw invalidPatchOptions('fieldManager', `Too long: may not be longer than ${maxFieldManagerLength}`, 'FieldValueTooLong');
  }
  if (given !== null && /[^\x20-\x7e]/.test(given)) {
    throw invalidPatchOptions('fieldManager', `Invalid value: ${JSON.stringify(given)}: must be printable`);
  }
  return manager;
}

function managerOptions(storage: ObjectStorage, manager: string, write: WriteContext, subresource: string): FieldManagerOptions<unknown> {
  return {
    manager,
    apiVersion: storage.apiVersion,
    time: rfc3339(write.now),
    subresource: subresource || undefined,
    hasStatus: (storage.def.subresources ?? []).includes('status'),
    schema: kindPatchSchema(storage.def),
  };
}

/** managedFields a client sent: kept when they equal the stored ones, `[]` or `[{}]` resets them. */
function baseManagedFields(next: KubeObject, old: KubeObject | undefined): unknown[] | undefined {
  const sent = next.metadata.managedFields;
  if (sent === undefined || (old && isDeepStrictEqual(sent, old.metadata.managedFields))) return old?.metadata.managedFields;
  if (!Array.isArray(sent) || sent.length === 0 || (sent.length === 1 && isDeepStrictEqual(sent[0], {}))) return undefined;
  return sent;
}

/**
 * The write context of a create, update or non-apply patch: records the write in managedFields
 * as an `Update` by the request's field manager, after defaulting (so defaulted fields are owned
 * by whoever created the object, as upstream).
 */
export function withFieldTracking(storage: ObjectStorage, request: ApiRequest, write: WriteContext): WriteContext {
  const manager = fieldManagerOf(request);
  return {
    ...write,
    trackFields(next, old, subresource) {
      const base = baseManagedFields(next, old);
      const before = old ? { ...old, metadata: { ...old.metadata, managedFields: base } } : undefined;
      if (!old) next.metadata.managedFields = undefined;
      trackUpdate(before, next, managerOptions(storage, manager, write, subresource));
      if (!old && base) next.metadata.managedFields = base.concat(next.metadata.managedFields ?? []);
    },
  };
}

/** Applies a strategic merge patch to the stored object. */
export function strategicPatch(storage: ObjectStorage, current: KubeObject, patch: unknown): unknown {
  return applyStrategicMergePatch(current, patch, kindPatchSchema(storage.def));
}

/**
 * A server-side apply request (`application/apply-patch+yaml`): creates the object when it is
 * missing, else merges the configuration with ownership checks; 409 on conflicts unless force.
 */
export async function serverSideApplyRequest(storage: ObjectStorage, request: ApiRequest, info: RequestInfo, write: WriteContext, subresource: string): Promise<{ object: KubeObject; created: boolean; warnings: string[] }> {
  const q = request.query;
  const manager = q.get('fieldManager');
  if (!manager) throw invalidPatchOptions('fieldManager', 'Required value: is required for apply patch', 'FieldValueRequired');
  fieldManagerOf(request);
  const forceText = q.get('force');
  if (forceText !== null && forceText !== 'true' && forceText !== 'false') throw new ApiError('BadRequest', `invalid value for force: ${forceText}`);
  const force = forceText === 'true';
  const config = configOf(storage, decodeBody(request), info);
  const warnings = checkApplyConfig(request, storage.def, config);
  const options = { ...managerOptions(storage, manager, write, subresource), force };
  const plain: WriteContext = { user: write.user, dryRun: write.dryRun, now: write.now };
  for (let attempt = 0; ; attempt++) {
    let exists = true;
    try {
      await storage.get(info.namespace, info.name);
    } catch (error) {
      if (!(error instanceof ApiError && error.reason === 'NotFound')) throw error;
      exists = false;
    }
    if (!exists) {
      if (subresource) throw new ApiError('NotFound', `${storage.qualifiedResource} "${info.name}" not found`, { name: info.name, group: storage.def.group || undefined, kind: storage.def.plural });
      try {
        const created = await storage.create(info.namespace, serverSideApply(undefined, config, options), plain);
        return { object: created, created: true, warnings };
      } catch (error) {
        if (error instanceof ApiError && error.reason === 'AlreadyExists' && attempt < 3) continue;
        throw error;
      }
    }
    const object = await storage.update(info.namespace, info.name, (current) => {
      const applied = serverSideApply(current, config, options);
      delete applied.metadata.resourceVersion;
      if (config.metadata.resourceVersion) applied.metadata.resourceVersion = config.metadata.resourceVersion;
      return applied;
    }, plain, subresource);
    return { object, created: false, warnings };
  }
}

function configOf(storage: ObjectStorage, body: unknown, info: RequestInfo): KubeObject {
  if (body === undefined || body === null) throw new ApiError('BadRequest', 'the body of the request was empty');
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError('BadRequest', `error decoding patch: the object provided is unrecognized (must be of type ${storage.def.kind})`);
  const config = body as KubeObject;
  if (config.apiVersion !== storage.apiVersion || config.kind !== storage.def.kind) {
    if (!config.apiVersion || !config.kind) throw new ApiError('BadRequest', `Object 'Kind' is missing in '${JSON.stringify(config)}'`);
    throw new ApiError('BadRequest', `the API version in the data (${config.apiVersion}) does not match the expected API version (${storage.apiVersion})`);
  }
  config.metadata ??= {};
  if (config.metadata.name !== undefined && config.metadata.name !== info.name) {
    throw new ApiError('BadRequest', `the name of the object (${config.metadata.name}) does not match the name on the URL (${info.name})`);
  }
  config.metadata.name = info.name;
  if (storage.def.namespaced && config.metadata.namespace !== undefined && config.metadata.namespace !== info.namespace) {
    throw new ApiError('BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  }
  return config;
}
