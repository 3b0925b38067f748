import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { KubeObject } from '../api/index.js';
import { MemoryStore, type Store, type StoreEvent } from '../store/index.js';
import { WatchCache } from './watch-cache.js';

/** A store whose first watch ends by itself after one event, as an etcd watch can. */
function flakyWatchStore(inner: Store): Store & { watches: number } {
  const wrapper = Object.create(inner) as Store & { watches: number };
  wrapper.watches = 0;
  wrapper.watch = (prefix, from, signal) => {
    const n = ++wrapper.watches;
    const source = inner.watch(prefix, from, signal);
    if (n > 1) return source;
    return (async function* (): AsyncIterable<StoreEvent> {
      for await (const event of source) {
        yield event;
        return;
      }
    })();
  };
  return wrapper;
}

describe('watch cache', () => {
  it('follows the store again when the store ends its watch', async () => {
    const store = flakyWatchStore(new MemoryStore());
    const prefix = '/registry/core/configmaps/';
    const cache = new WatchCache({ store, root: '/registry/', prefixes: [prefix], logger: pino({ level: 'silent' }) });
    await cache.start();
    const json = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });
    await store.create(`${prefix}default/a`, json('a'));
    const last = await store.create(`${prefix}default/b`, json('b'));
    await cache.waitFor(last.modRevision, undefined, 5000);
    assert.deepEqual([...cache.cache(prefix).objects.keys()].sort(), [`${prefix}default/a`, `${prefix}default/b`]);
    assert.ok(store.watches >= 2);
    cache.stop();
  });

  it('keeps a created object it was told about only when the stored value is its encoding', async () => {
    const store = new MemoryStore();
    const prefix = '/registry/core/configmaps/';
    const cache = new WatchCache({ store, root: '/registry/', prefixes: [prefix], logger: pino({ level: 'silent' }) });
    await cache.start();
    try {
      const object = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { k: 'v' } });
      const told = object('told');
      const toldValue = JSON.stringify(told);
      cache.expectWrite(`${prefix}default/told`, toldValue, told);
      const first = await store.create(`${prefix}default/told`, toldValue);
      const other = object('other');
      cache.expectWrite(`${prefix}default/other`, JSON.stringify(other), other);
      const second = await store.create(`${prefix}default/other`, JSON.stringify({ ...other, data: { k: 'changed' } }));
      await cache.waitFor(second.modRevision, undefined, 5000);
      const objects = cache.cache(prefix).objects;
      const kept = objects.get(`${prefix}default/told`)!.object;
      assert.equal(kept, told);
      assert.equal(kept.metadata.resourceVersion, String(first.modRevision));
      assert.equal(JSON.stringify(kept), JSON.stringify({ ...object('told'), metadata: { ...object('told').metadata, resourceVersion: String(first.modRevision) } }));
      const decoded = objects.get(`${prefix}default/other`)!.object;
      assert.notEqual(decoded, other);
      assert.deepEqual(decoded.data, { k: 'changed' });
    } finally {
      cache.stop();
    }
  });
});
