import assert from 'node:assert/strict';
import { writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { KubeObject } from '../api/index.js';
import { configAnnotations, type Pod } from './pod-types.js';
import { harness, type Harness } from './testing/harness.js';

const manifest = (image: string) => `apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
spec:
  containers:
  - name: etcd
    image: ${image}
`;

describe('kubelet node and static pods', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('registers the Node with labels, capacity, nodeInfo and Ready, and holds its Lease', async () => {
    h = await harness({ kubelet: { nodeLabels: { tier: 'edge' }, taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }], controlPlane: true } });
    await h.until(async () => (await h!.admin.resource('leases').list('kube-node-lease')).items.length === 1, { what: 'lease' });
    const node = (await h.admin.resource('nodes').get(undefined, 'node1')) as KubeObject & { spec: { taints: unknown[] }; status: Record<string, any> };
    assert.equal(node.metadata.labels!['kubernetes.io/hostname'], 'node1');
    assert.equal(node.metadata.labels!['node-role.kubernetes.io/control-plane'], 'true');
    assert.equal(node.metadata.labels!.tier, 'edge');
    assert.deepEqual(node.spec.taints, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]);
    assert.equal(node.status.capacity.pods, '110');
    assert.equal(node.status.capacity.cpu, '4');
    assert.equal(node.status.capacity.memory, `${8 * 1024 * 1024}Ki`);
    assert.equal(node.status.nodeInfo.containerRuntimeVersion, 'sim://1.0.0');
    assert.deepEqual(node.status.addresses, [{ type: 'InternalIP', address: '192.168.1.10' }, { type: 'Hostname', address: 'node1' }]);
    const ready = node.status.conditions.find((c: { type: string }) => c.type === 'Ready');
    assert.equal(ready.status, 'True');
    const lease = (await h.admin.resource('leases').get('kube-node-lease', 'node1')) as KubeObject & { spec: { renewTime: string; holderIdentity: string } };
    const first = lease.spec.renewTime;
    await h.clock.advance(10_000);
    await h.until(async () => ((await h!.admin.resource('leases').get('kube-node-lease', 'node1')) as typeof lease).spec.renewTime !== first, { what: 'lease renewal' });
  });

  it('runs a static pod from the folder, mirrors it, restarts it on edit and stops it on removal', async () => {
    h = await harness();
    const file = join(h.dataDir, 'manifests', 'etcd.yaml');
    await writeFile(file, manifest('etcd:3.5'));
    await h.kubelet.rescanManifests();
    await h.until(async () => (await h!.runtime.listContainers()).some((c) => c.state === 'running'), { what: 'static pod running' });
    await h.until(async () => (await h!.admin.resource<Pod>('pods').list('kube-system')).items.some((p) => p.status?.phase === 'Running'), { what: 'mirror Running' });
    const mirror = await h.pod('etcd-node1', 'kube-system');
    const running = (await h.runtime.listContainers())[0]!;
    assert.equal(mirror.metadata.annotations![configAnnotations.source], 'file');
    assert.equal(mirror.metadata.annotations![configAnnotations.mirror], running.labels['io.kubernetes.pod.uid']);
    assert.deepEqual(mirror.metadata.ownerReferences!.map((o) => [o.kind, o.name, o.controller]), [['Node', 'node1', true]]);
    assert.ok(mirror.spec.tolerations!.some((t) => t.operator === 'Exists' && t.effect === 'NoExecute'));

    await h.admin.resource('pods').delete('kube-system', 'etcd-node1');
    await h.until(async () => {
      const pods = (await h!.admin.resource<Pod>('pods').list('kube-system')).items;
      return pods.length === 1 && pods[0]!.metadata.uid !== mirror.metadata.uid && !pods[0]!.metadata.deletionTimestamp;
    }, { what: 'mirror recreated' });
    assert.equal((await h.runtime.listContainers()).find((c) => c.state === 'running')!.id, running.id, 'deleting the mirror does not restart the pod');

    await writeFile(file, manifest('etcd:3.6'));
    await h.kubelet.rescanManifests();
    await h.until(async () => (await h!.runtime.listContainers()).some((c) => c.state === 'running' && c.image === 'etcd:3.6') && (await h!.runtime.listContainers()).length === 1, { what: 'new spec running' });
    await h.until(async () => (await h!.pod('etcd-node1', 'kube-system').catch(() => undefined))?.spec.containers[0]!.image === 'etcd:3.6', { what: 'mirror updated' });

    await unlink(file);
    await h.kubelet.rescanManifests();
    await h.until(async () => (await h!.runtime.listContainers()).length === 0 && (await h!.admin.resource('pods').list('kube-system')).items.length === 0, { what: 'static pod gone' });
  });

  it('skips a bad manifest with an Event on the Node, leaving the other static pods alone', async () => {
    h = await harness();
    await writeFile(join(h.dataDir, 'manifests', 'good.yaml'), manifest('etcd:3.5'));
    await writeFile(join(h.dataDir, 'manifests', '.hidden.yaml'), manifest('hidden:1'));
    await h.kubelet.rescanManifests();
    await h.until(async () => (await h!.runtime.listContainers()).some((c) => c.state === 'running'), { what: 'good pod' });
    const id = (await h.runtime.listContainers())[0]!.id;
    await writeFile(join(h.dataDir, 'manifests', 'bad.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n');
    await h.kubelet.rescanManifests();
    await h.until(async () => {
      await h!.kubelet.recorder.flush();
      return (await h!.admin.resource('events').list('default')).items.some((e) => e.reason === 'FailedStaticPod' && (e.involvedObject as { kind: string }).kind === 'Node');
    }, { what: 'event on the node' });
    const containers = await h.runtime.listContainers();
    assert.deepEqual(containers.map((c) => [c.id, c.state, c.image]), [[id, 'running', 'etcd:3.5']]);
  });

  it('runs static pods with no API server at all', async () => {
    h = await harness({ withApi: false });
    await writeFile(join(h.dataDir, 'manifests', 'etcd.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'etcd' }, spec: { containers: [{ name: 'etcd', image: 'etcd:3.5' }] } }));
    await h.kubelet.rescanManifests();
    await h.until(async () => (await h!.runtime.listContainers()).some((c) => c.state === 'running'), { what: 'static pod running' });
    assert.equal((await h.runtime.listContainers())[0]!.labels['io.kubernetes.pod.name'], 'etcd-node1');
  });

  it('refuses a mirror pod that references a secret, and a kubelet creating pods for another node', async () => {
    h = await harness();
    const pods = h.admin.resource('pods');
    const mirror = (extra: Record<string, unknown>) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'm', namespace: 'default', annotations: { [configAnnotations.mirror]: 'x' } },
      spec: { nodeName: 'node1', containers: [{ name: 'c', image: 'i' }], ...extra },
    });
    await assert.rejects(pods.create('default', mirror({ serviceAccountName: 'default' })), /pods "m" is forbidden: a mirror pod may not reference service accounts/);
    await assert.rejects(pods.create('default', mirror({ volumes: [{ name: 's', secret: { secretName: 's' } }] })), /a mirror pod may not reference secrets/);
    const { Client, InProcessTransport } = await import('../client/index.js');
    const other = new Client(new InProcessTransport(h.api.handle, { name: 'system:node:node2', groups: ['system:nodes'] })).resource('pods');
    await assert.rejects(other.create('default', mirror({})), /node "node2" can only create pods with spec.nodeName set to itself/);
  });
});
