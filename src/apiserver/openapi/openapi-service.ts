import { createHash } from 'node:crypto';
import { ApiError, type ApiRequest, type ApiResponse } from '../../api/index.js';
import type { ResourceDef } from '../resources/resource-def.js';
import { openApiV2Document } from './openapi-v2.js';
import { openApiV3Document } from './openapi-v3.js';
import { encodeOpenApiV2 } from './proto-v2.js';

const v2Protobuf = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** What upstream answers with: the Accept form with '@' is not a valid media type for Go's parser. */
const v2ProtobufOld = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

interface Cached {
  body: Buffer;
  hash: string;
}

function cached(body: Buffer): Cached {
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
}

/**
 * Serves `/openapi/v2` (gnostic protobuf, or JSON) and `/openapi/v3` (the index of
 * group-versions and one document each), built from the resource declarations and the object
 * schemas on first request and kept, with ETags and hashed URLs as upstream serves them.
 */
export class OpenApiService {
  private readonly groupVersions = new Map<string, ResourceDef[]>();
  private readonly v3 = new Map<string, Cached>();
  private v2Json?: Cached;
  private v2Proto?: Cached;

  constructor(resources: ResourceDef[], private readonly version: string) {
    for (const def of resources) {
      const key = def.group === '' ? `api/${def.version}` : `apis/${def.group}/${def.version}`;
      const list = this.groupVersions.get(key) ?? [];
      list.push(def);
      this.groupVersions.set(key, list);
    }
  }

  /** Whether `path` is one of the OpenAPI paths. */
  handles(path: string): boolean {
    return path === '/openapi/v2' || path === '/openapi/v3' || path.startsWith('/openapi/v3/');
  }

  /** Answers a GET of an OpenAPI path. */
  serve(request: ApiRequest, path: string): ApiResponse {
    if (path === '/openapi/v2') return this.serveV2(request);
    if (path === '/openapi/v3') return this.index();
    const key = path.slice('/openapi/v3/'.length);
    const doc = this.document(key);
    if (!doc) throw new ApiError('NotFound', 'the server could not find the requested resource');
    const hash = request.query.get('hash');
    if (hash && hash !== doc.hash) {
      return { status: 301, headers: { Location: `${path}?hash=${doc.hash}`, 'Cache-Control': 'no-cache, private' }, body: '' };
    }
    const cacheControl = hash ? 'public, immutable' : 'no-cache, private';
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ETag: `"${doc.hash}"`, 'Cache-Control': cacheControl, Vary: 'Accept' };
    if (hash) headers.Expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
    if (request.headers['if-none-match'] === `"${doc.hash}"`) return { status: 304, headers };
    return { status: 200, headers, body: doc.body };
  }

  private document(key: string): Cached | undefined {
    let doc = this.v3.get(key);
    if (!doc) {
      const defs = this.groupVersions.get(key);
      if (!defs) return undefined;
      doc = cached(Buffer.from(JSON.stringify(openApiV3Document(defs, this.version))));
      this.v3.set(key, doc);
    }
    return doc;
  }

  private index(): ApiResponse {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const key of this.groupVersions.keys()) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${this.document(key)!.hash}` };
    return { status: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' }, body: { paths } };
  }

  private serveV2(request: ApiRequest): ApiResponse {
    const accept = request.headers.accept ?? '';
    const proto = accept.includes(v2Protobuf) || accept.includes(v2ProtobufOld);
    this.v2Json ??= cached(Buffer.from(JSON.stringify(openApiV2Document([...this.groupVersions.values()].flat(), this.version))));
    if (proto) this.v2Proto ??= cached(encodeOpenApiV2(JSON.parse(this.v2Json.body.toString('utf8')) as Record<string, unknown>));
    const doc = proto ? this.v2Proto! : this.v2Json;
    const headers: Record<string, string> = { 'Content-Type': proto ? v2ProtobufOld : 'application/json', ETag: `"${doc.hash}"`, 'Cache-Control': 'no-cache, private', Vary: 'Accept' };
    if (request.headers['if-none-match'] === `"${doc.hash}"`) return { status: 304, headers };
    return { status: 200, headers, body: doc.body };
  }
}
