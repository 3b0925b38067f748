import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { ApiRequest, ApiResponse, KubeObject } from '../api/index.js';
import { MemoryStore } from '../store/index.js';
import { ApiServer } from './api-server.js';
import { allResources } from './resources/index.js';

const user = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
const post = (path: string, body: unknown): ApiRequest => ({ method: 'POST', path, query: new URLSearchParams(), headers: {}, body, user, signal: new AbortController().signal });
const service = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });

describe('Service ClusterIPs and node ports', () => {
  let api: ApiServer;
  const create = async (body: unknown): Promise<ApiResponse> => api.handle(post('/api/v1/namespaces/default/services', body));
  before(async () => {
    api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger: pino({ level: 'silent' }), serviceCidr: '10.96.0.0/28' });
    await api.start();
    await api.publishApiService('192.0.2.10', 6443);
  });
  after(() => api.stop());

  it('gives kubernetes.default the first address of the range', async () => {
    const svc = await api.storage('', 'services').get('default', 'kubernetes');
    assert.equal((svc.spec as { clusterIP: string }).clusterIP, '10.96.0.1');
    const ep = await api.storage('', 'endpoints').get('default', 'kubernetes');
    assert.deepEqual((ep as unknown as { subsets: unknown }).subsets, [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
    const slice = (await api.storage('discovery.k8s.io', 'endpointslices').get('default', 'kubernetes')) as unknown as Record<string, unknown> & KubeObject;
    assert.deepEqual(slice.metadata.labels, { 'kubernetes.io/service-name': 'kubernetes' });
    assert.deepEqual([slice.addressType, slice.endpoints, slice.ports], ['IPv4', [{ addresses: ['192.0.2.10'], conditions: { ready: true } }], [{ name: 'https', port: 6443, protocol: 'TCP' }]]);
  });

  it('brings the endpoints and the slice up to date when the server comes back at another address', async () => {
    await api.publishApiService('192.0.2.11', 6443);
    const ep = await api.storage('', 'endpoints').get('default', 'kubernetes');
    assert.deepEqual((ep as unknown as { subsets: { addresses: unknown }[] }).subsets[0].addresses, [{ ip: '192.0.2.11' }]);
    const slice = await api.storage('discovery.k8s.io', 'endpointslices').get('default', 'kubernetes');
    assert.deepEqual((slice as unknown as { endpoints: { addresses: string[] }[] }).endpoints[0].addresses, ['192.0.2.11']);
    await api.publishApiService('192.0.2.10', 6443);
  });

  it('gives NodePort services node ports in 30000-32767', async () => {
    const res = await create(service('np', { type: 'NodePort' }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const port = ((res.body as KubeObject).spec as { ports: { nodePort: number }[] }).ports[0].nodePort;
    assert.ok(port >= 30000 && port <= 32767);
  });

  it('allocates distinct ClusterIPs inside the range until it is full', async () => {
    const ips = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const res = await create(service(`s${i}`));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const spec = (res.body as KubeObject).spec as { clusterIP: string; clusterIPs: string[] };
      assert.match(spec.clusterIP, /^10\.96\.0\.(\d+)$/);
      assert.deepEqual(spec.clusterIPs, [spec.clusterIP]);
      ips.add(spec.clusterIP);
    }
    assert.equal(ips.size, 12);
    assert.ok(!ips.has('10.96.0.1') && !ips.has('10.96.0.0') && !ips.has('10.96.0.15'));
    const full = await create(service('one-too-many'));
    assert.equal(full.status, 500);
    assert.match((full.body as { message: string }).message, /range is full/);
  });

  it('refuses an address that is taken or outside the range, and leaves headless services alone', async () => {
    const taken = await create(service('taken', { clusterIP: '10.96.0.1' }));
    assert.equal(taken.status, 422);
    assert.match((taken.body as { message: string }).message, /provided IP is already allocated/);
    const outside = await create(service('outside', { clusterIP: '10.0.0.1' }));
    assert.equal(outside.status, 422);
    const headless = await create(service('headless', { clusterIP: 'None' }));
    assert.equal(headless.status, 201);
    assert.equal(((headless.body as KubeObject).spec as { clusterIP: string }).clusterIP, 'None');
  });
});
