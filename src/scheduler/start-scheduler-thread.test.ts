import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { ApiServer, allResources } from '../apiserver/index.js';
import { Client, InProcessTransport } from '../client/index.js';
import { MemoryStore } from '../store/index.js';
import type { Lease } from '../client/index.js';
import type { Node, Pod } from './framework/index.js';
import { startSchedulerThread } from './start-scheduler-thread.js';
import { makeNode, makePod } from './testing.js';

const schedulerUser = { name: 'system:kube-scheduler', groups: ['system:masters', 'system:authenticated'] };
const silent = { level: process.env.TEST_LOG ?? 'silent' };

async function eventually<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function apiServer(t: { after(fn: () => void): void }) {
  const api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger: pino({ level: 'silent' }) });
  await api.start();
  t.after(() => api.stop());
  return { api, client: new Client(new InProcessTransport(api.handle, { name: 'admin', groups: ['system:masters'] })) };
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-scheduler-thread-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('the scheduler on its own thread', () => {
  it('binds pods through the API, explains them, serves its metrics, and releases its Lease when stopped', async (t) => {
    const { api, client } = await apiServer(t);
    const stop = new AbortController();
    t.after(() => stop.abort());
    await client.resource<Node>('nodes').create(undefined, makeNode('big', { cpu: '8' }));
    const pods = client.resource<Pod>('pods');
    const strip = (p: Pod): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: p.metadata.name }, spec: p.spec });
    await pods.create('default', strip(makePod('web', { cpu: '1' })));
    await pods.create('default', strip(makePod('huge', { cpu: '64' })));

    const thread = startSchedulerThread({ transport: new InProcessTransport(api.handle, schedulerUser), logger: pino(silent), logging: silent, signal: stop.signal });
    assert.equal(await eventually(async () => (await pods.get('default', 'web')).spec.nodeName, 'web to be bound'), 'big');
    const why = await eventually(() => thread.explain('default', 'huge'), 'a decision about huge');
    assert.equal(why.result, 'Unschedulable');
    assert.deepEqual(why.nodes.map((n) => [n.name, n.filteredOut?.plugin]), [['big', 'NodeResourcesFit']]);
    assert.equal(await thread.explain('default', 'nobody'), undefined);
    const metrics = await thread.metrics();
    assert.match(metrics, /^scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} 1$/m);
    assert.match(metrics, /^scheduler_pending_pods\{queue="unschedulable"\} 1$/m);
    const leases = client.resource<Lease>('leases');
    const held = await leases.get('kube-system', 'kube-scheduler');
    assert.ok(held.spec?.holderIdentity);

    stop.abort();
    await thread.done;
    assert.equal((await leases.get('kube-system', 'kube-scheduler')).spec?.holderIdentity, '');
    assert.equal(api.watchCache.cache('/registry/core/pods/').watcherCount, 0, 'no watch left open');
    assert.equal(api.watchCache.cache('/registry/core/nodes/').watcherCount, 0, 'no watch left open');
    assert.equal(await thread.metrics(), '');
  });

  it('fails to start with the error of a bad configuration file', async (t) => {
    const { api } = await apiServer(t);
    const config = join(tempDir(t), 'scheduler.yaml');
    writeFileSync(config, 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\npercentageOfNodesToScore: 101\n');
    const stop = new AbortController();
    t.after(() => stop.abort());
    const thread = startSchedulerThread({ transport: new InProcessTransport(api.handle, schedulerUser), logger: pino(silent), logging: silent, signal: stop.signal, configPath: config });
    await assert.rejects(
      thread.ready,
      (err: unknown) => err instanceof Error && err.name === 'SchedulerConfigError' && err.message === `${config}: KubeSchedulerConfiguration: percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]`,
    );
    await thread.done;
    assert.equal(await thread.metrics(), '', 'no thread runs');
  });

  it('replaces a thread that dies, after logging it', async (t) => {
    const { api } = await apiServer(t);
    const dir = tempDir(t);
    const entry = join(dir, 'dying-thread.mjs');
    writeFileSync(
      entry,
      `import { parentPort, workerData } from 'node:worker_threads';
import { existsSync, writeFileSync } from 'node:fs';
const marker = ${JSON.stringify(join(dir, 'died-once'))};
const first = !existsSync(marker);
parentPort.postMessage({ t: 'ready' });
if (first) { writeFileSync(marker, ''); setTimeout(() => { throw new Error('the thread broke'); }, 10); }
parentPort.on('message', (m) => {
  if (m.t === 'metrics') parentPort.postMessage({ t: 'answer', id: m.id, value: first ? 'first thread\\n' : 'second thread\\n' });
  if (m.t === 'stop') { workerData.port.close(); parentPort.postMessage({ t: 'stopped' }); }
});
`,
    );
    const lines: Array<{ msg: string; err?: { message: string } }> = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const stop = new AbortController();
    t.after(() => stop.abort());
    const thread = startSchedulerThread({ transport: new InProcessTransport(api.handle, schedulerUser), logger, signal: stop.signal, entry: pathToFileURL(entry), restartBackoffMs: { initial: 10, max: 10 } });
    assert.equal(await eventually(async () => ((await thread.metrics()) === 'second thread\n' ? true : undefined), 'the second thread'), true);
    assert.equal(lines[0]?.msg, 'the scheduler thread stopped unexpectedly; starting a new one');
    assert.equal(lines[0]?.err?.message, 'the thread broke');
    stop.abort();
    await thread.done;
  });
});
