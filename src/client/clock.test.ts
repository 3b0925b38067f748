import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock, sleep } from './clock.js';

test('the fake clock fires timers in due order, including ones set by earlier timers', async () => {
  const clock = new FakeClock(0);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`b@${clock.now()}`), 200);
  clock.setTimeout(() => {
    fired.push(`a@${clock.now()}`);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 50);
  }, 100);
  const cancelled = clock.setTimeout(() => fired.push('never'), 120);
  clock.clearTimeout(cancelled);
  await clock.advance(149);
  assert.deepEqual(fired, ['a@100']);
  await clock.advance(100);
  assert.deepEqual(fired, ['a@100', 'c@150', 'b@200']);
  assert.equal(clock.now(), 249);
  assert.equal(clock.pendingTimers(), 0);
});

test('sleep resolves true after the delay, false at once when aborted', async () => {
  const clock = new FakeClock();
  const done = sleep(clock, 1000);
  await clock.advance(1000);
  assert.equal(await done, true);

  const controller = new AbortController();
  const interrupted = sleep(clock, 1000, controller.signal);
  controller.abort();
  assert.equal(await interrupted, false);
  assert.equal(clock.pendingTimers(), 0);
});
