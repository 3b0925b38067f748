import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { ApiRequest, ApiResponse } from '../../src/api/index.js';
import { ApiServer, allResources } from '../../src/apiserver/index.js';
import { StoreError } from '../../src/store/index.js';
import { EtcdStore } from '../../src/store/etcd/index.js';
import { startEtcd, type RunningEtcd } from './lib/etcd.js';

const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };

function request(method: ApiRequest['method'], path: string, body?: unknown): ApiRequest {
  const url = new URL(path, 'https://x');
  return { method, path: url.pathname, query: url.searchParams, headers: {}, body, user: admin, signal: new AbortController().signal };
}

/**
 * etcd stopped with SIGSTOP, once the kernel shows it stopped (a signal lands a moment after it is
 * sent, time enough to answer a call); `resume()` sends SIGCONT and is safe to call when it is not stopped.
 */
async function stall(etcd: RunningEtcd): Promise<{ resume(): void }> {
  process.kill(etcd.pid, 'SIGSTOP');
  for (let i = 0; i < 200 && !/^\S+ \(.*\) T /.test(readFileSync(`/proc/${etcd.pid}/stat`, 'utf8')); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  let stopped = true;
  return {
    resume: () => {
      if (stopped) process.kill(etcd.pid, 'SIGCONT');
      stopped = false;
    },
  };
}

async function timeoutOf(call: Promise<unknown>): Promise<StoreError> {
  const err = await call.then(
    () => assert.fail('the call succeeded against a stopped etcd'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StoreError, `a StoreError, got ${String(err)}`);
  return err;
}

describe('etcd store with a stalled or dead etcd', { timeout: 120_000 }, () => {
  let etcd: RunningEtcd;
  let store: EtcdStore;
  let api: ApiServer;
  let stalled: { resume(): void } | undefined;
  const call = (r: ApiRequest): Promise<ApiResponse> => api.handle(r);

  before(async () => {
    etcd = await startEtcd();
    store = new EtcdStore(etcd.endpoint, { prefix: `/stall-${process.pid}`, requestTimeoutMs: 1500 });
    api = new ApiServer({ store, resources: allResources, logger: pino({ level: 'silent' }) });
    await api.start();
  });
  after(async () => {
    stalled?.resume();
    api?.stop();
    await store?.close();
    await etcd?.stop();
  });

  it('fails a call etcd does not answer with a Timeout error once its deadline passes, and works again after etcd resumes', async () => {
    await store.create('/registry/k', 'v1');
    stalled = await stall(etcd);
    try {
      const read = await timeoutOf(store.get('/registry/k'));
      assert.equal(read.code, 'Timeout');
      assert.match(read.message, /context deadline exceeded/);
      const write = await timeoutOf(store.create('/registry/other', 'v'));
      assert.equal(write.code, 'Timeout');
    } finally {
      stalled.resume();
    }
    assert.equal((await store.get('/registry/k'))?.value, 'v1');
  });

  it('answers 504 Timeout to an API request etcd does not answer, and /readyz fails its etcd checks until etcd resumes', async () => {
    const ready = await call(request('GET', '/readyz'));
    assert.equal(ready.status, 200);
    assert.equal(ready.body, 'ok');
    stalled = await stall(etcd);
    try {
      const created = await call(request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'while-stalled' } }));
      assert.equal(created.status, 504);
      assert.deepEqual(created.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
        reason: 'Timeout',
        details: {},
        code: 504,
      });
      const notReady = await call(request('GET', '/readyz'));
      assert.equal(notReady.status, 500);
      assert.match(String(notReady.body), /^\[\+\]ping ok\n\[\+\]log ok\n\[-\]etcd failed: reason withheld\n\[-\]etcd-readiness failed: reason withheld\n/);
      assert.match(String(notReady.body), /\nreadyz check failed\n$/);
      const etcdCheck = await call(request('GET', '/readyz/etcd'));
      assert.equal(etcdCheck.status, 500);
      assert.match(String(etcdCheck.body), /^internal server error: /);
      assert.equal((await call(request('GET', '/livez'))).status, 500);
      const excluded = await call(request('GET', '/readyz?exclude=etcd&exclude=etcd-readiness'));
      assert.equal(excluded.status, 200);
    } finally {
      stalled.resume();
    }
    const again = await call(request('GET', '/readyz?verbose'));
    assert.equal(again.status, 200);
    assert.equal(
      again.body,
      '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n',
    );
  });

  it('with etcd killed, sends calls again until their deadline, then fails them with a Timeout error, and /readyz fails', async () => {
    await etcd.stop();
    // a call sent before the channel noticed the connection die fails as Unavailable (it may have
    // reached etcd, so it is not sent again); once noticed, calls wait for a connection until their deadline
    let err = await timeoutOf(store.get('/registry/k'));
    if (err.code === 'Unavailable') err = await timeoutOf(store.get('/registry/k'));
    assert.equal(err.code, 'Timeout');
    const notReady = await call(request('GET', '/readyz'));
    assert.equal(notReady.status, 500);
    assert.match(String(notReady.body), /\[-\]etcd failed: reason withheld\n/);
  });
});
