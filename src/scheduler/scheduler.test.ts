import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { KubeObject } from '../api/index.js';
import { ApiServer, allResources } from '../apiserver/index.js';
import { Client, InProcessTransport } from '../client/index.js';
import { MemoryStore } from '../store/index.js';
import type { Node, Pod } from './framework/index.js';
import { Scheduler } from './scheduler.js';
import { makeNode, makePod } from './testing.js';

async function eventually<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('scheduler against the API server', () => {
  it('binds pods where they fit and tells why a pod does not', async () => {
    const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });
    const api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger });
    await api.start();
    const client = new Client(new InProcessTransport(api.handle, { name: 'admin', groups: ['system:masters'] }));
    const stop = new AbortController();
    let running: Promise<void> | undefined;
    try {
      const nodes = client.resource<Node>('nodes');
      const pods = client.resource<Pod>('pods');
      await nodes.create(undefined, makeNode('small', { cpu: '1', labels: { zone: 'a' } }));
      await nodes.create(undefined, makeNode('big', { cpu: '8', labels: { zone: 'b' } }));
      await nodes.create(undefined, makeNode('tainted', { cpu: '8', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }));
      const strip = (p: Pod): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: p.metadata.name, labels: p.metadata.labels }, spec: p.spec });
      await pods.create('default', strip(makePod('heavy', { cpu: '4' })));
      await pods.create('default', strip(makePod('zoned', { spec: { nodeSelector: { zone: 'a' } } })));
      await pods.create('default', strip(makePod('huge', { cpu: '64' })));
      await pods.create('default', strip(makePod('other', { spec: { schedulerName: 'someone-else' } })));

      const scheduler = new Scheduler({ client, logger, random: () => 0.5 });
      running = scheduler.run(stop.signal);

      const nodeOf = (name: string) => eventually(async () => (await pods.get('default', name)).spec.nodeName, `${name} to be bound`);
      assert.equal(await nodeOf('heavy'), 'big');
      assert.equal(await nodeOf('zoned'), 'small');
      const heavy = await pods.get('default', 'heavy');
      assert.equal(heavy.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');

      const want = '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
      const cond = await eventually(async () => (await pods.get('default', 'huge')).status?.conditions?.find((c) => c.type === 'PodScheduled'), 'the PodScheduled condition');
      assert.deepEqual({ status: cond.status, reason: cond.reason, message: cond.message }, { status: 'False', reason: 'Unschedulable', message: want });

      const events = client.resource<KubeObject & { reason?: string; message?: string; type?: string; involvedObject?: { name?: string } }>('events');
      const failed = await eventually(async () => (await events.list('default')).items.find((e) => e.reason === 'FailedScheduling' && e.involvedObject?.name === 'huge'), 'FailedScheduling');
      assert.equal(failed.type, 'Warning');
      assert.equal(failed.message, want);
      const scheduled = await eventually(async () => (await events.list('default')).items.find((e) => e.reason === 'Scheduled' && e.involvedObject?.name === 'heavy'), 'Scheduled');
      assert.equal(scheduled.message, 'Successfully assigned default/heavy to big');

      const why = scheduler.explain('default', 'huge');
      assert.equal(why?.result, 'Unschedulable');
      assert.deepEqual(
        why?.nodes.map((n) => [n.name, n.filteredOut?.plugin, n.filteredOut?.reasons.join(', ')]),
        [
          ['big', 'NodeResourcesFit', 'Insufficient cpu'],
          ['small', 'NodeResourcesFit', 'Insufficient cpu'],
          ['tainted', 'TaintToleration', 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'],
        ],
      );
      const placed = scheduler.explain('default', 'heavy');
      assert.equal(placed?.selectedNode, 'big');
      assert.equal(placed?.nodes.find((n) => n.name === 'small')?.filteredOut?.reasons[0], 'Insufficient cpu');

      await nodes.create(undefined, makeNode('bigger', { cpu: '100' }));
      assert.equal(await nodeOf('huge'), 'bigger', 'a new node requeues the unschedulable pod');

      assert.equal((await pods.get('default', 'other')).spec.nodeName, undefined, 'pods for another scheduler are left alone');
      const metrics = await scheduler.metricsRegistry.metrics();
      assert.match(metrics, /scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} 3/);
      assert.match(metrics, /scheduler_pending_pods\{queue="unschedulable"\} 0/);
    } finally {
      stop.abort();
      await running;
      api.stop();
    }
  });
});
