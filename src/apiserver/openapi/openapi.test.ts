import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiRequest } from '../../api/index.js';
import { allResources } from '../resources/index.js';
import { OpenApiService } from './openapi-service.js';
import { openApiV3Document } from './openapi-v3.js';

type Doc = { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; 'x-kubernetes-group-version-kind'?: unknown }>>; components: { schemas: Record<string, unknown> } };

function get(path: string, query = '', headers: Record<string, string> = {}): ApiRequest {
  return { method: 'GET', path, query: new URLSearchParams(query), headers, signal: new AbortController().signal };
}

describe('OpenAPI', () => {
  it('has a schema for every kind the server serves', () => {
    for (const def of allResources) {
      const doc = openApiV3Document([def], 'v1.32.0') as unknown as Doc;
      const kinds = Object.values(doc.components.schemas).flatMap((s) => ((s as { 'x-kubernetes-group-version-kind'?: { kind: string; group: string }[] })['x-kubernetes-group-version-kind'] ?? []));
      assert.ok(kinds.some((k) => k.kind === def.kind && k.group === def.group), `no schema for ${def.kind}.${def.group}`);
    }
  });

  it('gives every PATCH a group-version-kind and a fieldValidation query parameter (kubectl then validates on the server)', () => {
    const doc = openApiV3Document(allResources.filter((d) => d.group === 'apps'), 'v1.32.0') as unknown as Doc;
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.ok(patch.parameters!.some((p) => p.name === 'fieldValidation' && p.in === 'query'));
    assert.deepEqual(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].put['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    const text = JSON.stringify(doc);
    for (const [, ref] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) assert.ok(doc.components.schemas[ref], `dangling ${ref}`);
  });

  it('serves an index of hashed group-version URLs, and each document with caching headers', () => {
    const service = new OpenApiService(allResources, 'v1.32.0');
    const index = service.serve(get('/openapi/v3'), '/openapi/v3').body as { paths: Record<string, { serverRelativeURL: string }> };
    const url = new URL(index.paths['api/v1'].serverRelativeURL, 'https://x');
    assert.match(url.searchParams.get('hash')!, /^[0-9A-F]{128}$/);
    assert.ok(index.paths['apis/apps/v1']);
    const doc = service.serve(get(url.pathname, url.search), url.pathname);
    assert.equal(doc.status, 200);
    assert.equal(doc.headers!['Cache-Control'], 'public, immutable');
    assert.equal(service.serve(get(url.pathname, 'hash=OLD'), url.pathname).status, 301);
    assert.equal(service.serve(get(url.pathname, '', { 'if-none-match': doc.headers!.ETag }), url.pathname).status, 304);
  });

  it('serves v2 as gnostic protobuf when asked, else as JSON', () => {
    const service = new OpenApiService(allResources, 'v1.32.0');
    const proto = service.serve(get('/openapi/v2', '', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' }), '/openapi/v2');
    assert.equal(proto.headers!['Content-Type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const bytes = proto.body as Buffer;
    assert.deepEqual([...bytes.subarray(0, 5)], [0x0a, 3, 0x32, 0x2e, 0x30]);
    const json = JSON.parse((service.serve(get('/openapi/v2'), '/openapi/v2').body as Buffer).toString()) as { swagger: string; definitions: Record<string, unknown> };
    assert.equal(json.swagger, '2.0');
    assert.ok(json.definitions['io.k8s.api.core.v1.Pod']);
  });
});
