import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { ApiError, type KubeObject, type WatchEvent } from '../api/index.js';
import { Client } from './client.js';
import { InProcessTransport } from './in-process-transport.js';
import { PortTransport, PortTransportServer } from './port-transport.js';
import { FakeApiHandler } from './testing/index.js';

const scheduler = { name: 'system:kube-scheduler', groups: ['system:masters', 'system:authenticated'] };

function setup(t: { after(fn: () => void): void }) {
  const fake = new FakeApiHandler();
  const { port1, port2 } = new MessageChannel();
  const server = new PortTransportServer(port1, new InProcessTransport(fake.handler, scheduler));
  const transport = new PortTransport(port2);
  t.after(() => {
    transport.close();
    server.close();
  });
  return { fake, server, transport, client: new Client(transport) };
}

const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), what);
}

async function take(it: AsyncIterator<WatchEvent>, n: number): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

test('requests reach the served transport with method, path, query, body and content type', async (t) => {
  const { fake, client } = setup(t);
  const pods = client.resource('pods');
  const created = await pods.create('default', pod('web', { app: 'web' }), { fieldManager: 'sched' });
  assert.equal(created.metadata.namespace, 'default');
  assert.ok(created.metadata.resourceVersion);
  const req = fake.requests.at(-1)!;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/api/v1/namespaces/default/pods');
  assert.equal(req.query.get('fieldManager'), 'sched');
  assert.equal(req.user?.name, 'system:kube-scheduler');
  assert.deepEqual(req.body, pod('web', { app: 'web' }));

  const patched = await pods.patch('default', 'web', { metadata: { labels: { tier: 'front' } } }, 'merge');
  assert.equal(fake.requests.at(-1)!.headers['content-type'], 'application/merge-patch+json');
  assert.deepEqual(patched.metadata.labels, { app: 'web', tier: 'front' });
  await pods.createSubresource('default', 'web', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Node', name: 'n1' } });
  const bound = (await pods.get('default', 'web')) as KubeObject & { spec: { nodeName?: string } };
  assert.equal(bound.spec.nodeName, 'n1');
  const list = await pods.list('default', { labelSelector: 'app=web' });
  assert.deepEqual(list.items.map((p) => p.metadata.name), ['web']);
});

test("a request's body is sent as it was when the request was made", async (t) => {
  const { fake, transport } = setup(t);
  const body = pod('changed-later');
  const answer = transport.request({ method: 'POST', path: '/api/v1/namespaces/default/pods', body });
  body.metadata.labels = { changed: 'after the call' };
  await answer;
  assert.deepEqual(fake.requests.at(-1)!.body, pod('changed-later'));
});

test('an ApiError comes back as an ApiError with its reason, code, message and details', async (t) => {
  const { fake, client } = setup(t);
  const pods = client.resource('pods');
  await assert.rejects(pods.get('default', 'missing'), (err: unknown) => err instanceof ApiError && err.reason === 'NotFound' && err.code === 404 && /"missing" not found/.test(err.message));
  await pods.create('default', pod('a'));
  await assert.rejects(pods.create('default', pod('a')), (err: unknown) => err instanceof ApiError && err.reason === 'AlreadyExists' && err.code === 409 && err.details?.name === 'a');
  const causes = [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }];
  fake.intercept = (req) => (req.method === 'PUT' ? { status: 422, body: new ApiError('Invalid', 'Pod "a" is invalid', { name: 'a', kind: 'Pod', causes }).toStatus() } : undefined);
  const current = await pods.get('default', 'a');
  await assert.rejects(pods.update('default', current), (err: unknown) => err instanceof ApiError && err.reason === 'Invalid' && err.code === 422 && err.message === 'Pod "a" is invalid' && JSON.stringify(err.details) === JSON.stringify({ name: 'a', kind: 'Pod', causes }));
});

test('an error that is not an ApiError keeps its name and message', async (t) => {
  const { port1, port2 } = new MessageChannel();
  const server = new PortTransportServer(port1, { request: () => Promise.reject(new TypeError('boom')), watch: () => (async function* () {})() });
  const transport = new PortTransport(port2);
  t.after(() => {
    transport.close();
    server.close();
  });
  await assert.rejects(transport.request({ method: 'GET', path: '/api/v1/pods' }), (err: unknown) => err instanceof Error && !(err instanceof ApiError) && err.name === 'TypeError' && err.message === 'boom');
});

test('watch events stream through in order until the watch is aborted', async (t) => {
  const { fake, client } = setup(t);
  const pods = client.resource('pods');
  await pods.create('default', pod('a'));
  const abort = new AbortController();
  const it = pods.watch('default', {}, abort.signal)[Symbol.asyncIterator]();
  assert.deepEqual((await take(it, 1)).map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'a']]);
  await Promise.all(['b', 'c', 'd'].map((n) => pods.create('default', pod(n))));
  await pods.delete('default', 'a');
  assert.deepEqual((await take(it, 4)).map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'b'], ['ADDED', 'c'], ['ADDED', 'd'], ['DELETED', 'a']]);
  assert.equal(fake.openWatches(), 1);
  abort.abort();
  assert.equal((await it.next()).done, true);
});

test("aborting the watch on the using side ends it on the serving side's handler", async (t) => {
  const { fake, server, client } = setup(t);
  const abort = new AbortController();
  const it = client.resource('pods').watch('default', {}, abort.signal)[Symbol.asyncIterator]();
  const first = it.next();
  await until('the watch is open on the serving side', () => fake.openWatches() === 1 && server.openWatches === 1);
  abort.abort();
  assert.equal((await first).done, true);
  await until('the watch is closed on the serving side', () => fake.openWatches() === 0 && server.openWatches === 0);
});

test('leaving a watch loop early ends the watch on the serving side', async (t) => {
  const { fake, server, client } = setup(t);
  const pods = client.resource('pods');
  await pods.create('default', pod('a'));
  for await (const e of pods.watch('default', {}, new AbortController().signal)) {
    assert.equal(e.object.metadata.name, 'a');
    break;
  }
  await until('the watch is closed on the serving side', () => fake.openWatches() === 0 && server.openWatches === 0);
});

test("the server ending a watch ends the iterator; a 410 arrives as the ERROR event or the ApiError it was", async (t) => {
  const { fake, client } = setup(t);
  const pods = client.resource('pods');
  const it = pods.watch('default', {}, new AbortController().signal)[Symbol.asyncIterator]();
  const next = it.next();
  await until('the watch is open', () => fake.openWatches() === 1);
  fake.endWatches();
  assert.equal((await next).done, true);

  await pods.create('default', pod('a'));
  await pods.create('default', pod('b'));
  fake.compact();
  const expired = await take(pods.watch('default', { resourceVersion: '1' }, new AbortController().signal)[Symbol.asyncIterator](), 2);
  assert.equal(expired.length, 1);
  assert.equal(expired[0].type, 'ERROR');
  assert.equal((expired[0].object as unknown as { code: number }).code, 410);

  fake.expiredAs = 'error';
  const failing = pods.watch('default', { resourceVersion: '1' }, new AbortController().signal)[Symbol.asyncIterator]();
  await assert.rejects(failing.next(), (err: unknown) => err instanceof ApiError && err.reason === 'Expired' && err.code === 410);
});

test('the serving side closing ends watches on the using side and fails later requests', async (t) => {
  const { fake, server, transport, client } = setup(t);
  const it = client.resource('pods').watch('default', {}, new AbortController().signal)[Symbol.asyncIterator]();
  const next = it.next();
  await until('the watch is open', () => fake.openWatches() === 1);
  server.close();
  assert.equal((await next).done, true);
  assert.equal(fake.openWatches(), 0);
  await assert.rejects(transport.request({ method: 'GET', path: '/api/v1/pods' }), (err: unknown) => err instanceof ApiError && err.reason === 'ServiceUnavailable');
});

test('the using side closing ends its watches on the serving side', async (t) => {
  const { fake, server, transport, client } = setup(t);
  const it = client.resource('pods').watch('default', {}, new AbortController().signal)[Symbol.asyncIterator]();
  const next = it.next();
  await until('the watch is open', () => fake.openWatches() === 1);
  transport.close();
  assert.equal((await next).done, true);
  await until('the watch is closed on the serving side', () => fake.openWatches() === 0 && server.openWatches === 0);
});

test('a request whose answer has not come fails with ServiceUnavailable when the serving side goes away', async (t) => {
  const { port1, port2 } = new MessageChannel();
  let seen = 0;
  const server = new PortTransportServer(port1, { request: () => (seen++, new Promise(() => {})), watch: () => (async function* () {})() });
  const transport = new PortTransport(port2);
  t.after(() => transport.close());
  const pending = transport.request({ method: 'GET', path: '/api/v1/pods', signal: new AbortController().signal });
  await until('the request reached the serving side', () => seen === 1);
  server.close();
  await assert.rejects(pending, (err: unknown) => err instanceof ApiError && err.reason === 'ServiceUnavailable');
});

test('a cancelled request aborts the signal the served transport was given', async (t) => {
  const { port1, port2 } = new MessageChannel();
  let aborted = false;
  let seen = 0;
  const server = new PortTransportServer(port1, {
    request: (req) =>
      new Promise((_, reject) => {
        seen++;
        req.signal!.addEventListener('abort', () => {
          aborted = true;
          reject(new ApiError('Timeout', 'the request was cancelled'));
        });
      }),
    watch: () => (async function* () {})(),
  });
  const transport = new PortTransport(port2);
  t.after(() => {
    transport.close();
    server.close();
  });
  const abort = new AbortController();
  const pending = transport.request({ method: 'GET', path: '/api/v1/pods', signal: abort.signal });
  await until('the request reached the serving side', () => seen === 1);
  abort.abort();
  await assert.rejects(pending, (err: unknown) => err instanceof ApiError && err.reason === 'Timeout');
  assert.ok(aborted);
  aborted = false;
  await assert.rejects(transport.request({ method: 'GET', path: '/api/v1/pods', signal: abort.signal }), (err: unknown) => err instanceof ApiError && err.reason === 'Timeout', 'a signal aborted already cancels at once');
  assert.ok(aborted);
});
