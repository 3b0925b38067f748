import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { KubeObject } from '../api/index.js';
import { ApiServer, allResources } from '../apiserver/index.js';
import { MemoryStore } from '../store/index.js';
import { InProcessTransport } from './in-process-transport.js';

const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
const configMap = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } }) as KubeObject;

describe('in-process transport', () => {
  let api: ApiServer;
  before(async () => {
    api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger: pino({ level: 'silent' }) });
    await api.start();
  });
  after(() => api.stop());

  it("copies the caller's body, so the server's changes never reach it", async () => {
    const transport = new InProcessTransport(api.handle, admin);
    const body = configMap('copied');
    const answer = (await transport.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body })).body as KubeObject;
    assert.equal(body.metadata.uid, undefined);
    assert.equal(body.metadata.namespace, undefined);
    assert.match(answer.metadata.uid!, /^[0-9a-f-]{36}$/);
    await api.handle({ method: 'GET', path: '/api/v1/namespaces/default/configmaps', query: new URLSearchParams(), headers: {}, user: admin, signal: new AbortController().signal });
    assert.notEqual(api.storage('', 'configmaps').cached('default', 'copied'), answer, 'the watch cache keeps its own copy of an answer the caller may change');
  });

  it('takes a handed-over body as is and may answer with the object the watch cache keeps', async () => {
    const transport = new InProcessTransport(api.handle, admin, { handsOver: true });
    const body = configMap('handed-over');
    const answer = (await transport.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body })).body as KubeObject;
    assert.equal(answer, body);
    await api.handle({ method: 'GET', path: '/api/v1/namespaces/default/configmaps', query: new URLSearchParams(), headers: {}, user: admin, signal: new AbortController().signal });
    const cached = api.storage('', 'configmaps').cached('default', 'handed-over');
    assert.equal(cached, answer);
    assert.equal(JSON.stringify(cached), JSON.stringify((await transport.request({ method: 'GET', path: '/api/v1/namespaces/default/configmaps/handed-over' })).body));
  });

  it('sends its user agent, whose name is the field manager of its writes', async () => {
    const transport = new InProcessTransport(api.handle, admin, { userAgent: 'kube-scheduler/skiff (linux/amd64)' });
    const answer = (await transport.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: configMap('managed') })).body as KubeObject;
    assert.deepEqual((answer.metadata.managedFields as { manager: string; operation: string }[] | undefined)?.map((m) => [m.manager, m.operation]), [['kube-scheduler', 'Update']]);
  });
});
