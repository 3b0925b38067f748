import { parse as parseYaml } from 'yaml';
import { ApiError, type ApiRequest } from '../api/index.js';
import { decodeProtobufObject, protobufMediaType } from './protobuf/index.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const patchTypes: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

function mediaType(request: ApiRequest): string {
  return (request.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
}

/** The patch type a PATCH request's Content-Type names; 415 for anything else. */
export function patchTypeOf(request: ApiRequest): PatchType {
  const type = patchTypes[mediaType(request)];
  if (!type) {
    throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${Object.keys(patchTypes).filter((t) => !t.endsWith('cbor')).join(', ')}`);
  }
  return type;
}

/**
 * The request body as a value: the object itself from the in-process transport, else JSON,
 * YAML or Kubernetes protobuf decoded from the bytes. Malformed input is a 400 in upstream's words.
 */
export function decodeBody(request: ApiRequest): unknown {
  if (request.body !== undefined) return request.body;
  const raw = request.rawBody;
  if (!raw || raw.length === 0) return undefined;
  const type = mediaType(request);
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'text/yaml') {
    try {
      return parseYaml(raw.toString('utf8'), { strict: true, uniqueKeys: false });
    } catch (error) {
      throw new ApiError('BadRequest', `error converting YAML to JSON: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  if (type === protobufMediaType) return decodeProtobufObject(raw);
  if (type !== 'application/json' && !patchTypes[type] && type !== '*/*') {
    throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new ApiError('BadRequest', `the object provided is unrecognized (must be of type ${'Object'}): couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
}
