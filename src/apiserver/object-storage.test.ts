import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { objectJson, type KubeObject } from '../api/index.js';
import { MemoryStore, type StoreEvent } from '../store/index.js';
import { ObjectStorage, type WriteContext } from './object-storage.js';
import { allResources } from './resources/index.js';
import { decodeStored, WatchCache } from './watch-cache.js';

/** A memory store whose watch can be held back, so the watch cache falls behind the store on demand. */
class HeldBackStore extends MemoryStore {
  private gate: Promise<void> = Promise.resolve();
  private release = () => {};

  holdWatch(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  releaseWatch(): void {
    this.release();
  }

  override watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<StoreEvent> {
    const inner = super.watch(prefix, fromRevision, signal);
    const self = this;
    return (async function* () {
      for await (const event of inner) {
        await self.gate;
        yield event;
      }
    })();
  }
}

const context = (extra: Partial<WriteContext> = {}): WriteContext => ({ user: { name: 'admin', groups: ['system:masters'] }, dryRun: false, now: new Date(), ...extra });
const data = (object: KubeObject) => (object as { data?: Record<string, string> }).data;

describe('object storage updates', () => {
  const store = new HeldBackStore();
  const def = allResources.find((d) => d.group === '' && d.plural === 'configmaps')!;
  let cache: WatchCache;
  let storage: ObjectStorage;

  before(async () => {
    cache = new WatchCache({ store, root: '/registry/', prefixes: [`/registry/core/configmaps/`], logger: pino({ level: 'silent' }) });
    await cache.start();
    storage = new ObjectStorage(def, store, cache, async () => {});
  });
  after(() => {
    store.releaseWatch();
    cache.stop();
  });

  it('apply to the stored object when the watch cache is behind, and a pinned resourceVersion of the store is no conflict', async () => {
    await storage.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { k: 'one' } } as KubeObject, context());
    await cache.waitFresh();
    store.holdWatch();
    const key = storage.key('default', 'cm');
    const stored = (await store.get(key))!;
    const behind = await store.update(key, JSON.stringify({ ...JSON.parse(stored.value), data: { k: 'two' } }), stored.modRevision);
    assert.equal(data(storage.cached('default', 'cm')!)?.k, 'one', 'the cache is behind the store');

    const labelled = await storage.update('default', 'cm', (current) => ({ ...current, metadata: { ...current.metadata, labels: { x: 'y' } } }), context());
    assert.deepEqual(data(labelled), { k: 'two' });
    assert.deepEqual(labelled.metadata.labels, { x: 'y' });

    const pinned = await storage.update('default', 'cm', (current) => ({ ...current, metadata: { ...current.metadata, resourceVersion: labelled.metadata.resourceVersion }, data: { k: 'three' } }), context());
    assert.deepEqual(data(pinned), { k: 'three' });
    await assert.rejects(
      storage.update('default', 'cm', (current) => ({ ...current, metadata: { ...current.metadata, resourceVersion: String(behind.modRevision) }, data: { k: 'four' } }), context()),
      (error: Error & { reason?: string }) => error.reason === 'Conflict',
    );

    const unchanged = await storage.update('default', 'cm', (current) => current, context());
    assert.deepEqual(data(unchanged), { k: 'three' }, 'a no-op answers the stored object, not the cached one');
    assert.equal(unchanged.metadata.resourceVersion, pinned.metadata.resourceVersion);
    store.releaseWatch();
    await cache.waitFresh();
    assert.deepEqual(data(storage.cached('default', 'cm')!), { k: 'three' });
  });

  it('let the watch cache keep a shared update itself, with the same JSON as the stored value decoded', async () => {
    await cache.waitFresh();
    const updated = await storage.update('default', 'cm', (current) => ({ ...current, data: { k: 'shared' } }), context({ shareWritten: true }));
    await cache.waitFresh();
    const cached = storage.cache.objects.get(storage.key('default', 'cm'))!.object;
    assert.equal(cached, updated);
    assert.equal(JSON.stringify(cached), JSON.stringify(decodeStored((await store.get(storage.key('default', 'cm')))!)));
    assert.equal(objectJson(cached), JSON.stringify(cached), "the JSON watchers are sent is the object's own");

    const unshared = await storage.update('default', 'cm', (current) => ({ ...current, data: { k: 'own copy' } }), context());
    await cache.waitFresh();
    const decoded = storage.cache.objects.get(storage.key('default', 'cm'))!.object;
    assert.notEqual(decoded, unshared);
    assert.deepEqual(decoded, unshared);
  });

  it('answer 409 to a body pinned to a revision the store has passed, however many tries it takes', async () => {
    await storage.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pinned' }, data: { k: 'one' } } as KubeObject, context());
    await cache.waitFresh();
    const seen = storage.cached('default', 'pinned')!;
    store.holdWatch();
    const key = storage.key('default', 'pinned');
    const stored = (await store.get(key))!;
    await store.update(key, JSON.stringify({ ...JSON.parse(stored.value), data: { k: 'concurrent' } }), stored.modRevision);
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pinned', namespace: 'default', resourceVersion: seen.metadata.resourceVersion }, data: { k: 'mine' } } as KubeObject;
    await assert.rejects(
      storage.update('default', 'pinned', () => body, context({ shareWritten: true })),
      (error: Error & { reason?: string }) => error.reason === 'Conflict',
    );
    assert.equal(body.metadata.resourceVersion, seen.metadata.resourceVersion, "the caller's body is left as it came");
    store.releaseWatch();
    await cache.waitFresh();
    assert.deepEqual(data(storage.cached('default', 'pinned')!), { k: 'concurrent' });
  });
});

describe('object storage updates of pods and nodes', () => {
  const store = new HeldBackStore();
  const pods = allResources.find((d) => d.group === '' && d.plural === 'pods')!;
  const nodes = allResources.find((d) => d.group === '' && d.plural === 'nodes')!;
  let cache: WatchCache;
  let podStorage: ObjectStorage;
  let nodeStorage: ObjectStorage;

  before(async () => {
    cache = new WatchCache({ store, root: '/registry/', prefixes: ['/registry/core/pods/', '/registry/core/nodes/'], logger: pino({ level: 'silent' }) });
    await cache.start();
    podStorage = new ObjectStorage(pods, store, cache, async () => {});
    nodeStorage = new ObjectStorage(nodes, store, cache, async () => {});
  });
  after(() => {
    store.releaseWatch();
    cache.stop();
  });

  it('judge an update against the stored pod, not a cached copy that is behind', async () => {
    await podStorage.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } as KubeObject, context());
    await cache.waitFresh();
    store.holdWatch();
    await podStorage.update('default', 'p', (pod) => ({ ...pod, spec: { ...(pod.spec as object), nodeName: 'node-a' } }), context(), 'binding');
    assert.equal((podStorage.cached('default', 'p')!.spec as { nodeName?: string }).nodeName, undefined, 'the cache is behind the store');
    const current = await podStorage.get('default', 'p');
    assert.equal(current.metadata.generation, 1, 'a binding leaves the generation alone, as upstream\'s BindingREST');
    const labelled = await podStorage.update('default', 'p', () => ({ ...current, metadata: { ...current.metadata, resourceVersion: undefined, labels: { app: 'x' } } }) as KubeObject, context({ shareWritten: true }));
    assert.equal((labelled.spec as { nodeName?: string }).nodeName, 'node-a');
    assert.deepEqual(labelled.metadata.labels, { app: 'x' });
    store.releaseWatch();
    await cache.waitFresh();
  });

  it('leave a cached object as it was when a later update defaults its status', async () => {
    await nodeStorage.create('', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } } as KubeObject, context());
    await nodeStorage.update('', 'n', (node) => ({ ...node, status: { capacity: { cpu: '2' } } }), context(), 'status');
    await cache.waitFresh();
    const before = nodeStorage.cached('', 'n')!;
    const json = JSON.stringify(before);
    await nodeStorage.update('', 'n', (node) => ({ ...node, metadata: { ...node.metadata, labels: { zone: 'a' } } }), context({ shareWritten: true }));
    await cache.waitFresh();
    assert.equal(JSON.stringify(before), json);
    assert.deepEqual(nodeStorage.cached('', 'n')!.metadata.labels, { zone: 'a' });
  });
});
