import { ApiError, pruneUnknownFields, schemaOf, type ApiRequest, type ApiResponse, type KubeObject } from '../api/index.js';
import { findDuplicateFields } from './duplicate-fields.js';

/** The `fieldValidation` directive of a write: what to do about unknown and duplicate fields. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** The kind an object is decoded as. */
export interface DecodedKind {
  group: string;
  version: string;
  kind: string;
}

/** Upstream's default when the query has no `fieldValidation` is Warn. */
export function fieldValidationOf(request: ApiRequest): FieldValidation {
  const value = request.query.get('fieldValidation') ?? '';
  if (value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw new ApiError('BadRequest', `fieldValidation parameter unsupported: "${value}": supported values: "Ignore", "Strict", "Warn"`, {
    causes: [{ reason: 'FieldValueNotSupported', message: `Unsupported value: "${value}": supported values: "Ignore", "Strict", "Warn"`, field: 'fieldValidation' }],
  });
}

function isJson(request: ApiRequest): boolean {
  const type = (request.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json' || type === 'application/apply-patch+yaml';
}

/**
 * Checks an object decoded from a create, update or patch request against its kind's schema, as
 * upstream's strict decoder does, and removes the fields the schema does not know (they are never
 * stored). Unknown and duplicate fields fail the request with 400 under `Strict`, become warnings
 * under `Warn` and are dropped silently under `Ignore`; a value of the wrong type fails it always.
 * Returns the object to store (a copy when the request came in-process and had to be pruned) and
 * the warnings to answer with.
 */
export function checkFields(request: ApiRequest, kind: DecodedKind, object: KubeObject, verb: 'create' | 'update' | 'patch'): { object: KubeObject; warnings: string[] } {
  const schema = schemaOf(kind.group, kind.version, kind.kind);
  if (!schema) return { object, warnings: [] };
  const mode = fieldValidationOf(request);
  const wire = request.rawBody !== undefined;
  const found = pruneUnknownFields(object, schema, { prune: wire });
  const prefix = verb === 'patch' ? '' : `${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: `;
  if (wire && found.typeErrors.length > 0) throw new ApiError('BadRequest', `${prefix}${found.typeErrors[0]}`);
  if (!wire && found.unknown.length > 0) {
    object = structuredClone(object);
    pruneUnknownFields(object, schema);
  }
  if (mode === 'Ignore') return { object, warnings: [] };
  const duplicates = wire && isJson(request) ? findDuplicateFields(request.rawBody!.toString('utf8')) : [];
  const problems = [...duplicates.map((p) => `duplicate field "${p}"`), ...found.unknown.map((p) => `unknown field "${p}"`)];
  if (problems.length === 0) return { object, warnings: [] };
  if (mode === 'Strict') throw new ApiError('BadRequest', `${prefix}strict decoding error: ${problems.join(', ')}`);
  return { object, warnings: problems };
}

/**
 * Checks a server-side apply configuration against its kind's schema, as upstream's conversion of
 * the configuration to a typed object does: a field the schema does not declare, or a value of the
 * wrong type, fails the request whatever `fieldValidation` says (upstream answers these with its
 * message and, by an oversight it is fixing, code 500; this answers 400). Duplicate fields then
 * follow `fieldValidation`. Returns the warnings to answer with.
 */
export function checkApplyConfig(request: ApiRequest, kind: DecodedKind, config: KubeObject): string[] {
  const schema = schemaOf(kind.group, kind.version, kind.kind);
  const mode = fieldValidationOf(request);
  if (schema) {
    const found = pruneUnknownFields(config, schema, { prune: false });
    const errors = [...found.typeErrors, ...found.unknown.map((path) => `.${path}: field not declared in schema`)];
    if (errors.length > 0) {
      const gvk = `${kind.group}/${kind.version}, Kind=${kind.kind}`;
      const which = `${config.metadata.namespace ?? ''}/${config.metadata.name ?? ''}; ${gvk}`;
      throw new ApiError('BadRequest', `failed to create typed patch object (${which}): ${errors.length === 1 ? errors[0] : `errors:\n  ${errors.join('\n  ')}`}`);
    }
  }
  if (mode === 'Ignore' || request.rawBody === undefined || !isJson(request)) return [];
  const duplicates = findDuplicateFields(request.rawBody.toString('utf8')).map((p) => `duplicate field "${p}"`);
  if (duplicates.length > 0 && mode === 'Strict') throw new ApiError('BadRequest', `error strict decoding YAML: ${duplicates.join(', ')}`);
  return duplicates;
}

/** The response with one `Warning` header carrying each warning (`299 - "unknown field \"spec.foo\""`), as upstream sends them. */
export function withWarnings(response: ApiResponse, warnings: string[]): ApiResponse {
  if (warnings.length === 0) return response;
  const value = warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ');
  return { ...response, headers: { ...response.headers, Warning: value } };
}
