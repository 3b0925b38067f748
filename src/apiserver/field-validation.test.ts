import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, type ApiRequest, type KubeObject } from '../api/index.js';
import { findDuplicateFields } from './duplicate-fields.js';
import { checkApplyConfig, checkFields, withWarnings } from './field-validation.js';

function wireRequest(body: string, fieldValidation?: string): ApiRequest {
  const query = new URLSearchParams(fieldValidation ? { fieldValidation } : {});
  return { method: 'POST', path: '/api/v1/namespaces/default/pods', query, headers: { 'content-type': 'application/json' }, rawBody: Buffer.from(body), signal: new AbortController().signal };
}

const pod = 'v1/Pod';
const podKind = { group: '', version: 'v1', kind: 'Pod' };
const body = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"a","image":"b","imagee":"x"}]}}';

describe('findDuplicateFields', () => {
  it('names keys that occur twice in one object, with their paths', () => {
    assert.deepEqual(findDuplicateFields(body), ['spec.containers[0].image']);
    assert.deepEqual(findDuplicateFields('{"a":{"b":1,"c":[1,"x\\"y",{"d":1,"d":2}]},"a":2}'), ['a.c[2].d', 'a']);
    assert.deepEqual(findDuplicateFields('{"a":1,"b":{}}'), []);
  });
});

describe(`checkFields (${pod})`, () => {
  it('rejects unknown and duplicate fields with 400 under Strict', () => {
    assert.throws(
      () => checkFields(wireRequest(body, 'Strict'), podKind, JSON.parse(body) as KubeObject, 'create'),
      (error: ApiError) => {
        assert.equal(error.code, 400);
        assert.equal(error.message, 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: duplicate field "spec.containers[0].image", unknown field "spec.containers[0].imagee"');
        return true;
      },
    );
  });

  it('warns under Warn (the default) and drops the unknown field', () => {
    const { object, warnings } = checkFields(wireRequest(body), podKind, JSON.parse(body) as KubeObject, 'create');
    assert.deepEqual(warnings, ['duplicate field "spec.containers[0].image"', 'unknown field "spec.containers[0].imagee"']);
    assert.deepEqual((object.spec as { containers: unknown[] }).containers, [{ name: 'c', image: 'b' }]);
    const response = withWarnings({ status: 201, body: object }, warnings);
    assert.equal(response.headers!.Warning, '299 - "duplicate field \\"spec.containers[0].image\\"", 299 - "unknown field \\"spec.containers[0].imagee\\""');
  });

  it('drops silently under Ignore', () => {
    const { object, warnings } = checkFields(wireRequest(body, 'Ignore'), podKind, JSON.parse(body) as KubeObject, 'create');
    assert.deepEqual(warnings, []);
    assert.equal((object.spec as { containers: Record<string, unknown>[] }).containers[0].imagee, undefined);
  });

  it('rejects a value of the wrong type whatever the directive', () => {
    const text = '{"spec":{"containers":[{"name":"c","image":"a","ports":[{"containerPort":"80"}]}]}}';
    assert.throws(() => checkFields(wireRequest(text, 'Ignore'), podKind, JSON.parse(text) as KubeObject, 'create'), /cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32/);
  });

  it('leaves an in-process caller\'s object untouched and stores a pruned copy', () => {
    const given = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'a' }], bogus: 1 } } as KubeObject;
    const request: ApiRequest = { ...wireRequest(''), rawBody: undefined, body: given };
    const { object } = checkFields(request, podKind, given, 'create');
    assert.equal((given.spec as { bogus?: number }).bogus, 1);
    assert.equal((object.spec as { bogus?: number }).bogus, undefined);
  });

  it('refuses an unknown directive', () => {
    assert.throws(() => checkFields(wireRequest('{}', 'Loose'), podKind, {} as KubeObject, 'create'), /fieldValidation parameter unsupported/);
  });
});

describe('checkApplyConfig (server-side apply)', () => {
  const applyRequest = (text: string, fieldValidation?: string): ApiRequest => ({ ...wireRequest(text, fieldValidation), method: 'PATCH', headers: { 'content-type': 'application/apply-patch+yaml' } });
  const config = (text: string) => JSON.parse(text) as KubeObject;

  it('fails on an unknown field or a wrong type under every fieldValidation, naming the object and the path', () => {
    const unknown = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"ns"},"spec":{"replica":2}}';
    for (const mode of ['Strict', 'Warn', 'Ignore']) {
      assert.throws(() => checkApplyConfig(applyRequest(unknown, mode), { group: 'apps', version: 'v1', kind: 'Deployment' }, config(unknown)), {
        code: 400,
        message: 'failed to create typed patch object (ns/d; apps/v1, Kind=Deployment): .spec.replica: field not declared in schema',
      });
    }
    const both = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":{"name":"c"},"nodeNamee":"x"}}';
    assert.throws(() => checkApplyConfig(applyRequest(both), podKind, config(both)), (error: ApiError) => {
      assert.equal(error.code, 400);
      assert.match(error.message, /^failed to create typed patch object \(\/p; \/v1, Kind=Pod\): errors:\n {2}json: cannot unmarshal object into Go struct field PodSpec\.spec\.containers of type \[\]v1\.Container\n {2}\.spec\.nodeNamee: field not declared in schema$/);
      return true;
    });
  });

  it('leaves a good configuration alone, and duplicate fields follow fieldValidation', () => {
    const good = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}';
    assert.deepEqual(checkApplyConfig(applyRequest(good, 'Strict'), { group: '', version: 'v1', kind: 'ConfigMap' }, config(good)), []);
    const twice = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1","a":"2"}}';
    const cm = { group: '', version: 'v1', kind: 'ConfigMap' };
    assert.deepEqual(checkApplyConfig(applyRequest(twice), cm, config(twice)), ['duplicate field "data.a"']);
    assert.deepEqual(checkApplyConfig(applyRequest(twice, 'Ignore'), cm, config(twice)), []);
    assert.throws(() => checkApplyConfig(applyRequest(twice, 'Strict'), cm, config(twice)), { code: 400, message: 'error strict decoding YAML: duplicate field "data.a"' });
  });
});
