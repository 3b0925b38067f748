import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../client/index.js';
import { ActionType, defaultProfile, Framework, Snapshot, type QueuedPodInfo } from '../framework/index.js';
import { inTreeRegistry } from '../plugins/index.js';
import { silentLogger } from '../../client/index.js';
import { makePod } from '../testing.js';
import { Nominator } from './nominator.js';
import { SchedulingQueue } from './scheduling-queue.js';

function newQueue(clock: FakeClock): SchedulingQueue {
  const registry = inTreeRegistry();
  const fwk = new Framework(defaultProfile(undefined, registry), registry, { logger: silentLogger(), clock, snapshot: () => new Snapshot(), nominator: new Nominator() });
  return new SchedulingQueue({ less: (a, b) => fwk.queueSort.less(a, b), preEnqueue: (p) => fwk.runPreEnqueuePlugins(p), eventsByPlugin: fwk.eventsToRegister(), clock });
}

function failWith(q: SchedulingQueue, popped: QueuedPodInfo, plugin?: string): void {
  if (plugin) popped.unschedulablePlugins = new Set([plugin]);
  q.addUnschedulableIfNotPresent(popped, q.schedulingCycle());
}

test('activeQ pops by priority, then by arrival', async () => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  q.add(makePod('low', { spec: { priority: 1 } }));
  await clock.advance(10);
  q.add(makePod('high', { spec: { priority: 100 } }));
  await clock.advance(10);
  q.add(makePod('low2', { spec: { priority: 1 } }));
  const order = [q.tryPop(), q.tryPop(), q.tryPop()].map((p) => p?.podInfo.pod.metadata.name);
  assert.deepEqual(order, ['high', 'low', 'low2']);
});

test('a failed pod backs off 1 s, then 2 s, … up to 10 s', async () => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  q.run(new AbortController().signal);
  q.add(makePod('p'));
  const waits: number[] = [];
  for (let attempt = 1; attempt <= 6; attempt++) {
    const popped = q.tryPop()!;
    assert.equal(popped.attempts, attempt);
    failWith(q, popped);
    assert.deepEqual(q.pendingPods(), { active: 0, backoff: 1, unschedulable: 0, gated: 0 });
    let waited = 0;
    while (q.pendingPods().active === 0) {
      await clock.advance(1000);
      waited += 1000;
    }
    waits.push(waited);
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 10000, 10000]);
  q.close();
});

test('an unschedulable pod waits for an event its plugin registered for', async () => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  q.add(makePod('p', { cpu: '100' }));
  failWith(q, q.tryPop()!, 'NodeResourcesFit');
  assert.equal(q.pendingPods().unschedulable, 1);
  q.moveAllToActiveOrBackoffQueue({ resource: 'Node', actionType: ActionType.UpdateNodeLabel }, {}, {});
  assert.equal(q.pendingPods().unschedulable, 0, 'a label change may help NodeResourcesFit (it registered UpdateNodeLabel)');
  assert.equal(q.pendingPods().backoff, 1, 'still backing off after its first attempt');
  await clock.advance(1000);
  q.flushBackoffQCompleted();
  const again = q.tryPop()!;
  assert.equal(again.podInfo.pod.metadata.name, 'p');
  failWith(q, again, 'NodeUnschedulable');
  q.moveAllToActiveOrBackoffQueue({ resource: 'AssignedPod', actionType: ActionType.Delete }, {}, undefined);
  assert.equal(q.pendingPods().unschedulable, 1, 'a pod deletion does not help NodeUnschedulable');
  q.moveAllToActiveOrBackoffQueue({ resource: 'Node', actionType: ActionType.Add }, undefined, {});
  assert.equal(q.pendingPods().unschedulable, 0);
  assert.equal(q.pendingPods().backoff + q.pendingPods().active, 1);
});

test('unschedulable pods are flushed after 5 minutes', async () => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  q.run(new AbortController().signal);
  q.add(makePod('p'));
  failWith(q, q.tryPop()!, 'NodeUnschedulable');
  await clock.advance(4 * 60_000);
  assert.equal(q.pendingPods().unschedulable, 1);
  await clock.advance(2 * 60_000);
  assert.equal(q.pendingPods().unschedulable, 0);
  assert.equal(q.pendingPods().active, 1);
  q.close();
});

test('gated pods wait until their gates are removed', () => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  const gated = makePod('g', { spec: { schedulingGates: [{ name: 'x' }] } });
  q.add(gated);
  assert.deepEqual(q.pendingPods(), { active: 0, backoff: 0, unschedulable: 0, gated: 1 });
  q.update(gated, { ...gated, spec: { ...gated.spec, schedulingGates: [] } });
  assert.equal(q.tryPop()?.podInfo.pod.metadata.name, 'g');
});

test('an event during a pod attempt sends it to backoffQ instead of waiting', () => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  q.add(makePod('p'));
  const popped = q.tryPop()!;
  q.moveAllToActiveOrBackoffQueue({ resource: 'Node', actionType: ActionType.Add }, undefined, {});
  failWith(q, popped, 'NodeUnschedulable');
  assert.equal(q.pendingPods().backoff, 1);
});

test('pop waits for a pod and ends on abort', async () => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  const waiting = q.pop();
  q.add(makePod('later'));
  assert.equal((await waiting)?.podInfo.pod.metadata.name, 'later');
  const ac = new AbortController();
  const never = q.pop(ac.signal);
  ac.abort();
  assert.equal(await never, undefined);
});
