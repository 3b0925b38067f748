import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { ApiRequest, ApiResponse, KubeObject, WatchEvent } from '../api/index.js';
import { MemoryStore } from '../store/index.js';
import { ApiServer } from './api-server.js';
import { allResources } from './resources/index.js';
import type { EndingSource } from './watcher-queue.js';

const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };

function request(method: ApiRequest['method'], path: string, body?: unknown, headers: Record<string, string> = {}): ApiRequest {
  const url = new URL(path, 'https://x');
  return { method, path: url.pathname, query: url.searchParams, headers, body, user: admin, signal: new AbortController().signal };
}

function pod(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
}

describe('API server pipeline (memory store)', () => {
  let api: ApiServer;
  const store = new MemoryStore();
  const call = (r: ApiRequest): Promise<ApiResponse> => api.handle(r);

  before(async () => {
    api = new ApiServer({ store, resources: allResources, logger: pino({ level: 'silent' }), watchHistoryLimit: 5 });
    await api.start();
  });
  after(() => api.stop());

  it('has the system namespaces from the first start', async () => {
    const res = await call(request('GET', '/api/v1/namespaces'));
    assert.equal(res.status, 200);
    const names = (res.body as { items: KubeObject[] }).items.map((n) => n.metadata.name);
    assert.deepEqual(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  });

  it('creates a pod with server-set metadata and upstream defaults', async () => {
    const res = await call(request('POST', '/api/v1/namespaces/default/pods', pod('web', { app: 'web' })));
    assert.equal(res.status, 201);
    const created = res.body as KubeObject & { spec: Record<string, unknown>; status: Record<string, unknown> };
    assert.match(created.metadata.uid!, /^[0-9a-f-]{36}$/);
    assert.match(created.metadata.resourceVersion!, /^\d+$/);
    assert.equal(created.metadata.namespace, 'default');
    assert.equal(created.spec.restartPolicy, 'Always');
    assert.equal(created.spec.terminationGracePeriodSeconds, 30);
    assert.equal(created.spec.dnsPolicy, 'ClusterFirst');
    assert.equal((created.spec.containers as { imagePullPolicy: string }[])[0].imagePullPolicy, 'Always');
    assert.equal(created.status.phase, 'Pending');
  });

  it('answers 409 AlreadyExists and 404 NotFound as Status objects', async () => {
    const again = await call(request('POST', '/api/v1/namespaces/default/pods', pod('web')));
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "web" already exists', reason: 'AlreadyExists', code: 409,
      details: { name: 'web', kind: 'pods' },
    });
    const missing = await call(request('GET', '/api/v1/namespaces/default/pods/nope'));
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { message: string }).message, 'pods "nope" not found');
  });

  it('rejects an invalid name with 422 and the field in details.causes', async () => {
    const res = await call(request('POST', '/api/v1/namespaces/default/pods', pod('Bad_Name')));
    assert.equal(res.status, 422);
    const status = res.body as { reason: string; details: { causes: { field: string }[] } };
    assert.equal(status.reason, 'Invalid');
    assert.equal(status.details.causes[0].field, 'metadata.name');
  });

  it('refuses a stale update with 409 Conflict and applies a fresh one', async () => {
    const current = (await call(request('GET', '/api/v1/namespaces/default/pods/web'))).body as KubeObject;
    const fresh = structuredClone(current);
    fresh.metadata.labels = { app: 'web', tier: 'front' };
    const ok = await call(request('PUT', '/api/v1/namespaces/default/pods/web', fresh));
    assert.equal(ok.status, 200);
    const stale = structuredClone(current);
    stale.metadata.labels = { app: 'other' };
    const res = await call(request('PUT', '/api/v1/namespaces/default/pods/web', stale));
    assert.equal(res.status, 409);
    assert.equal((res.body as { reason: string }).reason, 'Conflict');
  });

  it('ignores status on the main resource and spec on the status subresource', async () => {
    const res = await call(request('PATCH', '/api/v1/namespaces/default/pods/web', { status: { phase: 'Running' } }, { 'content-type': 'application/merge-patch+json' }));
    assert.equal((res.body as { status: { phase: string } }).status.phase, 'Pending');
    const st = await call(request('PATCH', '/api/v1/namespaces/default/pods/web/status', { status: { phase: 'Running' }, spec: { nodeName: 'x' } }, { 'content-type': 'application/merge-patch+json' }));
    const body = st.body as { status: { phase: string }; spec: { nodeName?: string } };
    assert.equal(body.status.phase, 'Running');
    assert.equal(body.spec.nodeName, undefined);
  });

  it('lists with label selectors, field selectors and pagination', async () => {
    for (const n of ['a1', 'a2', 'a3']) await call(request('POST', '/api/v1/namespaces/default/pods', pod(n, { group: 'a' })));
    const sel = await call(request('GET', '/api/v1/namespaces/default/pods?labelSelector=group%20in%20(a),app!=web'));
    assert.deepEqual((sel.body as { items: KubeObject[] }).items.map((p) => p.metadata.name), ['a1', 'a2', 'a3']);
    const byName = await call(request('GET', '/api/v1/pods?fieldSelector=metadata.name%3Da2'));
    assert.deepEqual((byName.body as { items: KubeObject[] }).items.map((p) => p.metadata.name), ['a2']);
    const page1 = (await call(request('GET', '/api/v1/namespaces/default/pods?limit=2'))).body as { items: KubeObject[]; metadata: { continue: string } };
    assert.equal(page1.items.length, 2);
    const page2 = (await call(request('GET', `/api/v1/namespaces/default/pods?limit=2&continue=${page1.metadata.continue}`))).body as { items: KubeObject[]; metadata: { continue?: string } };
    assert.deepEqual([...page1.items, ...page2.items].map((p) => p.metadata.name), ['a1', 'a2', 'a3', 'web']);
    assert.equal(page2.metadata.continue, undefined);
    const bad = await call(request('GET', '/api/v1/pods?fieldSelector=spec.bogus%3Dx'));
    assert.equal(bad.status, 400);
  });

  it('checks list and watch options as upstream: 422 on ListOptions, 400 for a resourceVersion or limit that is no number', async () => {
    const invalid = async (path: string) => {
      const res = await call(request('GET', path));
      assert.equal(res.status, 422, path);
      return (res.body as { message: string }).message;
    };
    assert.equal(await invalid('/api/v1/pods?resourceVersionMatch=NotOlderThan'), 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    assert.equal(await invalid('/api/v1/pods?resourceVersion=0&resourceVersionMatch=Exact'), 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    assert.equal(await invalid('/api/v1/pods?sendInitialEvents=true'), 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list');
    assert.equal(
      await invalid('/api/v1/pods?watch=true&sendInitialEvents=true'),
      'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled]',
    );
    assert.equal(
      await invalid('/api/v1/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true'),
      'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled',
    );
    for (const query of ['resourceVersion=abc', 'limit=abc', 'watch=true&resourceVersion=-1']) {
      const res = await call(request('GET', `/api/v1/pods?${query}`));
      assert.equal(res.status, 400, query);
    }
  });

  it('lists at exactly a past resourceVersion, and answers 410 once it is compacted', async () => {
    await call(request('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'exact' }, data: { v: 'one' } }));
    const before = (await call(request('GET', '/api/v1/namespaces/default/configmaps'))).body as { metadata: { resourceVersion: string } };
    const rv = before.metadata.resourceVersion;
    await call({ ...request('PATCH', '/api/v1/namespaces/default/configmaps/exact', { data: { v: 'two' } }), headers: { 'content-type': 'application/merge-patch+json' } });
    const exact = (await call(request('GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${rv}&resourceVersionMatch=Exact`))).body as { metadata: { resourceVersion: string }; items: { data: { v: string } }[] };
    assert.equal(exact.metadata.resourceVersion, rv);
    assert.deepEqual(exact.items.map((i) => i.data.v), ['one']);
    const latest = (await call(request('GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`))).body as { items: { data: { v: string } }[] };
    assert.deepEqual(latest.items.map((i) => i.data.v), ['two']);
    await store.compact(await store.currentRevision());
    const gone = await call(request('GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${rv}&resourceVersionMatch=Exact`));
    assert.equal(gone.status, 410);
    assert.equal((gone.body as { message: string }).message, 'The resourceVersion for the provided list is too old.');
  });

  it('a watch answered as Tables, or as another version of a stored kind, still tells when its watcher is dropped', async () => {
    for (const [path, accept] of [
      ['/api/v1/namespaces/default/pods?watch=true', 'application/json;as=Table;v=v1;g=meta.k8s.io'],
      ['/apis/events.k8s.io/v1/namespaces/default/events?watch=true', 'application/json'],
    ]) {
      const abort = new AbortController();
      const res = await call({ ...request('GET', path), headers: { accept }, signal: abort.signal });
      assert.ok((res.watch as Partial<EndingSource> | undefined)?.ended instanceof Promise, path);
      abort.abort();
    }
  });

  it('watches from a resourceVersion and sees later changes', async () => {
    const list = (await call(request('GET', '/api/v1/namespaces/default/pods'))).body as { metadata: { resourceVersion: string } };
    const abort = new AbortController();
    const r = request('GET', `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
    r.signal = abort.signal;
    const res = await call(r);
    const seen: WatchEvent[] = [];
    const reader = (async () => {
      for await (const e of res.watch!) {
        seen.push(e);
        if (seen.length === 2) abort.abort();
      }
    })();
    await call(request('POST', '/api/v1/namespaces/default/pods', pod('w1')));
    await call(request('DELETE', '/api/v1/namespaces/default/pods/w1'));
    await reader;
    assert.deepEqual(seen.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED w1', 'DELETED w1']);
  });

  it('answers a watch from a too old revision with a 410 Expired event', async () => {
    for (let i = 0; i < 6; i++) await call(request('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `churn-${i}` } }));
    const res = await call(request('GET', '/api/v1/namespaces/default/pods?watch=true&resourceVersion=1'));
    const events: WatchEvent[] = [];
    for await (const e of res.watch!) events.push(e);
    assert.equal(events[0].type, 'ERROR');
    assert.equal((events[0].object as unknown as { code: number; reason: string }).code, 410);
  });

  it('serves Tables with upstream pod columns', async () => {
    const res = await call(request('GET', '/api/v1/namespaces/default/pods', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' }));
    const table = res.body as { kind: string; columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[] }[] };
    assert.equal(table.kind, 'Table');
    assert.deepEqual(table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    assert.deepEqual(table.rows[0].cells.slice(0, 4), ['a1', '0/1', 'Pending', '0']);
  });

  it('negotiates aggregated discovery strictly', async () => {
    const v2beta1 = await call(request('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json' }));
    assert.equal(v2beta1.headers?.['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    const plain = await call(request('GET', '/apis', undefined, { accept: 'application/json' }));
    assert.equal((plain.body as { kind: string }).kind, 'APIGroupList');
  });

  it('deletes a pod bound to a node gracefully and an unbound one at once', async () => {
    await call(request('POST', '/api/v1/namespaces/default/pods', { ...pod('bound'), spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } }));
    const del = await call(request('DELETE', '/api/v1/namespaces/default/pods/bound'));
    assert.ok((del.body as KubeObject).metadata.deletionTimestamp);
    assert.equal((await call(request('GET', '/api/v1/namespaces/default/pods/bound'))).status, 200);
    await call(request('DELETE', '/api/v1/namespaces/default/pods/bound?gracePeriodSeconds=0'));
    assert.equal((await call(request('GET', '/api/v1/namespaces/default/pods/bound'))).status, 404);
  });

  it('keeps an object with finalizers until they are removed', async () => {
    await call(request('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'held', finalizers: ['example.com/hold'] }, data: { a: 'b' } }));
    await call(request('DELETE', '/api/v1/namespaces/default/configmaps/held'));
    const held = (await call(request('GET', '/api/v1/namespaces/default/configmaps/held'))).body as KubeObject;
    assert.ok(held.metadata.deletionTimestamp);
    await call(request('PATCH', '/api/v1/namespaces/default/configmaps/held', { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' }));
    assert.equal((await call(request('GET', '/api/v1/namespaces/default/configmaps/held'))).status, 404);
  });

  it('refuses objects in a missing namespace and the deletion of default', async () => {
    const res = await call(request('POST', '/api/v1/namespaces/nowhere/configmaps', { metadata: { name: 'x' } }));
    assert.equal(res.status, 404);
    assert.equal((res.body as { message: string }).message, 'namespaces "nowhere" not found');
    const del = await call(request('DELETE', '/api/v1/namespaces/default'));
    assert.equal(del.status, 403);
  });

  it('answers 405 to deleting the namespaces collection, which upstream does not serve, and deletes none', async () => {
    await call(request('POST', '/api/v1/namespaces', { metadata: { name: 'aaa' } }));
    const del = await call(request('DELETE', '/api/v1/namespaces'));
    assert.equal(del.status, 405);
    assert.deepEqual(del.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server does not allow this method on the requested resource', reason: 'MethodNotAllowed', code: 405 });
    const aaa = await call(request('GET', '/api/v1/namespaces/aaa'));
    assert.equal((aaa.body as { status: { phase: string } }).status.phase, 'Active');
  });

  it('answers malformed JSON with 400 and unauthenticated requests with 401', async () => {
    const bad: ApiRequest = { ...request('POST', '/api/v1/namespaces/default/configmaps'), body: undefined, rawBody: Buffer.from('{"metadata":'), headers: { 'content-type': 'application/json' } };
    assert.equal((await call(bad)).status, 400);
    const anon: ApiRequest = { ...request('GET', '/api/v1/pods'), user: undefined };
    assert.equal((await call(anon)).status, 401);
  });

  it('scales a deployment through the scale subresource', async () => {
    const dep = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
      spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } },
    };
    assert.equal((await call(request('POST', '/apis/apps/v1/namespaces/default/deployments', dep))).status, 201);
    const res = await call(request('PATCH', '/apis/apps/v1/namespaces/default/deployments/d/scale', { spec: { replicas: 3 } }, { 'content-type': 'application/merge-patch+json' }));
    assert.equal((res.body as { kind: string; spec: { replicas: number } }).kind, 'Scale');
    assert.equal((res.body as { spec: { replicas: number } }).spec.replicas, 3);
    const d = (await call(request('GET', '/apis/apps/v1/namespaces/default/deployments/d'))).body as { metadata: { generation: number }; spec: { replicas: number } };
    assert.equal(d.spec.replicas, 3);
    assert.equal(d.metadata.generation, 2);
  });
});

describe('eviction and PodDisruptionBudgets', () => {
  let api: ApiServer;
  const call = (r: ApiRequest): Promise<ApiResponse> => api.handle(r);
  const runningReady = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };

  before(async () => {
    api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger: pino({ level: 'silent' }) });
    await api.start();
    for (const name of ['e1', 'e2']) {
      await call(request('POST', '/api/v1/namespaces/default/pods', { ...pod(name, { app: 'evx' }), spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } }));
      await call(request('PATCH', `/api/v1/namespaces/default/pods/${name}/status`, { status: runningReady }, { 'content-type': 'application/merge-patch+json' }));
    }
    await call(request('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', { metadata: { name: 'pdb' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'evx' } } } }));
  });
  after(() => api.stop());

  it('refuses an eviction that would break the budget with 429 and upstream words', async () => {
    const res = await call(request('POST', '/api/v1/namespaces/default/pods/e1/eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'e1' } }));
    assert.equal(res.status, 429);
    const status = res.body as { message: string; details: { causes: { reason: string; message: string }[] } };
    assert.equal(status.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(status.details.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget pdb needs 2 healthy pods and has 2 currently' }]);
  });

  it('allows it once the budget has room', async () => {
    await call(request('PATCH', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/pdb', { spec: { minAvailable: 1 } }, { 'content-type': 'application/merge-patch+json' }));
    const res = await call(request('POST', '/api/v1/namespaces/default/pods/e1/eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'e1' } }));
    assert.equal(res.status, 201);
    const evicted = (await call(request('GET', '/api/v1/namespaces/default/pods/e1'))).body as KubeObject;
    assert.ok(evicted.metadata.deletionTimestamp);
  });
});

describe('core/v1 and events.k8s.io/v1 events are the same objects', () => {
  let api: ApiServer;
  const call = (r: ApiRequest): Promise<ApiResponse> => api.handle(r);
  before(async () => {
    api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger: pino({ level: 'silent' }) });
    await api.start();
  });
  after(() => api.stop());

  it('serves a core event through events.k8s.io with the renamed fields, and back', async () => {
    const core = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'ev1' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web' },
      reason: 'Started',
      message: 'Started container c',
      type: 'Normal',
      source: { component: 'kubelet', host: 'n1' },
      count: 2,
      firstTimestamp: '2026-01-01T00:00:00Z',
      lastTimestamp: '2026-01-01T00:01:00Z',
    };
    assert.equal((await call(request('POST', '/api/v1/namespaces/default/events', core))).status, 201);
    const viaEvents = (await call(request('GET', '/apis/events.k8s.io/v1/namespaces/default/events/ev1'))).body as Record<string, unknown>;
    assert.equal(viaEvents.apiVersion, 'events.k8s.io/v1');
    assert.deepEqual(viaEvents.regarding, core.involvedObject);
    assert.equal(viaEvents.note, 'Started container c');
    assert.equal(viaEvents.deprecatedCount, 2);
    assert.deepEqual(viaEvents.deprecatedSource, core.source);
    assert.equal(viaEvents.message, undefined);
    const listed = (await call(request('GET', '/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dweb'))).body as { items: { metadata: { name: string } }[] };
    assert.deepEqual(listed.items.map((e) => e.metadata.name), ['ev1']);

    const created = await call(request('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'ev2' }, eventTime: '2026-01-01T00:00:00.000000Z',
      reportingController: 'skiff/test', reportingInstance: 'x', action: 'Testing', reason: 'Tested', note: 'made through events.k8s.io', type: 'Normal',
      regarding: { kind: 'Pod', namespace: 'default', name: 'web' },
    }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const viaCore = (await call(request('GET', '/api/v1/namespaces/default/events/ev2'))).body as Record<string, unknown>;
    assert.equal(viaCore.apiVersion, 'v1');
    assert.equal(viaCore.message, 'made through events.k8s.io');
    assert.equal(viaCore.reportingComponent, 'skiff/test');
    assert.deepEqual(viaCore.involvedObject, { kind: 'Pod', namespace: 'default', name: 'web' });
  });
});
