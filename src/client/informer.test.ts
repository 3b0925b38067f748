import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../api/index.js';
import { Client } from './client.js';
import { FakeClock, settle } from './clock.js';
import { InProcessTransport } from './in-process-transport.js';
import { Indexes } from './indexed-store.js';
import { SharedInformerFactory } from './informer-factory.js';
import { Informer, trimManagedFields } from './informer.js';
import { FakeApiHandler } from './testing/index.js';

const podsPath = (ns: string) => `/api/v1/namespaces/${ns}/pods`;

function pod(ns: string, name: string, extra: { node?: string; owner?: string; labels?: Record<string, string>; phase?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      labels: extra.labels ?? {},
      ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: extra.owner, controller: true }] } : {}),
    },
    spec: extra.node ? { nodeName: extra.node } : {},
    status: { phase: extra.phase ?? 'Pending' },
  };
}

function setup() {
  const fake = new FakeApiHandler();
  const client = new Client(new InProcessTransport(fake.handler, { name: 'test', groups: [] }));
  const clock = new FakeClock();
  const controller = new AbortController();
  const log: string[] = [];
  const informer = new Informer(client.resource('pods'), { clock, pageSize: 2 });
  informer.addEventHandler({
    onAdd: (o) => log.push(`add ${o.metadata.name}`),
    onUpdate: (old, o) => log.push(`update ${o.metadata.name} ${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}`),
  });
  return { fake, client, clock, controller, log, informer };
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (check()) return;
    await settle();
  }
  assert.fail(`timed out waiting for ${what}`);
}

const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name).sort();
const listRequests = (fake: FakeApiHandler) => fake.requests.filter((r) => r.method === 'GET' && r.query.get('watch') !== 'true');
const watchRequests = (fake: FakeApiHandler) => fake.requests.filter((r) => r.query.get('watch') === 'true');

test('lists in pages, syncs, then follows the watch; indexes answer by namespace, node, owner and label', async (t) => {
  const { fake, client, controller, log, informer } = setup();
  t.after(() => controller.abort());
  fake.put(podsPath('a'), pod('a', 'p1', { node: 'n1', owner: 'rs-1', labels: { app: 'web' } }));
  fake.put(podsPath('a'), pod('a', 'p2', { node: 'n2', owner: 'rs-1', labels: { app: 'web' } }));
  fake.put(podsPath('b'), pod('b', 'p3', { node: 'n1', labels: { app: 'db' } }));
  informer.addIndexer('phase', (o) => [String((o.status as { phase?: string }).phase)]);

  assert.equal(informer.hasSynced(), false);
  informer.start(controller.signal);
  assert.equal(await informer.waitForSync(controller.signal), true);
  assert.equal(informer.hasSynced(), true);
  assert.equal(listRequests(fake).length, 2, 'two pages of two');
  assert.deepEqual(log.sort(), ['add p1', 'add p2', 'add p3']);

  const { store } = informer;
  assert.deepEqual(names(store.byIndex(Indexes.namespace, 'a')), ['p1', 'p2']);
  assert.deepEqual(names(store.byIndex(Indexes.nodeName, 'n1')), ['p1', 'p3']);
  assert.deepEqual(names(store.byIndex(Indexes.owner, 'rs-1')), ['p1', 'p2']);
  assert.deepEqual(names(store.byIndex(Indexes.label, 'app=web')), ['p1', 'p2']);
  assert.deepEqual(names(store.byIndex('phase', 'Pending')), ['p1', 'p2', 'p3']);

  await eventually(() => fake.openWatches() === 1, 'the watch');
  const watch = watchRequests(fake)[0]!;
  assert.equal(watch.query.get('resourceVersion'), '3');
  assert.equal(watch.query.get('allowWatchBookmarks'), 'true');

  log.length = 0;
  const pods = client.resource('pods');
  const p2 = await pods.get('a', 'p2');
  await pods.update('a', { ...p2, spec: { nodeName: 'n1' }, status: { phase: 'Running' } });
  await pods.create('b', pod('b', 'p4', { node: 'n2' }));
  await pods.delete('b', 'p3');
  await eventually(() => log.length === 3, 'three events');
  assert.deepEqual(log, ['update p2 2->4', 'add p4', 'delete p3']);
  assert.deepEqual(names(store.byIndex(Indexes.nodeName, 'n1')), ['p1', 'p2']);
  assert.deepEqual(names(store.byIndex(Indexes.nodeName, 'n2')), ['p4']);
  assert.deepEqual(names(store.byIndex('phase', 'Running')), ['p2']);
  assert.equal(store.getByName('b', 'p3'), undefined);
  assert.equal(informer.lastSyncResourceVersion(), '6');

  fake.sendBookmarks();
  await pods.create('a', pod('a', 'p5'));
  await eventually(() => informer.lastSyncResourceVersion() === '7', 'resourceVersion 7');
});

test('when a watch ends it re-watches from the last resourceVersion seen, without relisting', async (t) => {
  const { fake, client, controller, log, informer } = setup();
  t.after(() => controller.abort());
  fake.put(podsPath('a'), pod('a', 'p1'));
  informer.start(controller.signal);
  await informer.waitForSync();
  const pods = client.resource('pods');
  await pods.create('a', pod('a', 'p2'));
  await eventually(() => log.includes('add p2'), 'p2');

  fake.endWatches();
  await pods.create('a', pod('a', 'p3'));
  await eventually(() => log.includes('add p3'), 'p3 after the watch ended');
  assert.equal(listRequests(fake).length, 1);
  const watches = watchRequests(fake);
  assert.equal(watches.length, 2);
  assert.equal(watches[1]!.query.get('resourceVersion'), '2');
  assert.deepEqual(log, ['add p1', 'add p2', 'add p3']);
});

for (const expiredAs of ['event', 'error'] as const) {
  test(`on 410 Expired (${expiredAs}) it relists and reports only what changed while away`, async (t) => {
    const { fake, clock, controller, log, informer } = setup();
    t.after(() => controller.abort());
    fake.expiredAs = expiredAs;
    for (const name of ['a', 'b', 'c']) fake.put(podsPath('ns'), pod('ns', name));
    informer.start(controller.signal);
    await informer.waitForSync();
    await eventually(() => fake.openWatches() === 1, 'the watch');
    log.length = 0;

    fake.endWatches();
    fake.put(podsPath('ns'), { ...fake.read(`${podsPath('ns')}/b`)!, status: { phase: 'Running' } });
    fake.remove(`${podsPath('ns')}/c`);
    fake.put(podsPath('ns'), pod('ns', 'd'));
    fake.compact();
    await clock.advance(1000);

    await eventually(() => log.length === 3, 'the differences');
    assert.deepEqual(log.sort(), ['add d', 'delete c', 'update b 2->4']);
    assert.equal(listRequests(fake).filter((r) => !r.query.has('continue')).length, 2, 'one relist');
    assert.deepEqual(names(informer.store.list()), ['a', 'b', 'd']);
    await eventually(() => fake.openWatches() === 1, 'a new watch');
    assert.equal(watchRequests(fake).at(-1)!.query.get('resourceVersion'), '6');
  });
}

test('a failed list is retried after a back-off on the clock', async (t) => {
  const { fake, clock, controller, informer } = setup();
  t.after(() => controller.abort());
  fake.put(podsPath('a'), pod('a', 'p1'));
  let failures = 2;
  fake.intercept = () => (failures-- > 0 ? { status: 500, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'InternalError', message: 'boom', code: 500 } } : undefined);
  informer.start(controller.signal);
  await settle();
  assert.equal(informer.hasSynced(), false);
  await clock.advance(800);
  assert.equal(informer.hasSynced(), false, 'the second attempt fails too');
  await clock.advance(1600);
  assert.equal(informer.hasSynced(), true);
  assert.deepEqual(names(informer.store.list()), ['p1']);
});

test('handlers added after sync are told about every cached object; abort closes the watch', async () => {
  const { fake, controller, informer } = setup();
  fake.put(podsPath('a'), pod('a', 'p1'));
  fake.put(podsPath('a'), pod('a', 'p2'));
  informer.start(controller.signal);
  await informer.waitForSync();
  const late: string[] = [];
  informer.addEventHandler({ onAdd: (o) => late.push(o.metadata.name!) });
  assert.deepEqual(late.sort(), ['p1', 'p2']);
  await eventually(() => fake.openWatches() === 1, 'the watch');
  controller.abort();
  await eventually(() => fake.openWatches() === 0, 'the watch to close');
});

test('the shared factory hands out one informer per resource and selection', async (t) => {
  const fake = new FakeApiHandler();
  const client = new Client(new InProcessTransport(fake.handler, { name: 'test', groups: [] }));
  const controller = new AbortController();
  t.after(() => controller.abort());
  fake.put(podsPath('a'), pod('a', 'p1', { node: 'n1' }));
  fake.put(podsPath('a'), pod('a', 'p2', { node: 'n2' }));
  const factory = new SharedInformerFactory(client, { clock: new FakeClock() });
  const all = factory.informerFor('pods');
  assert.equal(factory.informerFor('pods'), all);
  const onN1 = factory.informerFor('pods', { fieldSelector: 'spec.nodeName=n1' });
  assert.notEqual(onN1, all);
  factory.start(controller.signal);
  assert.equal(await factory.waitForSync(controller.signal), true);
  assert.deepEqual(names(all.store.list()), ['p1', 'p2']);
  assert.deepEqual(names(onN1.store.list()), ['p1']);
  const nodes = factory.informerFor('nodes');
  assert.equal(await nodes.waitForSync(controller.signal), true, 'informers created after start are started');
});

test('a transform such as trimManagedFields changes what is cached and handed to handlers, never the objects the server handed over', async (t) => {
  const fake = new FakeApiHandler();
  const client = new Client(new InProcessTransport(fake.handler, { name: 'test', groups: [] }));
  const controller = new AbortController();
  t.after(() => controller.abort());
  const managed = (name: string) => ({ ...pod('a', name), metadata: { ...pod('a', name).metadata, managedFields: [{ manager: 'kubectl', operation: 'Update' }] } });
  const listed = fake.put(podsPath('a'), managed('listed'));
  const informer = new Informer(client.resource('pods'), { transform: trimManagedFields });
  const seen: KubeObject[] = [];
  informer.addEventHandler({ onAdd: (o) => seen.push(o), onUpdate: (_old, o) => seen.push(o) });
  informer.start(controller.signal);
  await informer.waitForSync(controller.signal);
  await eventually(() => fake.openWatches() === 1, 'the watch');
  const watched = fake.put(podsPath('a'), managed('watched'));
  await eventually(() => seen.length === 2, 'two objects');

  assert.deepEqual(seen.map((o) => [o.metadata.name, o.metadata.managedFields]), [['listed', undefined], ['watched', undefined]]);
  assert.equal(informer.store.getByName('a', 'watched')?.metadata.managedFields, undefined);
  assert.equal(informer.store.getByName('a', 'watched')?.metadata.namespace, 'a', 'the rest of the metadata is kept');
  assert.equal(listed.metadata.managedFields?.length, 1, "the server's objects are unchanged");
  assert.equal(watched.metadata.managedFields?.length, 1);
});
