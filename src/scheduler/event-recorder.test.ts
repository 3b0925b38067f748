import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { pino } from 'pino';
import { ApiServer, allResources } from '../apiserver/index.js';
import { Client, FakeClock, InProcessTransport } from '../client/index.js';
import { MemoryStore } from '../store/index.js';
import { SchedulerEventRecorder } from './event-recorder.js';

test('events name default-scheduler as their source and default-scheduler-<hostname> as the instance, and a repeat bumps the count', async (t) => {
  const logger = pino({ level: 'silent' });
  const api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger });
  await api.start();
  t.after(() => api.stop());
  const client = new Client(new InProcessTransport(api.handle, { name: 'system:kube-scheduler', groups: ['system:authenticated'] }));
  const recorder = new SchedulerEventRecorder(client, new FakeClock(Date.parse('2026-01-01T00:00:00Z')), logger);
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [] } };
  const events = client.resource('events');
  const recorded = async (count: number) => {
    for (let i = 0; i < 100; i++) {
      const items = (await events.list('default')).items as unknown as Record<string, unknown>[];
      if (items.length === 1 && items[0]!.count === count) return items[0]!;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.fail(`no single event with count ${count}`);
  };
  recorder.record(pod as never, 'Warning', 'FailedScheduling', 'Scheduling', '0/0 nodes are available.');
  const first = await recorded(1);
  assert.deepEqual([first.source, first.reportingComponent, first.reportingInstance], [{ component: 'default-scheduler' }, 'default-scheduler', `default-scheduler-${hostname()}`]);
  recorder.record(pod as never, 'Warning', 'FailedScheduling', 'Scheduling', '0/0 nodes are available.');
  await recorded(2);
});
