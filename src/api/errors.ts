import type { Status, StatusCause } from './object.js';

/** Kubernetes StatusReason values and the HTTP code each one answers with. */
export const statusReasons = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
} as const;

export type StatusReason = keyof typeof statusReasons;

export interface ApiErrorDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/**
 * The one error class that crosses the API boundary: a reason, a message a person can act on,
 * and the details Kubernetes puts in a Status.
 */
export class ApiError extends Error {
  readonly reason: StatusReason;
  readonly code: number;
  readonly details?: ApiErrorDetails;

  constructor(reason: StatusReason, message: string, details?: ApiErrorDetails) {
    super(message);
    this.name = 'ApiError';
    this.reason = reason;
    this.code = statusReasons[reason];
    this.details = details;
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) {
      status.details = Object.fromEntries(Object.entries(this.details).filter(([, v]) => v !== undefined));
    }
    return status;
  }

  static fromStatus(status: Status): ApiError {
    const reason = (status.reason && status.reason in statusReasons ? status.reason : codeToReason(status.code)) as StatusReason;
    return new ApiError(reason, status.message ?? reason, status.details);
  }
}

function codeToReason(code: number): StatusReason {
  for (const [reason, c] of Object.entries(statusReasons)) if (c === code) return reason as StatusReason;
  return 'InternalError';
}

/** `<resource> "<name>" not found`, as upstream words it. */
export function notFound(resource: string, name: string, group = ''): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError('NotFound', `${qualified} "${name}" not found`, { name, group: group || undefined, kind: resource });
}

/** `<resource> "<name>" already exists`, as upstream words it (409). */
export function alreadyExists(resource: string, name: string, group = ''): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError('AlreadyExists', `${qualified} "${name}" already exists`, { name, group: group || undefined, kind: resource });
}

/** `Operation cannot be fulfilled on <resource> "<name>": <why>` (409), as upstream words it; `why` defaults to the stale-resourceVersion reason. */
export function conflict(resource: string, name: string, group = '', why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError('Conflict', `Operation cannot be fulfilled on ${qualified} "${name}": ${why}`, { name, group: group || undefined, kind: resource });
}

/** A field error, collected by validation and answered together as one 422. */
export interface FieldError {
  /** upstream's FieldValueRequired, FieldValueInvalid … reason strings */
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueDuplicate' | 'FieldValueTooLong' | 'FieldValueTypeInvalid' | 'FieldValueNotFound';
  field: string;
  message: string;
}

const fieldErrorWording: Record<FieldError['type'], string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTooLong: 'Too long',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueNotFound: 'Not found',
};

/** `Kind.group "name" is invalid: [field: Reason: detail, …]` with one cause per field error. */
export function invalid(kind: string, name: string, errors: FieldError[], group = ''): ApiError {
  const qualified = group ? `${kind}.${group}` : kind;
  const parts = errors.map((e) => `${e.field}: ${e.message}`);
  const joined = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new ApiError('Invalid', `${qualified} "${name}" is invalid: ${joined}`, {
    name,
    group: group || undefined,
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  });
}

/** Builds a FieldError whose message reads like upstream's (`Invalid value: "x": why`). */
export function fieldError(type: FieldError['type'], field: string, detail?: string, value?: unknown): FieldError {
  let message = fieldErrorWording[type];
  if (value !== undefined && (type === 'FieldValueInvalid' || type === 'FieldValueNotSupported' || type === 'FieldValueDuplicate' || type === 'FieldValueNotFound')) {
    message += `: ${typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value)}`;
  }
  if (detail) message += `: ${detail}`;
  return { type, field, message };
}
