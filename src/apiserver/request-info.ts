import type { ApiRequest } from '../api/index.js';

/** What a request path addresses (upstream's `request.RequestInfo`). */
export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | string;
  /** '' for the core group */
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** extra path segments after the subresource (pods/proxy/…); empty otherwise */
  rest: string[];
}

/**
 * Parses `/api/v1/namespaces/ns/pods/name/status` and `/apis/apps/v1/deployments` style paths.
 * Anything else is a non-resource request (discovery, /version, /healthz …).
 */
export function parseRequestInfo(request: Pick<ApiRequest, 'method' | 'path' | 'query'>): RequestInfo {
  const info: RequestInfo = { isResourceRequest: false, path: request.path, verb: request.method.toLowerCase(), group: '', version: '', namespace: '', resource: '', subresource: '', name: '', rest: [] };
  const parts = request.path.split('/').filter((p) => p !== '').map((p) => (p.includes('%') ? decodeURIComponent(p) : p));
  let i: number;
  if (parts[0] === 'api') {
    if (parts.length < 3) return info;
    info.version = parts[1];
    i = 2;
  } else if (parts[0] === 'apis') {
    if (parts.length < 4) return info;
    info.group = parts[1];
    info.version = parts[2];
    i = 3;
  } else {
    return info;
  }
  info.isResourceRequest = true;
  let rest = parts.slice(i);
  if (rest[0] === 'namespaces' && rest.length >= 2) {
    info.namespace = rest[1];
    if (rest.length === 2) {
      info.resource = 'namespaces';
      info.name = rest[1];
      info.namespace = '';
      rest = [];
    } else if (rest.length >= 3 && (rest[2] === 'status' || rest[2] === 'finalize') && rest.length === 3) {
      info.resource = 'namespaces';
      info.name = rest[1];
      info.subresource = rest[2];
      info.namespace = '';
      rest = [];
    } else {
      rest = rest.slice(2);
    }
  }
  if (rest.length > 0) {
    info.resource = rest[0];
    info.name = rest[1] ?? '';
    info.subresource = rest[2] ?? '';
    info.rest = rest.slice(3);
  }
  const watching = request.query.get('watch') === 'true' || request.query.get('watch') === '1';
  switch (request.method) {
    case 'GET':
    case 'HEAD':
      info.verb = info.name ? (watching ? 'watch' : 'get') : watching ? 'watch' : 'list';
      break;
    case 'POST':
      info.verb = 'create';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = info.name ? 'delete' : 'deletecollection';
      break;
  }
  return info;
}
