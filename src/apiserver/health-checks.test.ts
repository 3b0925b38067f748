import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { ApiRequest, ApiResponse } from '../api/index.js';
import { MemoryStore } from '../store/index.js';
import { ApiServer } from './api-server.js';
import { HealthEndpoints, conditionCheck, passingCheck, storeCheck } from './health-checks.js';
import { allResources } from './resources/index.js';

const logger = pino({ level: 'silent' });

function get(path: string, method: ApiRequest['method'] = 'GET'): ApiRequest {
  const url = new URL(path, 'https://x');
  return { method, path: url.pathname, query: url.searchParams, headers: {}, user: { name: 'admin', groups: ['system:masters'] }, signal: new AbortController().signal };
}

async function serve(api: ApiServer, path: string): Promise<ApiResponse> {
  return api.handle(get(path));
}

describe('health endpoints of the API server', () => {
  it('answer ok, list their checks with ?verbose, and serve each check as a sub-path', async () => {
    const api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger });
    await api.start();
    try {
      for (const endpoint of ['healthz', 'livez', 'readyz']) {
        const plain = await serve(api, `/${endpoint}`);
        assert.equal(plain.status, 200);
        assert.equal(plain.body, 'ok');
        assert.equal(plain.headers?.['content-type'], 'text/plain; charset=utf-8');
        assert.equal((await serve(api, `/${endpoint}/ping`)).body, 'ok');
        assert.equal((await serve(api, `/${endpoint}/etcd`)).body, 'ok');
        assert.equal((await serve(api, `/${endpoint}/log`)).status, 200);
        assert.equal((await serve(api, `/${endpoint}/nope`)).status, 404);
      }
      assert.equal((await serve(api, '/healthz?verbose')).body, '[+]ping ok\n[+]log ok\n[+]etcd ok\nhealthz check passed\n');
      assert.equal((await serve(api, '/livez?verbose')).body, '[+]ping ok\n[+]log ok\n[+]etcd ok\nlivez check passed\n');
      assert.equal(
        (await serve(api, '/readyz?verbose')).body,
        '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n',
      );
      assert.equal((await serve(api, '/readyz/etcd-readiness')).body, 'ok');
      assert.equal((await serve(api, '/readyz/shutdown')).body, 'ok');
      assert.equal((await serve(api, '/livez/etcd-readiness')).status, 404, 'etcd-readiness is a readyz check only');
      assert.equal(
        (await serve(api, '/livez?verbose&exclude=etcd&exclude=bogus')).body,
        '[+]ping ok\n[+]log ok\n[+]etcd excluded: ok\nwarn: some health checks cannot be excluded: no matches for "bogus"\nlivez check passed\n',
      );
    } finally {
      api.stop();
    }
  });

  it('fail /readyz (500, reason withheld) once the server is shutting down, while /livez still passes', async () => {
    const api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger });
    await api.start();
    api.stop();
    const ready = await serve(api, '/readyz');
    assert.equal(ready.status, 500);
    assert.equal(ready.body, '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n');
    const shutdown = await serve(api, '/readyz/shutdown');
    assert.equal(shutdown.status, 500);
    assert.equal(shutdown.body, 'internal server error: the server is shutting down\n');
    assert.equal((await serve(api, '/livez')).status, 200);
  });

  it('fail the store checks when the store is closed', async () => {
    const store = new MemoryStore();
    const api = new ApiServer({ store, resources: allResources, logger });
    await api.start();
    try {
      await store.close();
      const live = await serve(api, '/livez');
      assert.equal(live.status, 500);
      assert.match(String(live.body), /^\[\+\]ping ok\n\[\+\]log ok\n\[-\]etcd failed: reason withheld\nlivez check failed\n$/);
      assert.match(String((await serve(api, '/healthz/etcd')).body), /^internal server error: store is closed/);
    } finally {
      api.stop();
    }
  });
});

describe('HealthEndpoints', () => {
  it('fails a store check the store does not answer within its timeout', async () => {
    const hanging = { get: () => new Promise(() => undefined) } as unknown as MemoryStore;
    const health = new HealthEndpoints({ healthz: [passingCheck('ping'), storeCheck('etcd', hanging, 50)], livez: [], readyz: [] }, logger);
    const res = await health.serve(get('/healthz'), '/healthz');
    assert.equal(res.status, 500);
    assert.equal(res.body, '[+]ping ok\n[-]etcd failed: reason withheld\nhealthz check failed\n');
    assert.equal((await health.serve(get('/healthz/etcd'), '/healthz/etcd')).body, 'internal server error: the store did not answer within 50 ms\n');
  });

  it('runs a condition check each time it is asked', async () => {
    let failure: string | undefined = 'not yet';
    const health = new HealthEndpoints({ healthz: [], livez: [], readyz: [conditionCheck('informer-sync', () => failure)] }, logger);
    assert.equal((await health.serve(get('/readyz'), '/readyz')).status, 500);
    failure = undefined;
    assert.equal((await health.serve(get('/readyz'), '/readyz')).body, 'ok');
    assert.equal(health.handles('/readyz/informer-sync'), true);
    assert.equal(health.handles('/readyzz'), false);
  });
});
