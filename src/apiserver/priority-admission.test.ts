import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { ApiRequest, KubeObject } from '../api/index.js';
import { MemoryStore } from '../store/index.js';
import { ApiServer } from './api-server.js';
import { allResources } from './resources/index.js';

const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };

function request(method: ApiRequest['method'], path: string, body?: unknown): ApiRequest {
  const url = new URL(path, 'https://x');
  return { method, path: url.pathname, query: url.searchParams, headers: {}, body, user: admin, signal: new AbortController().signal };
}

const pod = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } } as KubeObject);
type PodSpec = { priority?: number; priorityClassName?: string; preemptionPolicy?: string };

describe('Priority admission', () => {
  let api: ApiServer;
  before(async () => {
    api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger: pino({ level: 'silent' }) });
    await api.start();
  });
  after(() => api.stop());

  it('serves the built-in system priority classes', async () => {
    const res = await api.handle(request('GET', '/apis/scheduling.k8s.io/v1/priorityclasses'));
    const items = (res.body as { items: Array<KubeObject & { value: number }> }).items.map((c) => [c.metadata.name, c.value]);
    assert.deepEqual(items, [
      ['system-cluster-critical', 2000000000],
      ['system-node-critical', 2000001000],
    ]);
  });

  it('sets spec.priority and preemptionPolicy from the class', async () => {
    const pc = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000, preemptionPolicy: 'Never' };
    assert.equal((await api.handle(request('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', pc))).status, 201);
    const res = await api.handle(request('POST', '/api/v1/namespaces/default/pods', pod('a', { priorityClassName: 'high' })));
    assert.equal(res.status, 201);
    const spec = (res.body as { spec: PodSpec }).spec;
    assert.equal(spec.priority, 1000);
    assert.equal(spec.preemptionPolicy, 'Never');
  });

  it('rejects an unknown class with 403', async () => {
    const res = await api.handle(request('POST', '/api/v1/namespaces/default/pods', pod('b', { priorityClassName: 'nope' })));
    assert.equal(res.status, 403);
    assert.equal((res.body as { message: string }).message, 'pods "b" is forbidden: no PriorityClass with name nope was found');
  });

  it('gives pods without a class the global default, else 0', async () => {
    const zero = await api.handle(request('POST', '/api/v1/namespaces/default/pods', pod('c')));
    assert.equal((zero.body as { spec: PodSpec }).spec.priority, 0);
    const pc = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'everyone' }, value: 7, globalDefault: true };
    assert.equal((await api.handle(request('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', pc))).status, 201);
    const res = await api.handle(request('POST', '/api/v1/namespaces/default/pods', pod('d')));
    const spec = (res.body as { spec: PodSpec }).spec;
    assert.equal(spec.priority, 7);
    assert.equal(spec.priorityClassName, 'everyone');
  });

  it('answers registered non-resource paths', async () => {
    api.registerNonResource('/debug/test/', async (_req, path) => ({ status: 200, body: { path } }));
    const res = await api.handle(request('GET', '/debug/test/x/y'));
    assert.deepEqual(res.body, { path: '/debug/test/x/y' });
  });
});
