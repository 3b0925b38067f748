import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock, settle } from './clock.js';
import { BucketRateLimiter, defaultControllerRateLimiter, ItemExponentialFailureRateLimiter } from './rate-limiter.js';
import { WorkQueue } from './work-queue.js';

test('a key added while queued is queued once', async () => {
  const queue = new WorkQueue({ clock: new FakeClock() });
  queue.add('a');
  queue.add('b');
  queue.add('a');
  assert.equal(queue.len(), 2);
  assert.equal(await queue.get(), 'a');
  assert.equal(await queue.get(), 'b');
  assert.equal(queue.len(), 0);
});

test('a key added while being processed is handed out again only after done', async () => {
  const queue = new WorkQueue({ clock: new FakeClock() });
  queue.add('a');
  const first = await queue.get();
  assert.equal(first, 'a');
  queue.add('a');
  queue.add('a');
  assert.equal(queue.len(), 0, 'not handed to a second worker while in progress');
  let second: string | undefined;
  void queue.get().then((k) => (second = k));
  await settle();
  assert.equal(second, undefined);
  queue.done('a');
  await settle();
  assert.equal(second, 'a');
  queue.done('a');
  assert.equal(queue.len(), 0);
});

test('a waiting get wakes on add; shutdown wakes it with undefined after draining', async () => {
  const queue = new WorkQueue({ clock: new FakeClock() });
  const waiting = queue.get();
  queue.add('x');
  assert.equal(await waiting, 'x');
  queue.add('y');
  const idle = queue.get().then(() => queue.get());
  queue.shutDown();
  assert.equal(await idle, undefined);
  queue.add('z');
  assert.equal(queue.len(), 0, 'no adds after shutdown');
});

test('aborting the signal shuts the queue down', async () => {
  const controller = new AbortController();
  const queue = new WorkQueue({ clock: new FakeClock(), signal: controller.signal });
  const waiting = queue.get();
  controller.abort();
  assert.equal(await waiting, undefined);
  assert.equal(queue.isShuttingDown(), true);
});

test('addAfter queues once the delay has passed on the clock; the earlier time wins', async () => {
  const clock = new FakeClock();
  const queue = new WorkQueue({ clock });
  queue.addAfter('a', 1000);
  queue.addAfter('a', 300);
  queue.addAfter('a', 5000);
  await clock.advance(299);
  assert.equal(queue.len(), 0);
  await clock.advance(1);
  assert.equal(queue.len(), 1);
  assert.equal(await queue.get(), 'a');
  queue.done('a');
  await clock.advance(10_000);
  assert.equal(queue.len(), 0, 'the later timers were replaced, not kept');
});

test('addRateLimited backs off exponentially per item until forget', async () => {
  const clock = new FakeClock();
  const queue = new WorkQueue({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1_000_000) });
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    const start = clock.now();
    queue.addRateLimited('k');
    while (queue.len() === 0) await clock.advance(1);
    delays.push(clock.now() - start);
    const k = (await queue.get())!;
    queue.done(k);
  }
  assert.deepEqual(delays, [5, 10, 20, 40]);
  assert.equal(queue.numRequeues('k'), 4);
  queue.forget('k');
  assert.equal(queue.numRequeues('k'), 0);
  queue.addRateLimited('k');
  await clock.advance(5);
  assert.equal(queue.len(), 1);
});

test('the exponential limiter caps at its maximum; the bucket allows a burst then spaces items out', () => {
  const exp = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
  let last = 0;
  for (let i = 0; i < 40; i++) last = exp.when('x');
  assert.equal(last, 1_000_000);
  assert.equal(exp.when('y'), 5, 'items back off independently');

  const clock = new FakeClock();
  const bucket = new BucketRateLimiter<string>(10, 3, clock);
  assert.deepEqual([bucket.when('a'), bucket.when('b'), bucket.when('c')], [0, 0, 0]);
  assert.equal(bucket.when('d'), 100);
  assert.equal(bucket.when('e'), 200);

  const def = defaultControllerRateLimiter<string>(clock);
  assert.equal(def.when('first'), 5);
  assert.equal(def.when('first'), 10);
  assert.throws(() => new ItemExponentialFailureRateLimiter(0, 10));
});
