import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from './client.js';
import { FakeClock, settle } from './clock.js';
import { InProcessTransport } from './in-process-transport.js';
import { formatMicroTime, LeaderElector, type Lease } from './leader-election.js';
import { FakeApiHandler } from './testing/index.js';
import type { Transport } from './transport.js';

const leasePath = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler';
const microTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/** A transport that can be cut off: while partitioned, requests hang until abandoned. */
function partitionable(inner: Transport) {
  const state = { partitioned: false };
  const transport: Transport = {
    request: (req) =>
      state.partitioned
        ? new Promise((_, reject) => req.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }))
        : inner.request(req),
    watch: (path, query, signal) => inner.watch(path, query, signal),
  };
  return { transport, state };
}

function candidate(fake: FakeApiHandler, clock: FakeClock, identity: string, log: string[], releaseOnCancel = true) {
  const { transport, state } = partitionable(new InProcessTransport(fake.handler, { name: identity, groups: [] }));
  const controller = new AbortController();
  let leadership: AbortSignal | undefined;
  const elector = new LeaderElector({
    client: new Client(transport),
    namespace: 'kube-system',
    name: 'kube-scheduler',
    identity,
    clock,
    releaseOnCancel,
    onStartedLeading: (signal) => {
      leadership = signal;
      log.push(`${identity} started`);
    },
    onStoppedLeading: () => log.push(`${identity} stopped`),
  });
  const done = elector.run(controller.signal);
  return { elector, controller, state, done, leadership: () => leadership };
}

const lease = (fake: FakeApiHandler) => fake.read(leasePath) as Lease;

test('formatMicroTime writes RFC 3339 with microseconds', () => {
  assert.equal(formatMicroTime(Date.UTC(2006, 0, 2, 15, 4, 5, 123)), '2006-01-02T15:04:05.123000Z');
});

test('of two candidates one leads; when it stops renewing the other takes over after the lease expires', async (t) => {
  const fake = new FakeApiHandler();
  const clock = new FakeClock();
  const log: string[] = [];
  const a = candidate(fake, clock, 'a', log);
  await settle();
  const b = candidate(fake, clock, 'b', log);
  t.after(() => {
    a.controller.abort();
    b.controller.abort();
  });
  await settle();

  assert.deepEqual(log, ['a started']);
  assert.equal(a.elector.isLeader(), true);
  assert.equal(b.elector.isLeader(), false);
  assert.equal(b.elector.leader(), 'a');
  const first = lease(fake);
  assert.equal(first.spec?.holderIdentity, 'a');
  assert.equal(first.spec?.leaseDurationSeconds, 15);
  assert.equal(first.spec?.leaseTransitions, 0);
  assert.match(first.spec!.acquireTime!, microTime);
  assert.match(first.spec!.renewTime!, microTime);

  for (let i = 0; i < 30; i++) await clock.advance(1000);
  assert.deepEqual(log, ['a started'], 'a keeps renewing, b keeps waiting');
  const renewed = lease(fake);
  assert.equal(renewed.spec?.acquireTime, first.spec?.acquireTime);
  assert.notEqual(renewed.spec?.renewTime, first.spec?.renewTime);

  a.state.partitioned = true;
  for (let i = 0; i < 25; i++) await clock.advance(1000);
  assert.deepEqual(log, ['a started', 'a stopped', 'b started']);
  assert.equal(a.leadership()?.aborted, true);
  assert.equal(a.elector.isLeader(), false);
  assert.equal(b.elector.isLeader(), true);
  await a.done;
  const taken = lease(fake);
  assert.equal(taken.spec?.holderIdentity, 'b');
  assert.equal(taken.spec?.leaseTransitions, 1);
  assert.notEqual(taken.spec?.acquireTime, first.spec?.acquireTime);
});

test('a leader that is stopped releases the lease so another candidate takes over at once', async (t) => {
  const fake = new FakeApiHandler();
  const clock = new FakeClock();
  const log: string[] = [];
  const a = candidate(fake, clock, 'a', log);
  await settle();
  const b = candidate(fake, clock, 'b', log);
  t.after(() => b.controller.abort());
  await clock.advance(4000);
  assert.equal(a.elector.isLeader(), true);

  a.controller.abort();
  await a.done;
  assert.deepEqual(log, ['a started', 'a stopped']);
  assert.equal(lease(fake).spec?.holderIdentity, '');

  await clock.advance(2000);
  assert.deepEqual(log, ['a started', 'a stopped', 'b started']);
  assert.equal(lease(fake).spec?.holderIdentity, 'b');
  assert.equal(lease(fake).spec?.leaseTransitions, 1);
});

test('a candidate that crashes without releasing is replaced only after the lease duration', async (t) => {
  const fake = new FakeApiHandler();
  const clock = new FakeClock();
  const log: string[] = [];
  const a = candidate(fake, clock, 'a', log, false);
  await settle();
  const b = candidate(fake, clock, 'b', log);
  t.after(() => b.controller.abort());
  await clock.advance(2000);
  a.controller.abort();
  await a.done;
  assert.equal(lease(fake).spec?.holderIdentity, 'a', 'not released');

  for (let i = 0; i < 12; i++) await clock.advance(1000);
  assert.equal(b.elector.isLeader(), false, 'the lease is still honoured');
  for (let i = 0; i < 8; i++) await clock.advance(1000);
  assert.equal(b.elector.isLeader(), true);
});

test('options are checked up front', () => {
  const client = new Client(new InProcessTransport(new FakeApiHandler().handler, { name: 'x', groups: [] }));
  const base = { client, namespace: 'ns', name: 'l', identity: 'me', onStartedLeading: () => {} };
  assert.throws(() => new LeaderElector({ ...base, leaseDurationMs: 5000, renewDeadlineMs: 10_000 }), /leaseDuration/);
  assert.throws(() => new LeaderElector({ ...base, renewDeadlineMs: 2000, retryPeriodMs: 2000 }), /renewDeadline/);
  assert.throws(() => new LeaderElector({ ...base, identity: '' }), /identity/);
});
