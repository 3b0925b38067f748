import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { KubeObject, WatchEvent } from '../api/index.js';
import { MemoryStore, type Store, type StoreEvent } from '../store/index.js';
import { historyMaxBytes, ResourceCache, WatchCache } from './watch-cache.js';
import { UnresponsiveWatcherError, type WatcherQueue } from './watcher-queue.js';

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

  it('ends the watch of a watcher that stops taking events once it stays over its bounds, and keeps feeding the others', async () => {
    const store = new MemoryStore();
    const prefix = '/registry/core/configmaps/';
    const watcherBounds = { maxBytes: 20_000, graceMs: 50, hardMaxBytes: 1 << 30, maxEvents: 1_000_000 };
    const cache = new WatchCache({ store, root: '/registry/', prefixes: [prefix], logger: pino({ level: 'silent' }), watcherBounds });
    await cache.start();
    const controller = new AbortController();
    try {
      const watch = () =>
        cache.cache(prefix).watch({ resourceVersion: '0', keyPrefix: prefix, filter: () => true, bookmarks: false, signal: controller.signal }, cache.currentRevision);
      const stalled = watch() as WatcherQueue;
      const reader = watch()[Symbol.asyncIterator]();
      const big = 'x'.repeat(2_000);
      const write = async (name: string) => {
        const kv = await store.create(`${prefix}default/${name}`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { big } }));
        await cache.waitFor(kv.modRevision, undefined, 5000);
      };
      const names = (events: WatchEvent[]) => events.map((e) => e.object.metadata.name);
      const read = async (n: number) => {
        const out: WatchEvent[] = [];
        while (out.length < n) out.push((await reader.next()).value as WatchEvent);
        return out;
      };
      for (let i = 0; i < 20; i++) await write(`cm-${i}`);
      assert.deepEqual(names(await read(20)), Array.from({ length: 20 }, (_, i) => `cm-${i}`));
      const ended = await stalled.ended;
      assert.ok(ended instanceof UnresponsiveWatcherError);
      assert.equal(ended.resource, prefix);
      assert.equal(stalled.queuedBytes, 0, 'what it held is dropped');
      await assert.rejects(stalled[Symbol.asyncIterator]().next(), UnresponsiveWatcherError);
      assert.equal(cache.cache(prefix).watcherCount, 1);
      await write('after');
      assert.deepEqual(names(await read(1)), ['after']);
    } finally {
      controller.abort();
      cache.stop();
    }
  });

  it('keeps a watcher that is only momentarily behind (a burst of 1,000 small events)', async () => {
    const store = new MemoryStore();
    const prefix = '/registry/core/configmaps/';
    const cache = new WatchCache({ store, root: '/registry/', prefixes: [prefix], logger: pino({ level: 'silent' }) });
    await cache.start();
    const controller = new AbortController();
    try {
      const events = cache.cache(prefix).watch({ resourceVersion: '0', keyPrefix: prefix, filter: () => true, bookmarks: false, signal: controller.signal }, cache.currentRevision);
      let last = 0;
      for (let i = 0; i < 1000; i++) {
        const name = `cm-${i}`;
        last = (await store.create(`${prefix}default/${name}`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { k: 'v'.repeat(1000) } }))).modRevision;
      }
      await cache.waitFor(last, undefined, 5000);
      const seen: string[] = [];
      for await (const event of events) {
        seen.push(event.object.metadata.name!);
        if (seen.length === 1000) break;
      }
      assert.equal(seen.length, 1000);
      assert.equal(seen[999], 'cm-999');
    } finally {
      controller.abort();
      cache.stop();
    }
  });

  it('keeps a history of large objects within its byte bound (but at least 100 events); older watches get Expired', () => {
    const prefix = '/registry/core/configmaps/';
    const cache = new ResourceCache(prefix, 1, 10_000);
    const value = 'x'.repeat(256 * 1024);
    const events = Math.ceil(historyMaxBytes / value.length) + 150;
    for (let i = 0; i < events; i++) {
      const name = `cm-${i}`;
      const written: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } };
      cache.apply({ type: 'create', kv: { key: `${prefix}default/${name}`, value, createRevision: i + 2, modRevision: i + 2 } }, written);
    }
    const last = events + 1;
    const kept = last - cache.oldestWatchable;
    assert.ok(kept >= 100 && kept * value.length <= historyMaxBytes, `kept ${kept} events`);
    assert.ok(kept * value.length > historyMaxBytes - value.length, `kept ${kept} events`);
    const controller = new AbortController();
    const watch = (rv: number) => cache.watch({ resourceVersion: String(rv), keyPrefix: prefix, filter: () => true, bookmarks: false, signal: controller.signal }, last);
    assert.throws(() => watch(2), (err: Error & { reason?: string }) => err.reason === 'Expired');
    watch(cache.oldestWatchable);
    controller.abort();
  });
});
