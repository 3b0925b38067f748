import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { curl } from './lib/curl.js';
import { kubectl as runKubectl, type KubectlResult } from './lib/kubectl.js';
import { configMapManifest, deploymentManifest, manifestDir, podManifest, type ManifestDir } from './lib/manifests.js';

let cluster: RunningCluster | undefined;
let manifests: ManifestDir | undefined;

before(async () => {
  manifests = manifestDir();
  cluster = await startCluster();
});
after(async () => {
  await cluster?.stop();
  manifests?.remove();
});

function ok(result: KubectlResult, what: string): string {
  assert.equal(result.code, 0, `${what} failed\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result.stdout;
}

interface WatchLine {
  type: string;
  object: { kind?: string; code?: number; reason?: string; message?: string; metadata?: { name?: string; labels?: Record<string, string> } };
}

describe('skiff server restarted on the same SQLite data dir', () => {
  let oldKubeconfig: string;
  let caBefore: string;
  let versionBeforeChange: string;
  let uidBefore: string;

  it('creates objects before the restart', async () => {
    oldKubeconfig = join(manifests!.dir, 'old-kubeconfig.yaml');
    copyFileSync(cluster!.kubeconfig, oldKubeconfig);
    caBefore = readFileSync(join(cluster!.dataDir, 'tls', 'ca.crt'), 'utf8');
    const file = manifests!.write('objects.yaml', podManifest('survivor'), deploymentManifest('survivor'), configMapManifest('survivor', { count: '1' }));
    ok(await runKubectl('1.33', ['create', '--validate=false', '-f', file], { kubeconfig: oldKubeconfig }), 'create');
    const cm = JSON.parse(ok(await runKubectl('1.33', ['get', 'cm', 'survivor', '-o', 'json'], { kubeconfig: oldKubeconfig }), 'get cm'));
    versionBeforeChange = cm.metadata.resourceVersion;
    uidBefore = cm.metadata.uid;
    ok(await runKubectl('1.33', ['label', 'cm', 'survivor', 'changed=before-restart'], { kubeconfig: oldKubeconfig }), 'label');
  });

  it('stops on SIGTERM with exit code 0 and starts again', async () => {
    const exit = await cluster!.kill('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null });
    await cluster!.restart();
    assert.equal(readFileSync(join(cluster!.dataDir, 'tls', 'ca.crt'), 'utf8'), caBefore, 'the CA is kept');
  });

  it('the old kubeconfig still works and the objects are all there', async () => {
    const kubectl = (args: string[]) => runKubectl('1.29', args, { kubeconfig: oldKubeconfig });
    assert.equal(ok(await kubectl(['get', 'pod', 'survivor', '-o', 'jsonpath={.status.phase}']), 'get pod'), 'Pending');
    assert.equal(ok(await kubectl(['get', 'deployment', 'survivor', '-o', 'jsonpath={.spec.replicas}']), 'get deploy'), '1');
    const cm = JSON.parse(ok(await kubectl(['get', 'cm', 'survivor', '-o', 'json']), 'get cm'));
    assert.deepEqual(cm.data, { count: '1' });
    assert.equal(cm.metadata.uid, uidBefore);
    assert.equal(cm.metadata.labels.changed, 'before-restart');
    const namespaces = ok(await kubectl(['get', 'ns', '-o', 'jsonpath={.items[*].metadata.name}']), 'get ns');
    assert.equal(namespaces, 'default kube-node-lease kube-public kube-system');
  });

  it('a watch from a resourceVersion before the restart answers 410 Expired or replays the change, as upstream may', async (t) => {
    const reply = await curl(cluster!.url, cluster!.dataDir, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${versionBeforeChange}&timeoutSeconds=2`);
    if (reply.status === 410) {
      const status = reply.json();
      assert.equal(status.kind, 'Status');
      assert.equal(status.reason, 'Expired');
      t.diagnostic(`HTTP 410: ${status.message}`);
      return;
    }
    assert.equal(reply.status, 200, reply.text);
    const events = reply.text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as WatchLine);
    assert.ok(events.length > 0, 'the watch answered no event at all');
    const first = events[0]!;
    if (first.type === 'ERROR') {
      assert.equal(first.object.kind, 'Status');
      assert.equal(first.object.code, 410);
      assert.equal(first.object.reason, 'Expired');
      assert.match(first.object.message ?? '', /^too old resource version: \d+ \(\d+\)$/);
      t.diagnostic(`ERROR event: ${first.object.message}`);
      return;
    }
    const change = events.find((e) => e.object.metadata?.name === 'survivor');
    assert.equal(change?.type, 'MODIFIED', `the label change after ${versionBeforeChange} is replayed: ${reply.text}`);
    assert.equal(change?.object.metadata?.labels?.changed, 'before-restart');
    t.diagnostic(`replayed: ${events.map((e) => e.type).join(', ')}`);
  });

  it('new writes after the restart get newer resourceVersions', async () => {
    const kubectl = (args: string[]) => runKubectl('1.33', args, { kubeconfig: cluster!.kubeconfig });
    ok(await kubectl(['label', 'cm', 'survivor', 'changed=after-restart', '--overwrite']), 'label after restart');
    const cm = JSON.parse(ok(await kubectl(['get', 'cm', 'survivor', '-o', 'json']), 'get cm'));
    assert.ok(BigInt(cm.metadata.resourceVersion) > BigInt(versionBeforeChange));
    assert.equal(ok(await kubectl(['delete', 'pod', 'survivor']), 'delete pod').trim(), 'pod "survivor" deleted');
  });
});
