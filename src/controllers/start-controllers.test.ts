import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { KubeObject } from '../api/index.js';
import { ApiServer, allResources } from '../apiserver/index.js';
import { Client, FakeClock, InProcessTransport, type Lease, type Transport } from '../client/index.js';
import { MemoryStore } from '../store/index.js';
import { startControllers } from './index.js';

/** A transport whose requests stall while `stalled` is set (as they do while etcd is stopped) and go on once it is cleared. */
function stallable(inner: Transport) {
  const state = { stalled: false, resume: [] as Array<() => void> };
  const transport: Transport = {
    request: async (req) => {
      while (state.stalled) {
        await new Promise<void>((resolve, reject) => {
          state.resume.push(resolve);
          req.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        });
      }
      return inner.request(req);
    },
    watch: (path, query, signal) => inner.watch(path, query, signal),
  };
  const heal = () => {
    state.stalled = false;
    for (const resume of state.resume.splice(0)) resume();
  };
  return { transport, state, heal };
}

async function until(what: string, condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await sleep(10);
  }
  assert.fail(`timed out waiting until ${what}`);
}

test('the controller manager stands for its lease again after losing it, and its controllers run again', async (t) => {
  const logger = pino({ level: 'silent' });
  const api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger });
  await api.start();
  const admin = new Client(new InProcessTransport(api.handle, { name: 'admin', groups: ['system:masters'] }));
  const { transport, state, heal } = stallable(new InProcessTransport(api.handle, { name: 'system:kube-controller-manager', groups: ['system:masters'] }));
  const clock = new FakeClock(Date.now());
  const stop = new AbortController();
  const lines: string[] = [];
  const recording = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line).msg) });
  const done = startControllers(new Client(transport), recording, stop.signal, { clock, identity: 'cm-1' });
  t.after(async () => {
    heal();
    stop.abort();
    await clock.advance(1000);
    await done;
    api.stop();
  });
  const lease = () => api.storage('coordination.k8s.io', 'leases').get('kube-system', 'kube-controller-manager') as Promise<Lease>;
  const namespaces = admin.resource('namespaces');
  const deletedForGood = async (name: string) => {
    await namespaces.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as KubeObject);
    await namespaces.delete(undefined, name);
    await until(`namespace ${name} is gone`, async () => {
      await clock.advance(100);
      return (await namespaces.list()).items.every((ns) => ns.metadata.name !== name);
    });
  };

  await clock.advance(100);
  assert.equal((await lease()).spec?.holderIdentity, 'cm-1');
  await deletedForGood('first');

  state.stalled = true;
  for (let i = 0; i < 15; i++) await clock.advance(1000);
  assert.ok(lines.includes('stopped leading'), 'renewals stalled past the renew deadline');
  const lost = (await lease()).spec?.renewTime;

  heal();
  await until('the lease is renewed again', async () => {
    await clock.advance(1000);
    const current = await lease();
    return current.spec?.holderIdentity === 'cm-1' && current.spec?.renewTime !== lost;
  });
  assert.equal(lines.filter((l) => l === 'became leader; starting controllers').length, 2);
  await deletedForGood('second');
});
