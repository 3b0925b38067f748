import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from './object.js';
import { podPhaseReason, podReadyCount, podRestarts } from './pod-status.js';
import { humanDuration, translateTimestampSince } from './human-duration.js';

const now = new Date('2024-06-01T12:00:00Z');
function pod(spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name: 'p', namespace: 'default', ...meta }, spec, status };
}
const two = { containers: [{ name: 'a' }, { name: 'b' }] };
const running = (name: string, ready = true, restartCount = 0, extra: Record<string, unknown> = {}) => ({ name, ready, restartCount, state: { running: { startedAt: '2024-06-01T11:00:00Z' } }, ...extra });

test('running, ready counts and restarts', () => {
  const p = pod(two, {
    phase: 'Running',
    containerStatuses: [
      running('a', true, 3, { lastState: { terminated: { exitCode: 1, finishedAt: '2024-06-01T11:55:00Z' } } }),
      running('b', false),
    ],
  });
  assert.equal(podPhaseReason(p, now), 'Running');
  assert.equal(podReadyCount(p), '1/2');
  assert.equal(podRestarts(p, now), '3 (5m ago)');
  assert.equal(podRestarts(pod(two, { phase: 'Pending' }), now), '0');
});

test('waiting and terminated reasons', () => {
  const crash = pod({ containers: [{ name: 'a' }] }, { phase: 'Running', containerStatuses: [{ name: 'a', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } } }] });
  assert.equal(podPhaseReason(crash), 'CrashLoopBackOff');
  const creating = pod({ containers: [{ name: 'a' }] }, { phase: 'Pending', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] });
  assert.equal(podPhaseReason(creating), 'ContainerCreating');
  const done = pod({ containers: [{ name: 'a' }] }, { phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] });
  assert.equal(podPhaseReason(done), 'Completed');
  assert.equal(podReadyCount(done), '0/1');
  const failed = pod({ containers: [{ name: 'a' }] }, { phase: 'Failed', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } }] });
  assert.equal(podPhaseReason(failed), 'ExitCode:2');
  const evicted = pod({ containers: [{ name: 'a' }] }, { phase: 'Failed', reason: 'Evicted' });
  assert.equal(podPhaseReason(evicted), 'Evicted');
  assert.equal(podPhaseReason(pod({ containers: [{ name: 'a' }] }, { phase: 'Pending' })), 'Pending');
});

test('init containers', () => {
  const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] };
  const s1 = pod(spec, {
    phase: 'Pending',
    initContainerStatuses: [
      { name: 'i1', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      { name: 'i2', ready: false, restartCount: 0, state: { running: {} } },
    ],
    containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
  });
  assert.equal(podPhaseReason(s1), 'Init:1/2');
  const s2 = pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] });
  assert.equal(podPhaseReason(s2), 'Init:CrashLoopBackOff');
  assert.equal(podRestarts(s2, now), '4');
  const s3 = pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] });
  assert.equal(podPhaseReason(s3), 'Init:Error');
  const s4 = pod(spec, {
    phase: 'Pending',
    initContainerStatuses: [
      { name: 'i1', state: { terminated: { exitCode: 0 } } },
      { name: 'i2', state: { terminated: { exitCode: 0 } } },
    ],
    containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
  });
  assert.equal(podPhaseReason(s4), 'PodInitializing');
});

test('sidecars count toward READY', () => {
  const p = pod(
    { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], containers: [{ name: 'a' }] },
    {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: { running: {} } }],
      containerStatuses: [running('a')],
    },
  );
  assert.equal(podReadyCount(p), '2/2');
  assert.equal(podPhaseReason(p), 'Running');
  assert.equal(podRestarts(p, now), '1');
});

test('terminating, node lost, scheduling gated', () => {
  const t = pod({ containers: [{ name: 'a' }] }, { phase: 'Running', containerStatuses: [running('a')] }, { deletionTimestamp: '2024-06-01T11:59:00Z' });
  assert.equal(podPhaseReason(t), 'Terminating');
  const lost = pod({ containers: [{ name: 'a' }] }, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: '2024-06-01T11:59:00Z' });
  assert.equal(podPhaseReason(lost), 'Unknown');
  assert.equal(podPhaseReason(pod({ containers: [{ name: 'a' }] }, { phase: 'Running', reason: 'NodeLost' })), 'NodeLost');
  const gated = pod({ containers: [{ name: 'a' }] }, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] });
  assert.equal(podPhaseReason(gated), 'SchedulingGated');
  const completedButRunning = pod(two, {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }, running('b')],
  });
  assert.equal(podPhaseReason(completedButRunning), 'NotReady');
});

test('human durations', () => {
  const cases: Array<[number, string]> = [
    [-5000, '<invalid>'], [-1000, '0s'], [59_000, '59s'], [119_000, '119s'], [125_000, '2m5s'], [600_000, '10m'],
    [3 * 3600_000, '3h'], [3 * 3600_000 + 60_000, '3h1m'], [10 * 3600_000, '10h'], [50 * 3600_000, '2d2h'],
    [10 * 86400_000, '10d'], [800 * 86400_000, '2y70d'], [3000 * 86400_000, '8y'],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, String(ms));
  assert.equal(translateTimestampSince(undefined, now), '<unknown>');
  assert.equal(translateTimestampSince('2024-06-01T11:00:00Z', now), '60m');
});
