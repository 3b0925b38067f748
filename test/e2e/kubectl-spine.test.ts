import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { kubectl as runKubectl, startKubectl, type KubectlResult, type KubectlVersion } from './lib/kubectl.js';
import { configMapManifest, deploymentManifest, manifestDir, podManifest, tableRows, type ManifestDir } from './lib/manifests.js';

let cluster: RunningCluster | undefined;
let manifests: ManifestDir;

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

for (const version of ['1.29', '1.33'] as KubectlVersion[]) {
  describe(`kubectl ${version} against one SQLite server`, () => {
    const v = version.replace('.', '');
    const pod = `spine-pod-${v}`;
    const deploy = `spine-deploy-${v}`;
    const cm = `spine-cm-${v}`;
    const kubectl = (args: string[], input?: string) => runKubectl(version, args, { kubeconfig: cluster!.kubeconfig, input });
    let objectsFile: string;

    it('get ns shows the four namespaces, Active, under the upstream header', async () => {
      const rows = tableRows(ok(await kubectl(['get', 'ns']), 'get ns'));
      assert.deepEqual(rows[0], ['NAME', 'STATUS', 'AGE']);
      const body = rows.slice(1).map(([name, status]) => [name, status]);
      assert.deepEqual(body, [
        ['default', 'Active'],
        ['kube-node-lease', 'Active'],
        ['kube-public', 'Active'],
        ['kube-system', 'Active'],
      ]);
    });

    it('create -f with the default validation (needs OpenAPI)', async () => {
      const file = manifests.write(`strict-${v}.yaml`, configMapManifest(`strict-cm-${v}`));
      const created = await kubectl(['create', '-f', file]);
      assert.equal(created.stdout.trim(), `configmap/strict-cm-${v} created`, created.stderr);
      ok(await kubectl(['delete', '-f', file]), 'delete -f');
    });

    it('create -f of a pod, a deployment and a configmap prints the upstream lines', async () => {
      objectsFile = manifests.write(`objects-${v}.yaml`, podManifest(pod), deploymentManifest(deploy), configMapManifest(cm));
      const out = ok(await kubectl(['create', '-f', objectsFile]), 'create -f');
      assert.deepEqual(out.trim().split('\n'), [`pod/${pod} created`, `deployment.apps/${deploy} created`, `configmap/${cm} created`]);
    });

    it('create -f of an existing object answers AlreadyExists', async () => {
      const file = manifests.write(`again-${v}.yaml`, configMapManifest(cm));
      const again = await kubectl(['create', '-f', file]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, new RegExp(`Error from server \\(AlreadyExists\\): error when creating "${file}": configmaps "${cm}" already exists`));
    });

    it('get pods -o wide shows the wide columns and an unbound Pending pod', async () => {
      const rows = tableRows(ok(await kubectl(['get', 'pod', pod, '-o', 'wide']), 'get -o wide'));
      assert.deepEqual(rows[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
      assert.equal(rows.length, 2);
      const [name, ready, status, restarts, , ip, node, nominated, gates] = rows[1]!;
      assert.deepEqual([name, ready, status, restarts, ip, node, nominated, gates], [pod, '0/1', 'Pending', '0', '<none>', '<none>', '<none>', '<none>']);
    });

    it('get pod -o json carries the upstream defaults', async () => {
      const obj = JSON.parse(ok(await kubectl(['get', 'pod', pod, '-o', 'json']), 'get -o json'));
      assert.equal(obj.kind, 'Pod');
      assert.equal(obj.apiVersion, 'v1');
      assert.equal(obj.metadata.name, pod);
      assert.equal(obj.metadata.namespace, 'default');
      assert.match(obj.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.match(obj.metadata.resourceVersion, /^\d+$/);
      assert.match(obj.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(obj.spec.restartPolicy, 'Always');
      assert.equal(obj.spec.dnsPolicy, 'ClusterFirst');
      assert.equal(obj.spec.schedulerName, 'default-scheduler');
      assert.equal(obj.spec.terminationGracePeriodSeconds, 30);
      assert.equal(obj.spec.containers[0].imagePullPolicy, 'IfNotPresent');
      assert.equal(obj.spec.containers[0].terminationMessagePath, '/dev/termination-log');
      assert.equal(obj.spec.containers[0].terminationMessagePolicy, 'File');
      assert.equal(obj.status.phase, 'Pending');
      assert.equal(obj.status.qosClass, 'BestEffort');
      assert.equal(obj.spec.nodeName, undefined);
    });

    it('get pod -o yaml is the same object as YAML', async () => {
      const obj = parse(ok(await kubectl(['get', 'pod', pod, '-o', 'yaml']), 'get -o yaml'));
      assert.equal(obj.kind, 'Pod');
      assert.equal(obj.metadata.name, pod);
      assert.equal(obj.spec.containers[0].image, 'nginx:1.27');
      assert.equal(obj.status.phase, 'Pending');
    });

    it('get deployment -o json carries the apps defaults', async () => {
      const obj = JSON.parse(ok(await kubectl(['get', 'deployment', deploy, '-o', 'json']), 'get deploy -o json'));
      assert.equal(obj.apiVersion, 'apps/v1');
      assert.equal(obj.metadata.generation, 1);
      assert.equal(obj.spec.strategy.type, 'RollingUpdate');
      assert.equal(obj.spec.strategy.rollingUpdate.maxSurge, '25%');
      assert.equal(obj.spec.strategy.rollingUpdate.maxUnavailable, '25%');
      assert.equal(obj.spec.revisionHistoryLimit, 10);
      assert.equal(obj.spec.progressDeadlineSeconds, 600);
      assert.equal(obj.spec.template.spec.restartPolicy, 'Always');
    });

    it('get -o jsonpath prints the names', async () => {
      const out = ok(await kubectl(['get', 'pods', '-l', `app=${pod}`, '-o', 'jsonpath={.items[*].metadata.name}']), 'jsonpath');
      assert.equal(out, pod);
      const cmData = ok(await kubectl(['get', 'cm', cm, '-o', 'jsonpath={.data.greeting}']), 'jsonpath cm');
      assert.equal(cmData, 'hello');
    });

    it('get all shows the pod and the deployment', async () => {
      const out = ok(await kubectl(['get', 'all']), 'get all');
      assert.match(out, new RegExp(`^pod/${pod}\\s+0/1\\s+Pending\\s+0\\s`, 'm'));
      assert.match(out, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
      assert.match(out, new RegExp(`^deployment\\.apps/${deploy}\\s`, 'm'));
    });

    it('label, then get pods -l finds the pod by its new label', async () => {
      assert.equal(ok(await kubectl(['label', 'pod', pod, `tier-${v}=front`]), 'label').trim(), `pod/${pod} labeled`);
      const rows = tableRows(ok(await kubectl(['get', 'pods', '-l', `tier-${v}=front`]), 'get -l'));
      assert.deepEqual(rows[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
      assert.deepEqual(rows.slice(1).map((r) => r[0]), [pod]);
      const none = await kubectl(['get', 'pods', '-l', `tier-${v}=back`]);
      assert.equal(none.code, 0);
      assert.equal(none.stdout, '');
      assert.equal(none.stderr.trim(), 'No resources found in default namespace.');
    });

    it('annotate sets an annotation', async () => {
      assert.equal(ok(await kubectl(['annotate', 'pod', pod, 'skiff.test/note=hi there']), 'annotate').trim(), `pod/${pod} annotated`);
      const note = ok(await kubectl(['get', 'pod', pod, '-o', 'jsonpath={.metadata.annotations.skiff\\.test/note}']), 'read annotation');
      assert.equal(note, 'hi there');
    });

    it('get -w --output-watch-events shows a change as it happens', async () => {
      const watcher = startKubectl(version, ['get', 'pods', '-w', '--output-watch-events'], { kubeconfig: cluster!.kubeconfig });
      try {
        await watcher.waitForOutput(/^EVENT\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
        await watcher.waitForOutput(new RegExp(`^ADDED\\s+${pod}\\s+0/1\\s+Pending`, 'm'));
        ok(await kubectl(['label', 'pod', pod, `watched-${v}=yes`]), 'label while watching');
        await watcher.waitForOutput(new RegExp(`^MODIFIED\\s+${pod}\\s+0/1\\s+Pending`, 'm'));
      } finally {
        await watcher.stop();
      }
    });

    it('get pods -w (no event column) prints the new state line', async () => {
      const watcher = startKubectl(version, ['get', 'pods', pod, '-w'], { kubeconfig: cluster!.kubeconfig });
      try {
        await watcher.waitForOutput(new RegExp(`^${pod}\\s+0/1\\s+Pending`, 'm'));
        ok(await kubectl(['annotate', 'pod', pod, `watched-${v}=again`]), 'annotate while watching');
        await watcher.waitForOutput(new RegExp(`^${pod}\\s+0/1\\s+Pending[^\\n]*\\n${pod}\\s+0/1\\s+Pending`, 'm'));
      } finally {
        await watcher.stop();
      }
    });

    it('get pods --sort-by=.metadata.name orders the rows', async () => {
      const file = manifests.write(`sorted-${v}.yaml`, podManifest(`zz-sort-${v}`, { sort: v }), podManifest(`aa-sort-${v}`, { sort: v }));
      ok(await kubectl(['create', '-f', file]), 'create pods to sort');
      const rows = tableRows(ok(await kubectl(['get', 'pods', '-l', `sort=${v}`, '--sort-by=.metadata.name']), 'sort-by'));
      assert.deepEqual(rows.slice(1).map((r) => r[0]), [`aa-sort-${v}`, `zz-sort-${v}`]);
      const desc = tableRows(ok(await kubectl(['get', 'pods', '-l', `sort=${v}`, '--sort-by=.metadata.creationTimestamp']), 'sort-by time'));
      assert.equal(desc.length, 3);
      ok(await kubectl(['delete', '-f', file]), 'delete sorted pods');
    });

    it('get pod missing answers NotFound on stderr and exit 1', async () => {
      const result = await kubectl(['get', 'pod', 'missing']);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr.trim(), 'Error from server (NotFound): pods "missing" not found');
    });

    it('replace -f with a stale resourceVersion answers Conflict', async () => {
      const stale = ok(await kubectl(['get', 'cm', cm, '-o', 'yaml']), 'get cm -o yaml');
      ok(await kubectl(['label', 'cm', cm, 'bumped=yes']), 'label cm');
      const staleFile = join(manifests.dir, `stale-${v}.yaml`);
      writeFileSync(staleFile, stale.replace('greeting: hello', 'greeting: stale'));
      const result = await kubectl(['replace', '-f', staleFile]);
      assert.equal(result.code, 1, result.stdout);
      assert.equal(
        result.stderr.trim(),
        `Error from server (Conflict): error when replacing "${staleFile}": Operation cannot be fulfilled on configmaps "${cm}": the object has been modified; please apply your changes to the latest version and try again`,
      );
      assert.equal(ok(await kubectl(['get', 'cm', cm, '-o', 'jsonpath={.data.greeting}']), 'read back'), 'hello');
    });

    it('replace -f with the current resourceVersion succeeds', async () => {
      const current = ok(await kubectl(['get', 'cm', cm, '-o', 'yaml']), 'get cm -o yaml');
      const file = join(manifests.dir, `current-${v}.yaml`);
      writeFileSync(file, current.replace('greeting: hello', 'greeting: replaced'));
      assert.equal(ok(await kubectl(['replace', '-f', file]), 'replace').trim(), `configmap/${cm} replaced`);
      assert.equal(ok(await kubectl(['get', 'cm', cm, '-o', 'jsonpath={.data.greeting}']), 'read back'), 'replaced');
    });

    it('an invalid name answers Invalid with the field and exit 1', async () => {
      const file = manifests.write(`bad-${v}.yaml`, podManifest('Bad_Name'));
      const result = await kubectl(['create', '-f', file]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^The Pod "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters/m);
      assert.equal((await kubectl(['get', 'pod', 'Bad_Name'])).code, 1);
    });

    it('api-resources lists pods with the short name po', async () => {
      const rows = tableRows(ok(await kubectl(['api-resources']), 'api-resources'));
      assert.deepEqual(rows[0], ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
      assert.deepEqual(rows.find((r) => r[0] === 'pods'), ['pods', 'po', 'v1', 'true', 'Pod']);
      assert.deepEqual(rows.find((r) => r[0] === 'deployments'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
      assert.deepEqual(rows.find((r) => r[0] === 'namespaces'), ['namespaces', 'ns', 'v1', 'false', 'Namespace']);
    });

    it('get --raw /version answers the version info', async () => {
      const info = JSON.parse(ok(await kubectl(['get', '--raw', '/version']), 'get --raw'));
      assert.match(info.major, /^\d+$/);
      assert.match(info.minor, /^\d+/);
      assert.match(info.gitVersion, /^v\d+\.\d+\.\d+/);
      assert.equal(typeof info.platform, 'string');
    });

    it('get events answers without error', async () => {
      const result = await kubectl(['get', 'events']);
      assert.equal(result.code, 0, result.stderr);
      if (result.stdout === '') assert.equal(result.stderr.trim(), 'No resources found in default namespace.');
      else assert.match(result.stdout, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
    });

    it('describe svc kubernetes shows the server as its endpoint (1.33 reads it from the EndpointSlice)', async () => {
      const out = ok(await kubectl(['describe', 'svc', 'kubernetes', '-n', 'default']), 'describe svc kubernetes');
      assert.match(out, /^Endpoints:\s+\d+\.\d+\.\d+\.\d+:\d+$/m);
    });

    it('auth can-i says yes (until RBAC every authenticated user may do all), and auth whoami names the admin', async () => {
      assert.equal(ok(await kubectl(['auth', 'can-i', 'create', 'pods']), 'auth can-i').trim(), 'yes');
      assert.equal(ok(await kubectl(['auth', 'can-i', 'get', '/healthz']), 'auth can-i (non-resource)').trim(), 'yes');
      const rules = tableRows(ok(await kubectl(['auth', 'can-i', '--list']), 'auth can-i --list'));
      assert.deepEqual(rules.slice(1), [['*.*', '[]', '[]', '[*]'], ['[*]', '[]', '[*]']]);
      const whoami = tableRows(ok(await kubectl(['auth', 'whoami']), 'auth whoami'));
      assert.deepEqual(whoami, [['ATTRIBUTE', 'VALUE'], ['Username', 'admin'], ['Groups', '[system:masters system:authenticated]']]);
    });

    it('get nodes finds none (no agent)', async () => {
      const result = await kubectl(['get', 'nodes']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr.trim(), 'No resources found');
    });

    it('get cm,secrets -A lists across namespaces', async () => {
      const out = ok(await kubectl(['get', 'cm,secrets', '-A']), 'get cm,secrets -A');
      assert.match(out, /^NAMESPACE\s+NAME\s+DATA\s+AGE$/m);
      assert.match(out, new RegExp(`^default\\s+configmap/${cm}\\s+1\\s`, 'm'));
    });

    it('delete --dry-run=server says deleted and keeps the objects (kubectl sends dryRun in the body)', async () => {
      const out = ok(await kubectl(['delete', '-f', objectsFile, '--dry-run=server']), 'delete --dry-run=server');
      assert.deepEqual(out.trim().split('\n'), [`pod "${pod}" deleted (server dry run)`, `deployment.apps "${deploy}" deleted (server dry run)`, `configmap "${cm}" deleted (server dry run)`]);
      const names = ok(await kubectl(['get', '-f', objectsFile, '-o', 'name']), 'get -f after the dry run');
      assert.deepEqual(names.trim().split('\n'), [`pod/${pod}`, `deployment.apps/${deploy}`, `configmap/${cm}`]);
    });

    it('delete -f removes the three objects with the upstream lines', async () => {
      const out = ok(await kubectl(['delete', '-f', objectsFile]), 'delete -f');
      assert.deepEqual(out.trim().split('\n'), [`pod "${pod}" deleted`, `deployment.apps "${deploy}" deleted`, `configmap "${cm}" deleted`]);
      const gone = await kubectl(['get', 'deployment', deploy]);
      assert.equal(gone.stderr.trim(), `Error from server (NotFound): deployments.apps "${deploy}" not found`);
    });

    it('delete --wait of an unbound pod returns once it is gone', async () => {
      const file = manifests.write(`wait-${v}.yaml`, podManifest(`wait-${v}`));
      ok(await kubectl(['create', '-f', file]), 'create');
      assert.equal(ok(await kubectl(['delete', 'pod', `wait-${v}`, '--wait=true']), 'delete --wait').trim(), `pod "wait-${v}" deleted`);
      const afterDelete = await kubectl(['get', 'pod', `wait-${v}`]);
      assert.equal(afterDelete.code, 1);
      assert.equal(afterDelete.stderr.trim(), `Error from server (NotFound): pods "wait-${v}" not found`);
    });

    it('typed create commands (create configmap, secret generic, deployment)', async () => {
      assert.equal(ok(await kubectl(['create', 'configmap', `typed-cm-${v}`, '--from-literal=k=v']), 'create configmap').trim(), `configmap/typed-cm-${v} created`);
      assert.equal(ok(await kubectl(['create', 'secret', 'generic', `typed-secret-${v}`, '--from-literal=k=v']), 'create secret').trim(), `secret/typed-secret-${v} created`);
      assert.equal(ok(await kubectl(['create', 'deployment', `typed-deploy-${v}`, '--image=nginx:1.27']), 'create deployment').trim(), `deployment.apps/typed-deploy-${v} created`);
      assert.equal(ok(await kubectl(['get', 'secret', `typed-secret-${v}`, '-o', 'jsonpath={.data.k}']), 'get secret'), Buffer.from('v').toString('base64'));
      ok(await kubectl(['delete', 'cm', `typed-cm-${v}`]), 'delete cm');
      ok(await kubectl(['delete', 'secret', `typed-secret-${v}`]), 'delete secret');
      ok(await kubectl(['delete', 'deployment', `typed-deploy-${v}`]), 'delete deployment');
    });

    it('scale deployment changes spec.replicas through the scale subresource', async () => {
      const file = manifests.write(`scale-${v}.yaml`, deploymentManifest(`scale-${v}`));
      ok(await kubectl(['create', '-f', file]), 'create');
      assert.equal(ok(await kubectl(['scale', 'deployment', `scale-${v}`, '--replicas=3']), 'scale').trim(), `deployment.apps/scale-${v} scaled`);
      assert.equal(ok(await kubectl(['get', 'deployment', `scale-${v}`, '-o', 'jsonpath={.spec.replicas}']), 'read'), '3');
      ok(await kubectl(['delete', '-f', file]), 'delete');
    });

    it('apply -f creates, then configures with a strategic merge patch', async () => {
      const name = `applied-${v}`;
      const first = manifests.write(`apply-1-${v}.yaml`, deploymentManifest(name));
      try {
        assert.equal(ok(await kubectl(['apply', '-f', first]), 'apply create').trim(), `deployment.apps/${name} created`);
        const changed = deploymentManifest(name) as { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
        changed.spec.template.spec.containers[0]!.image = 'nginx:1.28';
        const second = manifests.write(`apply-2-${v}.yaml`, changed);
        assert.equal(ok(await kubectl(['apply', '-f', second]), 'apply update').trim(), `deployment.apps/${name} configured`);
        assert.equal(ok(await kubectl(['get', 'deployment', name, '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'read'), 'nginx:1.28');
        assert.equal(ok(await kubectl(['apply', '-f', second]), 'apply again').trim(), `deployment.apps/${name} unchanged`);
      } finally {
        await kubectl(['delete', '-f', first, '--ignore-not-found']);
      }
    });
  });
}

