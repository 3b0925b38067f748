import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, type KubeObject, type WatchEvent } from '../api/index.js';
import { Client } from './client.js';
import { InProcessTransport } from './in-process-transport.js';
import { resourcePath, wellKnownResources } from './resource-type.js';
import { FakeApiHandler } from './testing/index.js';

const admin = { name: 'admin', groups: ['system:masters'] };

function setup() {
  const fake = new FakeApiHandler();
  const client = new Client(new InProcessTransport(fake.handler, admin));
  return { fake, client };
}

const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

test('paths follow the core and named-group layouts', () => {
  assert.equal(resourcePath(wellKnownResources.pods, 'default', 'web', 'binding'), '/api/v1/namespaces/default/pods/web/binding');
  assert.equal(resourcePath(wellKnownResources.pods), '/api/v1/pods');
  assert.equal(resourcePath(wellKnownResources.nodes, undefined, 'n1'), '/api/v1/nodes/n1');
  assert.equal(resourcePath(wellKnownResources.namespaces, undefined, 'kube-system'), '/api/v1/namespaces/kube-system');
  assert.equal(resourcePath(wellKnownResources.deployments, 'prod', 'api', 'scale'), '/apis/apps/v1/namespaces/prod/deployments/api/scale');
  assert.equal(resourcePath(wellKnownResources.leases, 'kube-system'), '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases');
  assert.throws(() => resourcePath(wellKnownResources.pods, 'default', ''));
});

test('the in-process transport hands objects to the handler and back without JSON', async () => {
  const { fake, client } = setup();
  const pods = client.resource('pods');
  const mine = pod('web', { app: 'web' });
  const created = await pods.create('default', mine, { fieldManager: 'test' });
  assert.equal(created.metadata.namespace, 'default');
  assert.ok(created.metadata.resourceVersion);
  assert.equal(mine.metadata.resourceVersion, undefined, "the caller's object is not changed by the server");

  const req = fake.requests.at(-1)!;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/api/v1/namespaces/default/pods');
  assert.equal(req.query.get('fieldManager'), 'test');
  assert.equal(req.user?.name, 'admin');
  assert.equal(req.rawBody, undefined);
  assert.deepEqual(req.body, mine);

  const got = await pods.get('default', 'web');
  assert.deepEqual(got, created);
});

test('non-2xx answers become ApiErrors with the Status reason', async () => {
  const { client } = setup();
  const pods = client.resource('pods');
  await assert.rejects(pods.get('default', 'missing'), (err: unknown) => err instanceof ApiError && err.reason === 'NotFound' && err.code === 404 && /"missing" not found/.test(err.message));
  await pods.create('default', pod('a'));
  await assert.rejects(pods.create('default', pod('a')), (err: unknown) => err instanceof ApiError && err.reason === 'AlreadyExists');
});

test('update is conditional on resourceVersion; status, patch, subresources and delete reach the right paths', async () => {
  const { fake, client } = setup();
  const pods = client.resource('pods');
  const created = await pods.create('default', pod('web'));
  const updated = await pods.update('default', { ...created, metadata: { ...created.metadata, labels: { tier: 'front' } } });
  assert.deepEqual(updated.metadata.labels, { tier: 'front' });
  await assert.rejects(pods.update('default', created), (err: unknown) => err instanceof ApiError && err.reason === 'Conflict');

  const withStatus = await pods.updateStatus('default', { ...updated, status: { phase: 'Running' } });
  assert.equal(fake.requests.at(-1)!.path, '/api/v1/namespaces/default/pods/web/status');
  assert.deepEqual(withStatus.status, { phase: 'Running' });

  const patched = await pods.patch('default', 'web', { metadata: { labels: { tier: null } } }, 'merge', { fieldManager: 'kubectl' });
  assert.equal(fake.requests.at(-1)!.headers['content-type'], 'application/merge-patch+json');
  assert.deepEqual(patched.metadata.labels, {});

  await pods.createSubresource('default', 'web', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Node', name: 'n1' } });
  assert.equal(fake.requests.at(-1)!.path, '/api/v1/namespaces/default/pods/web/binding');
  assert.equal(((await pods.get('default', 'web')).spec as { nodeName?: string }).nodeName, 'n1');

  await pods.delete('default', 'web', { gracePeriodSeconds: 0, propagationPolicy: 'Background' });
  const del = fake.requests.at(-1)!;
  assert.equal(del.method, 'DELETE');
  assert.deepEqual(del.body, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, propagationPolicy: 'Background' });
  await assert.rejects(pods.get('default', 'web'), (err: unknown) => err instanceof ApiError && err.code === 404);
});

test('patch types map to their content types', async () => {
  const { fake, client } = setup();
  const pods = client.resource('pods');
  await pods.create('default', pod('p'));
  for (const [type, contentType] of [
    ['json', 'application/json-patch+json'],
    ['strategic', 'application/strategic-merge-patch+json'],
    ['apply', 'application/apply-patch+yaml'],
  ] as const) {
    await assert.rejects(pods.patch('default', 'p', {}, type, { fieldManager: 'm', force: true }));
    const req = fake.requests.at(-1)!;
    assert.equal(req.headers['content-type'], contentType);
    assert.equal(req.query.get('force'), 'true');
  }
});

test('list pages with limit and continue, and filters by selectors', async () => {
  const { client } = setup();
  const pods = client.resource('pods');
  for (let i = 0; i < 5; i++) await pods.create('default', pod(`p${i}`, { app: i % 2 ? 'odd' : 'even' }));
  await pods.create('other', pod('x', { app: 'even' }));

  const first = await pods.list('default', { limit: 2 });
  assert.equal(first.items.length, 2);
  assert.ok(first.metadata.continue);
  const all = await pods.listAll('default', { limit: 2 });
  assert.deepEqual(all.items.map((p) => p.metadata.name), ['p0', 'p1', 'p2', 'p3', 'p4']);
  assert.equal(all.resourceVersion, first.metadata.resourceVersion);

  const even = await pods.list(undefined, { labelSelector: 'app=even' });
  assert.deepEqual(even.items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort(), ['default/p0', 'default/p2', 'default/p4', 'other/x']);
  const byName = await pods.list('default', { fieldSelector: 'metadata.name=p3' });
  assert.deepEqual(byName.items.map((p) => p.metadata.name), ['p3']);
});

test('watch streams events from a resourceVersion and ends on abort', async () => {
  const { fake, client } = setup();
  const pods = client.resource('pods');
  const a = await pods.create('default', pod('a'));
  const controller = new AbortController();
  const seen: WatchEvent[] = [];
  const done = (async () => {
    for await (const ev of pods.watch('default', { resourceVersion: a.metadata.resourceVersion, allowWatchBookmarks: true }, controller.signal)) {
      seen.push(ev);
      if (seen.length === 3) controller.abort();
    }
  })();
  await pods.create('default', pod('b'));
  await pods.delete('default', 'a');
  fake.sendBookmarks();
  await done;
  assert.deepEqual(
    seen.map((e) => [e.type, e.object.metadata.name]),
    [
      ['ADDED', 'b'],
      ['DELETED', 'a'],
      ['BOOKMARK', undefined],
    ],
  );
  const watchReq = fake.requests.find((r) => r.query.get('watch') === 'true')!;
  assert.equal(watchReq.query.get('allowWatchBookmarks'), 'true');
  assert.equal(fake.openWatches(), 0);
});

test('a watch from a compacted revision answers an ERROR event with 410 Expired', async () => {
  const { fake, client } = setup();
  const pods = client.resource('pods');
  const a = await pods.create('default', pod('a'));
  await pods.create('default', pod('b'));
  fake.compact();
  const events: WatchEvent[] = [];
  for await (const ev of pods.watch('default', { resourceVersion: a.metadata.resourceVersion }, new AbortController().signal)) events.push(ev);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.type, 'ERROR');
  assert.equal((events[0]!.object as unknown as { code: number }).code, 410);

  fake.expiredAs = 'error';
  const iterate = async () => {
    for await (const _ of pods.watch('default', { resourceVersion: a.metadata.resourceVersion }, new AbortController().signal));
  };
  await assert.rejects(iterate(), (err: unknown) => err instanceof ApiError && err.reason === 'Expired');
});
