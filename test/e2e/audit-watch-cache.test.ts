import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { ApiRequest, KubeObject, WatchEvent } from '../../src/api/index.js';
import { ApiServer, allResources } from '../../src/apiserver/index.js';
import { MemoryStore, type StoreEvent } from '../../src/store/index.js';

/**
 * The watch cache through the real ApiServer pipeline (in process): one store watch feeds every
 * watcher, bookmarks reach watchers that asked for them, `timeoutSeconds` ends a watch, and a
 * resourceVersion older than the cache's window answers 410 Expired in upstream's words.
 */
class CountingStore extends MemoryStore {
  watchCalls = 0;

  override watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<StoreEvent> {
    this.watchCalls++;
    return super.watch(prefix, fromRevision, signal);
  }
}

const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };

function request(method: ApiRequest['method'], path: string, body?: unknown, signal = new AbortController().signal): ApiRequest {
  const url = new URL(path, 'https://x');
  return { method, path: url.pathname, query: url.searchParams, headers: {}, body, user: admin, signal };
}

async function firstEvent(events: AsyncIterable<WatchEvent>, wanted: (e: WatchEvent) => boolean): Promise<WatchEvent> {
  for await (const event of events) if (wanted(event)) return event;
  throw new Error('the watch ended before the event came');
}

describe('watch cache through ApiServer', () => {
  const store = new CountingStore();
  let api: ApiServer;
  const stop = new AbortController();
  // the thousand watches below all end with this one signal, as a component's informers share theirs
  setMaxListeners(0, stop.signal);
  // the server's own timers are unref'd (an HTTPS server keeps a real process alive); this one stands in for it
  const keepAlive = setInterval(() => {}, 1000);

  before(async () => {
    api = new ApiServer({ store, resources: allResources, logger: pino({ level: 'silent' }), bookmarkIntervalMs: 100, watchHistoryLimit: 20 });
    await api.start();
  });
  after(() => {
    clearInterval(keepAlive);
    stop.abort();
    api.stop();
  });

  it('a thousand watchers cost one store watch, and each sees the write', { timeout: 30_000 }, async () => {
    const streams: AsyncIterable<WatchEvent>[] = [];
    for (let i = 0; i < 1000; i++) {
      const path = i % 2 ? '/api/v1/namespaces/default/configmaps?watch=true' : '/api/v1/configmaps?watch=true&labelSelector=fan%3Dout';
      const res = await api.handle(request('GET', path, undefined, stop.signal));
      assert.equal(res.status, 200);
      streams.push(res.watch!);
    }
    const created = await api.handle(request('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'fan', labels: { fan: 'out' } } }));
    assert.equal(created.status, 201);
    const seen = await Promise.all(streams.map((s) => firstEvent(s, (e) => e.type === 'ADDED' && e.object.metadata.name === 'fan')));
    assert.equal(seen.length, 1000);
    assert.equal(store.watchCalls, 1, `the store saw ${store.watchCalls} watches`);
  });

  it('allowWatchBookmarks=true gets a BOOKMARK with the current resourceVersion; without it none comes', { timeout: 10_000 }, async () => {
    const list = (await api.handle(request('GET', '/api/v1/namespaces/default/pods'))).body as { metadata: { resourceVersion: string } };
    const abort = new AbortController();
    const withBookmarks = await api.handle(request('GET', `/api/v1/namespaces/default/pods?watch=true&allowWatchBookmarks=true&resourceVersion=${list.metadata.resourceVersion}`, undefined, abort.signal));
    const without = await api.handle(request('GET', `/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1&resourceVersion=${list.metadata.resourceVersion}`));
    const other = (await api.handle(request('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'moves-the-revision' } }))).body as KubeObject;
    const bookmark = await firstEvent(withBookmarks.watch!, (e) => e.type === 'BOOKMARK');
    abort.abort();
    assert.deepEqual(bookmark.object, { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: bookmark.object.metadata.resourceVersion } });
    assert.ok(Number(bookmark.object.metadata.resourceVersion) >= Number(other.metadata.resourceVersion));
    const plain: WatchEvent[] = [];
    for await (const e of without.watch!) plain.push(e);
    assert.deepEqual(plain, []);
  });

  it('timeoutSeconds ends a watch that sees nothing', { timeout: 10_000 }, async () => {
    const res = await api.handle(request('GET', '/api/v1/namespaces/kube-public/secrets?watch=true&timeoutSeconds=1'));
    const events: WatchEvent[] = [];
    for await (const e of res.watch!) events.push(e);
    assert.deepEqual(events, []);
  });

  it('a resourceVersion older than the window answers ERROR 410 Expired "too old resource version"', async () => {
    const start = (await api.handle(request('GET', '/api/v1/namespaces/default/configmaps'))).body as { metadata: { resourceVersion: string } };
    for (let i = 0; i < 30; i++) await api.handle(request('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `churn-${i}` } }));
    const res = await api.handle(request('GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${start.metadata.resourceVersion}`));
    const events: WatchEvent[] = [];
    for await (const e of res.watch!) events.push(e);
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'ERROR');
    const status = events[0].object as unknown as { kind: string; code: number; reason: string; message: string };
    assert.equal(status.kind, 'Status');
    assert.equal(status.code, 410);
    assert.equal(status.reason, 'Expired');
    assert.match(status.message, new RegExp(`^too old resource version: ${start.metadata.resourceVersion} \\(\\d+\\)$`));
  });
});
