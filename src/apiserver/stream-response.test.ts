import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { pino } from 'pino';
import type { WatchEvent } from '../api/index.js';
import { streamResponse } from './stream-response.js';
import { ResourceCache } from './watch-cache.js';
import { WatcherQueue, defaultWatcherBounds, type UnresponsiveWatcherError } from './watcher-queue.js';

/** A response whose client takes a write only when told: `write` answers false, `drain` follows when `reads` is on. */
class SlowResponse extends EventEmitter {
  writableEnded = false;
  writableFinished = false;
  destroyed = false;
  writes = 0;
  reads = true;
  writeHead(): void {}
  flushHeaders(): void {}
  cork(): void {}
  uncork(): void {}
  write(): boolean {
    this.writes++;
    if (this.reads) setImmediate(() => this.emit('drain'));
    return false;
  }
  end(): void {
    this.writableEnded = true;
    if (this.reads) this.writableFinished = true;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

/** A promise that counts the reactions added to it (its derived promises are plain ones). */
class CountingPromise<T> extends Promise<T> {
  static reactions = 0;
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }
  override then<A = T, B = never>(onFulfilled?: ((value: T) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    CountingPromise.reactions++;
    return super.then(onFulfilled, onRejected);
  }
}

const silent = pino({ level: 'silent' });
const event: WatchEvent = { type: 'MODIFIED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } };
const tick = () => new Promise((resolve) => setImmediate(resolve));

test('a watch waiting for its client again and again adds no reaction per wait on its end (memory stays flat for the life of the watch)', async () => {
  const queue = new WatcherQueue('/registry/core/configmaps/', defaultWatcherBounds);
  const ended = new CountingPromise<UnresponsiveWatcherError | undefined>((resolve) => void queue.ended.then(resolve));
  CountingPromise.reactions = 0;
  const source = { [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](), ended };
  const res = new SlowResponse();
  const streaming = streamResponse(res, { status: 200 }, { source, encode: (e) => JSON.stringify(e), defaultType: 'application/json', signal: new AbortController().signal, log: silent, client: () => ({}) });
  for (let i = 0; i < 500; i++) {
    queue.push(event, 10);
    await tick();
    await tick();
  }
  assert.ok(res.writes >= 500, `${res.writes} writes`);
  assert.ok(CountingPromise.reactions <= 2, `${CountingPromise.reactions} reactions on the watch's end after ${res.writes} waits`);
  queue.close();
  await streaming;
  assert.equal(res.writableEnded, true);
});

test('a watch that ends as usual while its client reads nothing is reset after the grace, not kept open for good', async () => {
  const queue = new WatcherQueue('/registry/core/configmaps/', defaultWatcherBounds);
  for (let i = 0; i < 5; i++) queue.push(event, 1024 * 1024);
  const res = new SlowResponse();
  res.reads = false;
  const streaming = streamResponse(res, { status: 200 }, { source: queue, encode: (e) => JSON.stringify(e), defaultType: 'application/json', signal: new AbortController().signal, log: silent, client: () => ({}), graceMs: 100 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  queue.close(); // timeoutSeconds, or the cache reloading
  await streaming;
  assert.equal(res.destroyed, true);
});

test('a watch that starts with more objects than a watcher may queue live events is served, and leaves no watcher behind', async () => {
  const cache = new ResourceCache('/registry/core/pods/', 1, 100, { ...defaultWatcherBounds, maxEvents: 10 });
  for (let i = 0; i < 50; i++) cache.load({ key: `/registry/core/pods/ns/p${String(i).padStart(3, '0')}`, createRevision: i + 2, modRevision: i + 2, value: JSON.stringify({ metadata: { name: `p${i}`, namespace: 'ns' } }) });
  const abort = new AbortController();
  const watch = cache.watch({ resourceVersion: '0', keyPrefix: '/registry/core/pods/', filter: () => true, bookmarks: false, signal: abort.signal }, 52);
  const names: string[] = [];
  const iterator = watch[Symbol.asyncIterator]();
  for (let i = 0; i < 50; i++) names.push((await iterator.next()).value!.object.metadata.name!);
  assert.equal(names.length, 50);
  assert.equal(cache.watcherCount, 1);
  abort.abort();
  assert.equal(cache.watcherCount, 0);
});
