import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { curl, type CurlRequest } from './lib/curl.js';
import { kubectl as runKubectl, type KubectlResult } from './lib/kubectl.js';
import { deploymentManifest, manifestDir, podManifest, tableRows, type ManifestDir } from './lib/manifests.js';

/**
 * The verbs and semantics of the spine issue as kubectl 1.33 (and curl, for what kubectl does not
 * send) sees them: field selectors, chunked lists, generateName, delete (collection, grace,
 * finalizers, propagation), status subresources, immutable pod fields, YAML bodies, discovery
 * negotiation. The scheduler is off so pods stay where the test puts them.
 */
let cluster: RunningCluster | undefined;
let manifests: ManifestDir;

before(async () => {
  manifests = manifestDir();
  cluster = await startCluster({ extraArgs: ['--disable-scheduler'] });
});
after(async () => {
  await cluster?.stop();
  manifests?.remove();
});

const kubectl = (args: string[]) => runKubectl('1.33', args, { kubeconfig: cluster!.kubeconfig });
const call = (path: string, request?: CurlRequest) => curl(cluster!.url, cluster!.dataDir, path, request);

function ok(result: KubectlResult, what: string): string {
  assert.equal(result.code, 0, `${what} failed\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result.stdout;
}
const run = async (...args: string[]) => ok(await kubectl(args), `kubectl ${args.join(' ')}`);
const names = async (...args: string[]) => (await run('get', ...args, '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').filter(Boolean);

function pod(name: string, spec: Record<string, unknown> = {}, namespace = 'default'): object {
  const base = podManifest(name) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  return { ...base, metadata: { ...base.metadata, namespace }, spec: { ...base.spec, ...spec } };
}

describe('kubectl 1.33: list, select, delete, subresources', () => {
  it('field selectors on pods: metadata.name, metadata.namespace, spec.nodeName, spec.schedulerName, status.phase with != and commas', async () => {
    await run('create', 'namespace', 'fs');
    const file = manifests.write(
      'fs-pods.yaml',
      pod('fs-a', { nodeName: 'n1' }),
      pod('fs-b', { nodeName: 'n2', schedulerName: 'other-scheduler' }),
      pod('fs-c'),
      pod('fs-d', {}, 'fs'),
    );
    await run('create', '-f', file);
    await run('patch', 'pod', 'fs-a', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running"}}');
    await run('patch', 'pod', 'fs-b', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Failed"}}');

    assert.deepEqual(await names('pods', '-A', '--field-selector', 'metadata.name=fs-c'), ['fs-c']);
    assert.deepEqual(await names('pods', '-A', '--field-selector', 'metadata.namespace=fs'), ['fs-d']);
    assert.deepEqual(await names('pods', '-A', '--field-selector', 'spec.nodeName=n1'), ['fs-a']);
    assert.deepEqual(await names('pods', '--field-selector', 'spec.nodeName='), ['fs-c']);
    assert.deepEqual(await names('pods', '--field-selector', 'spec.schedulerName=other-scheduler'), ['fs-b']);
    assert.deepEqual(await names('pods', '--field-selector', 'spec.schedulerName!=other-scheduler'), ['fs-a', 'fs-c']);
    assert.deepEqual(await names('pods', '--field-selector', 'status.phase!=Running,status.phase!=Failed'), ['fs-c']);
    assert.deepEqual(await names('pods', '--field-selector', 'status.phase==Running,spec.nodeName=n1'), ['fs-a']);
    const rows = tableRows(await run('get', 'pods', '--field-selector', 'status.phase=Failed'));
    assert.deepEqual(rows.map((r) => r.slice(0, 3)), [['NAME', 'READY', 'STATUS'], ['fs-b', '0/1', 'Failed']]);
    const bad = await kubectl(['get', 'pods', '--field-selector', 'spec.bogus=x']);
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr.trim(),
      'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.bogus=x": field label not supported: spec.bogus',
    );
  });

  it('field selectors on events (involvedObject.*) and nodes (spec.unschedulable)', async () => {
    const event = (name: string, involved: string) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name },
      involvedObject: { kind: 'Pod', name: involved, namespace: 'default' },
      reason: 'Audited',
      message: `about ${involved}`,
      type: 'Normal',
    });
    const node = (name: string, unschedulable: boolean) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { unschedulable } });
    await run('create', '-f', manifests.write('fs-events-nodes.yaml', event('ev-a', 'fs-a'), event('ev-c', 'fs-c'), node('n1', false), node('n2', true)));
    assert.deepEqual(await names('events', '--field-selector', 'involvedObject.kind=Pod,involvedObject.name=fs-c'), ['ev-c']);
    assert.deepEqual(await names('events', '--field-selector', 'involvedObject.name!=fs-c,reason=Audited'), ['ev-a']);
    assert.deepEqual(await names('nodes', '--field-selector', 'spec.unschedulable=true'), ['n2']);
    assert.deepEqual(await names('nodes', '--field-selector', 'spec.unschedulable=false'), ['n1']);
  });

  it('get pods --chunk-size=2 with five pods pages with continue and lists all five', async () => {
    await run('create', 'namespace', 'chunks');
    await run('create', '-f', manifests.write('chunks.yaml', ...[1, 2, 3, 4, 5].map((i) => pod(`chunk-${i}`, {}, 'chunks'))));
    const result = await kubectl(['get', 'pods', '-n', 'chunks', '--chunk-size=2', '-v=6']);
    const rows = tableRows(ok(result, 'get --chunk-size=2'));
    assert.deepEqual(rows.map((r) => r[0]), ['NAME', 'chunk-1', 'chunk-2', 'chunk-3', 'chunk-4', 'chunk-5']);
    const requests = result.stderr.split('\n').filter((line) => /"GET" url="https:\S+\/namespaces\/chunks\/pods\?/.test(line));
    assert.equal(requests.length, 3, requests.join('\n'));
    assert.equal(requests.filter((line) => line.includes('continue=')).length, 2);
  });

  it('generateName makes a fresh name on each create', async () => {
    const file = manifests.write('gen.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' }, data: { a: 'b' } });
    const first = (await run('create', '-f', file)).trim();
    const second = (await run('create', '-f', file)).trim();
    assert.match(first, /^configmap\/gen-[a-z0-9]{5} created$/);
    assert.match(second, /^configmap\/gen-[a-z0-9]{5} created$/);
    assert.notEqual(first, second);
  });

  it('delete -l and delete --all print one line per object; DELETE on the collection honours the selector', async () => {
    assert.equal(await run('delete', 'pods', '-n', 'chunks', '-l', 'app=chunk-1'), 'pod "chunk-1" deleted\n');
    const reply = await call('/api/v1/namespaces/chunks/pods?labelSelector=app%20in%20(chunk-2,chunk-3)', { method: 'DELETE' });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json().kind, 'PodList');
    assert.deepEqual(reply.json().items.map((p: { metadata: { name: string } }) => p.metadata.name), ['chunk-2', 'chunk-3']);
    assert.deepEqual(await names('pods', '-n', 'chunks'), ['chunk-4', 'chunk-5']);
    assert.equal(await run('delete', 'pods', '--all', '-n', 'chunks'), 'pod "chunk-4" deleted\npod "chunk-5" deleted\n');
    assert.deepEqual(await names('pods', '-n', 'chunks'), []);
  });

  it('a bound pod is deleted gracefully (Terminating), then at once with --grace-period=0 --force', async () => {
    assert.equal(await run('delete', 'pod', 'fs-a', '--wait=false'), 'pod "fs-a" deleted\n');
    const terminating = JSON.parse(await run('get', 'pod', 'fs-a', '-o', 'json'));
    assert.ok(terminating.metadata.deletionTimestamp);
    assert.equal(terminating.metadata.deletionGracePeriodSeconds, 30);
    assert.equal(tableRows(await run('get', 'pod', 'fs-a'))[1][2], 'Terminating');
    const forced = await kubectl(['delete', 'pod', 'fs-a', '--grace-period=0', '--force']);
    assert.equal(ok(forced, 'delete --force'), 'pod "fs-a" force deleted\n');
    assert.match(forced.stderr, /^Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated/);
    const gone = await kubectl(['get', 'pod', 'fs-a']);
    assert.equal(gone.stderr.trim(), 'Error from server (NotFound): pods "fs-a" not found');
  });

  it('a finalizer keeps a deleted object until it is removed', async () => {
    await run('create', '-f', manifests.write('held.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } }));
    assert.equal(await run('delete', 'configmap', 'held', '--wait=false'), 'configmap "held" deleted\n');
    const held = JSON.parse(await run('get', 'configmap', 'held', '-o', 'json'));
    assert.ok(held.metadata.deletionTimestamp);
    assert.deepEqual(held.metadata.finalizers, ['example.com/hold']);
    await run('patch', 'configmap', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
    assert.equal((await kubectl(['get', 'configmap', 'held'])).code, 1);
  });

  it('propagationPolicy is recorded as the garbage collector finalizers (Foreground, Orphan)', async () => {
    await run('create', '-f', manifests.write('cascade.yaml', deploymentManifest('fg'), deploymentManifest('orph')));
    const del = (name: string, body: object) =>
      call(`/apis/apps/v1/namespaces/default/deployments/${name}`, { method: 'DELETE', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const foreground = await del('fg', { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    // upstream answers 202 Accepted when the object stays until its finalizers are done
    assert.equal(foreground.status, 202, foreground.text);
    assert.deepEqual(foreground.json().metadata.finalizers, ['foregroundDeletion']);
    assert.ok(foreground.json().metadata.deletionTimestamp);
    const orphan = await del('orph', { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' });
    assert.equal(orphan.status, 202, orphan.text);
    assert.deepEqual(orphan.json().metadata.finalizers, ['orphan']);
    const bad = await del('orph', { propagationPolicy: 'Sideways' });
    assert.equal(bad.status, 422, bad.text);
  });

  it('the status subresource ignores spec; the main resource ignores status', async () => {
    assert.equal(
      await run('patch', 'pod', 'fs-c', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running"},"spec":{"activeDeadlineSeconds":5}}'),
      'pod/fs-c patched\n',
    );
    assert.equal(await run('get', 'pod', 'fs-c', '-o', 'jsonpath={.status.phase}/{.spec.activeDeadlineSeconds}'), 'Running/');
    assert.equal(await run('patch', 'pod', 'fs-c', '--type=merge', '-p', '{"status":{"phase":"Failed"}}'), 'pod/fs-c patched (no change)\n');
    assert.equal(await run('get', 'pod', 'fs-c', '-o', 'jsonpath={.status.phase}'), 'Running');
  });

  it('a change to an immutable pod spec field answers 422 with upstream\'s message', async () => {
    const result = await kubectl(['patch', 'pod', 'fs-c', '--type=merge', '-p', '{"spec":{"restartPolicy":"Never"}}']);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^The Pod "fs-c" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,`spec\.initContainers\[\*\]\.image`,`spec\.activeDeadlineSeconds`,`spec\.tolerations` \(only additions to existing tolerations\),`spec\.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)/,
    );
    assert.equal(await run('patch', 'pod', 'fs-c', '--type=json', '-p', '[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:2"}]'), 'pod/fs-c patched\n');
  });

  it('YAML bodies: a good one creates, a malformed one answers 400 BadRequest', async () => {
    const post = (body: string) => call('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body });
    const good = await post('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: b\n');
    assert.equal(good.status, 201, good.text);
    assert.deepEqual(good.json().data, { a: 'b' });
    const bad = await post('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n');
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json().kind, 'Status');
    assert.equal(bad.json().reason, 'BadRequest');
    assert.match(bad.json().message, /^error converting YAML to JSON: /);
  });

  it('aggregated discovery: v2beta1 for what kubectl 1.27–1.29 offer, v2 for 1.30+, plain lists otherwise', async () => {
    const offers127 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const offers133 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,' + offers127;
    for (const path of ['/api', '/apis']) {
      const old = await call(path, { headers: { Accept: offers127 } });
      assert.equal(old.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
      assert.equal(old.json().apiVersion, 'apidiscovery.k8s.io/v2beta1');
      const fresh = await call(path, { headers: { Accept: offers133 } });
      assert.equal(fresh.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
      assert.equal(fresh.json().apiVersion, 'apidiscovery.k8s.io/v2');
      const plain = await call(path, { headers: { Accept: 'application/json' } });
      assert.equal(plain.json().kind, path === '/api' ? 'APIVersions' : 'APIGroupList');
    }
    const groups = (await call('/apis', { headers: { Accept: offers133 } })).json().items.map((g: { metadata: { name: string } }) => g.metadata.name);
    for (const group of ['apps', 'batch', 'coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io']) assert.ok(groups.includes(group), `${group} in ${groups}`);
  });
});
