import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { curl, type CurlReply, type CurlRequest } from './lib/curl.js';
import { kubectl } from './lib/kubectl.js';

let cluster: RunningCluster | undefined;

before(async () => {
  cluster = await startCluster();
});
after(async () => {
  await cluster?.stop();
});

const configMaps = '/api/v1/namespaces/default/configmaps';
const call = (path: string, request?: CurlRequest) => curl(cluster!.url, cluster!.dataDir, path, request);
const postJson = (path: string, body: string | Buffer, request: CurlRequest = {}) =>
  call(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, ...request });

function assertStatus(reply: CurlReply, code: number, reason: string): { message: string; details?: unknown } {
  assert.equal(reply.status, code, reply.text);
  assert.match(reply.headers['content-type'] ?? '', /^application\/json/);
  const status = reply.json();
  assert.equal(status.kind, 'Status', reply.text);
  assert.equal(status.apiVersion, 'v1');
  assert.equal(status.status, 'Failure');
  assert.equal(status.code, code);
  assert.equal(status.reason, reason);
  assert.equal(typeof status.message, 'string');
  assert.notEqual(status.message, '');
  return status;
}

describe('bad requests get Kubernetes Status answers and lose nothing', () => {
  let keeper: { uid: string; resourceVersion: string };

  it('creates an object to keep an eye on', async () => {
    const reply = await postJson(configMaps, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keeper' }, data: { safe: 'yes' } }));
    assert.equal(reply.status, 201, reply.text);
    keeper = reply.json().metadata;
  });

  it('malformed JSON → 400 BadRequest', async () => {
    assertStatus(await postJson(configMaps, '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": '), 400, 'BadRequest');
    assertStatus(await postJson(configMaps, 'not json at all'), 400, 'BadRequest');
    assertStatus(await call(`${configMaps}/keeper`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{' }), 400, 'BadRequest');
    assertStatus(
      await call(`${configMaps}/keeper`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"data":' }),
      400,
      'BadRequest',
    );
  });

  it('a body whose field has the wrong type → 400 BadRequest', async () => {
    assertStatus(await postJson(configMaps, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'typed' }, data: 5 })), 400, 'BadRequest');
    assertStatus(await call(`${configMaps}/typed`), 404, 'NotFound');
  });

  it('a body of another kind, or another namespace, → 400 BadRequest', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'wrong-kind' }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    assertStatus(await postJson(configMaps, JSON.stringify(pod)), 400, 'BadRequest');
    const elsewhere = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'elsewhere', namespace: 'kube-system' } };
    const status = assertStatus(await postJson(configMaps, JSON.stringify(elsewhere)), 400, 'BadRequest');
    assert.equal(status.message, 'the namespace of the provided object does not match the namespace sent on the request');
  });

  it('a body over 3 MiB → 413 RequestEntityTooLarge', async () => {
    const huge = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'huge' }, data: { blob: 'x'.repeat(3 * 1024 * 1024) } });
    assertStatus(await postJson(configMaps, huge), 413, 'RequestEntityTooLarge');
    assertStatus(await call(`${configMaps}/huge`), 404, 'NotFound');
  });

  it('an unknown content type → 415 UnsupportedMediaType', async () => {
    assertStatus(await postJson(configMaps, '<configmap/>', { headers: { 'Content-Type': 'application/xml' } }), 415, 'UnsupportedMediaType');
  });

  it('no credentials → 401 Unauthorized', async () => {
    const status = assertStatus(await call(configMaps, { asAdmin: false }), 401, 'Unauthorized');
    assert.equal(status.message, 'Unauthorized');
    assertStatus(await call(configMaps, { asAdmin: false, headers: { Authorization: 'Bearer not-a-token' } }), 401, 'Unauthorized');
  });

  it('an unknown resource or group → 404 NotFound', async () => {
    const status = assertStatus(await call('/api/v1/namespaces/default/widgets'), 404, 'NotFound');
    assert.equal(status.message, 'the server could not find the requested resource');
    assertStatus(await call('/apis/widgets.example.com/v1/widgets'), 404, 'NotFound');
    assertStatus(await call('/api/v1/namespaces/default/configmaps/keeper/nosuchsub'), 404, 'NotFound');
  });

  it('an object in a namespace that does not exist → 404 NotFound', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lost' } });
    const status = assertStatus(await postJson('/api/v1/namespaces/nowhere/configmaps', body), 404, 'NotFound');
    assert.equal(status.message, 'namespaces "nowhere" not found');
  });

  it('after all that the server still serves and the object is intact', async () => {
    const reply = await call(`${configMaps}/keeper`);
    assert.equal(reply.status, 200, reply.text);
    const cm = reply.json();
    assert.deepEqual(cm.data, { safe: 'yes' });
    assert.equal(cm.metadata.uid, keeper.uid);
    assert.equal(cm.metadata.resourceVersion, keeper.resourceVersion);
    const list = (await call(configMaps)).json();
    assert.deepEqual(list.items.map((item: { metadata: { name: string } }) => item.metadata.name).filter((n: string) => n !== 'kube-root-ca.crt'), ['keeper']);
    const result = await kubectl('1.33', ['get', 'cm', 'keeper', '-o', 'jsonpath={.data.safe}'], { kubeconfig: cluster!.kubeconfig });
    assert.equal(result.stdout, 'yes', result.stderr);
  });
});
