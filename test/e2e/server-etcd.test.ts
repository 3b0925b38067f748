import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { startEtcd, type RunningEtcd } from './lib/etcd.js';
import { kubectl as runKubectl, type KubectlResult } from './lib/kubectl.js';
import { configMapManifest, manifestDir, tableRows, type ManifestDir } from './lib/manifests.js';

let etcd: RunningEtcd | undefined;
let cluster: RunningCluster | undefined;
let manifests: ManifestDir | undefined;

before(async () => {
  manifests = manifestDir();
  etcd = await startEtcd();
  cluster = await startCluster({ datastoreEndpoint: etcd.endpoint });
});
after(async () => {
  await cluster?.stop();
  await etcd?.stop();
  manifests?.remove();
});

const kubectl = (args: string[]) => runKubectl('1.33', args, { kubeconfig: cluster!.kubeconfig });

function ok(result: KubectlResult, what: string): string {
  assert.equal(result.code, 0, `${what} failed\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result.stdout;
}

describe('skiff server on a real etcd', () => {
  it('serves the four namespaces', async () => {
    const rows = tableRows(ok(await kubectl(['get', 'ns']), 'get ns'));
    assert.deepEqual(rows[0], ['NAME', 'STATUS', 'AGE']);
    assert.deepEqual(rows.slice(1).map((r) => r[0]), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  });

  it('keeps a configmap across a restart of the skiff server on the same etcd', async () => {
    const file = manifests!.write('cm.yaml', configMapManifest('kept', { where: 'etcd' }));
    assert.equal(ok(await kubectl(['create', '--validate=false', '-f', file]), 'create').trim(), 'configmap/kept created');
    const before = JSON.parse(ok(await kubectl(['get', 'cm', 'kept', '-o', 'json']), 'get before'));

    const exit = await cluster!.kill('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null }, 'skiff server exits 0 on SIGTERM');
    await cluster!.restart();

    const afterRestart = JSON.parse(ok(await kubectl(['get', 'cm', 'kept', '-o', 'json']), 'get after restart'));
    assert.deepEqual(afterRestart.data, { where: 'etcd' });
    assert.equal(afterRestart.metadata.uid, before.metadata.uid);
    assert.equal(afterRestart.metadata.resourceVersion, before.metadata.resourceVersion);
    const rows = tableRows(ok(await kubectl(['get', 'ns']), 'get ns after restart'));
    assert.equal(rows.length, 5, 'the namespaces are not created twice');
  });

  it('keeps serving writes after the restart', async () => {
    ok(await kubectl(['label', 'cm', 'kept', 'after=restart']), 'label');
    assert.equal(ok(await kubectl(['get', 'cm', '-l', 'after=restart', '-o', 'jsonpath={.items[*].metadata.name}']), 'get -l'), 'kept');
    assert.equal(ok(await kubectl(['delete', 'cm', 'kept']), 'delete').trim(), 'configmap "kept" deleted');
  });
});
