import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { curl } from './lib/curl.js';
import { kubectl as runKubectl, type KubectlResult, type KubectlVersion } from './lib/kubectl.js';

/**
 * kubectl's typed `create` commands. From 1.32 on they send protobuf bodies
 * (`application/vnd.kubernetes.protobuf`) with no fallback; 1.27 and 1.29 send JSON. All must create
 * the same objects and print upstream's lines.
 */
let cluster: RunningCluster | undefined;

before(async () => {
  cluster = await startCluster();
});
after(async () => {
  await cluster?.stop();
});

function ok(result: KubectlResult, what: string): string {
  assert.equal(result.code, 0, `${what} failed\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  assert.equal(result.stderr, '', `${what} printed to stderr`);
  return result.stdout;
}

for (const version of ['1.27', '1.29', '1.32', '1.33'] as KubectlVersion[]) {
  describe(`kubectl ${version} typed create`, () => {
    const v = version.replace('.', '');
    const ns = `typed-${v}`;
    const kubectl = (args: string[]) => runKubectl(version, args, { kubeconfig: cluster!.kubeconfig });
    const create = async (args: string[], line: string) => {
      const out = ok(await kubectl(['create', ...args]), `create ${args.join(' ')}`);
      assert.equal(out.trim(), line);
    };
    const getJson = async (args: string[]): Promise<any> => JSON.parse(ok(await kubectl(['get', ...args, '-o', 'json']), `get ${args.join(' ')}`));

    it('create namespace', async () => {
      await create(['namespace', ns], `namespace/${ns} created`);
      assert.equal((await getJson(['namespace', ns])).status.phase, 'Active');
    });

    it('create configmap --from-literal', async () => {
      await create(['configmap', 'c', '-n', ns, '--from-literal=a=b'], 'configmap/c created');
      assert.deepEqual((await getJson(['configmap', 'c', '-n', ns])).data, { a: 'b' });
    });

    it('create secret generic --from-literal', async () => {
      await create(['secret', 'generic', 's', '-n', ns, '--from-literal=k=v'], 'secret/s created');
      const secret = await getJson(['secret', 's', '-n', ns]);
      assert.deepEqual(secret.data, { k: Buffer.from('v').toString('base64') });
      assert.equal(secret.type, 'Opaque');
    });

    it('create deployment --image --replicas', async () => {
      await create(['deployment', 'd', '-n', ns, '--image=nginx:1.25', '--replicas=2'], 'deployment.apps/d created');
      const deployment = await getJson(['deployment', 'd', '-n', ns]);
      assert.equal(deployment.spec.replicas, 2);
      assert.deepEqual(deployment.spec.selector, { matchLabels: { app: 'd' } });
      assert.equal(deployment.spec.template.spec.containers[0].name, 'nginx');
      assert.equal(deployment.spec.template.spec.containers[0].image, 'nginx:1.25');
    });

    it('create service clusterip --tcp', async () => {
      await create(['service', 'clusterip', 'svc', '-n', ns, '--tcp=80:8080'], 'service/svc created');
      const service = await getJson(['service', 'svc', '-n', ns]);
      assert.equal(service.spec.type, 'ClusterIP');
      assert.equal(service.spec.ports[0].port, 80);
      assert.equal(service.spec.ports[0].targetPort, 8080);
      assert.equal(service.spec.ports[0].protocol, 'TCP');
    });

    it('create job --image', async () => {
      await create(['job', 'j', '-n', ns, '--image=busybox'], 'job.batch/j created');
      const job = await getJson(['job', 'j', '-n', ns]);
      assert.equal(job.spec.template.spec.containers[0].image, 'busybox');
      assert.equal(job.spec.template.spec.restartPolicy, 'Never');
    });

    it('create cronjob --schedule', async () => {
      await create(['cronjob', 'cj', '-n', ns, '--image=busybox', '--schedule=*/1 * * * *'], 'cronjob.batch/cj created');
      const cronJob = await getJson(['cronjob', 'cj', '-n', ns]);
      assert.equal(cronJob.spec.schedule, '*/1 * * * *');
      assert.equal(cronJob.spec.jobTemplate.spec.template.spec.containers[0].image, 'busybox');
    });

    it('create serviceaccount', async () => {
      await create(['serviceaccount', 'sa', '-n', ns], 'serviceaccount/sa created');
      assert.equal((await getJson(['serviceaccount', 'sa', '-n', ns])).metadata.name, 'sa');
    });

    it('create priorityclass --value', async () => {
      await create(['priorityclass', `pc-${v}`, '--value=1000'], `priorityclass.scheduling.k8s.io/pc-${v} created`);
      const priorityClass = await getJson(['priorityclass', `pc-${v}`]);
      assert.equal(priorityClass.value, 1000);
      assert.equal(priorityClass.preemptionPolicy, 'PreemptLowerPriority');
    });

    it('create poddisruptionbudget --selector --min-available', async () => {
      await create(['poddisruptionbudget', 'pdb', '-n', ns, '--selector=app=x', '--min-available=1'], 'poddisruptionbudget.policy/pdb created');
      const budget = await getJson(['poddisruptionbudget', 'pdb', '-n', ns]);
      assert.equal(budget.spec.minAvailable, 1);
      assert.deepEqual(budget.spec.selector, { matchLabels: { app: 'x' } });
    });

    it('create of an existing object answers AlreadyExists as upstream prints it', async () => {
      const again = await kubectl(['create', 'configmap', 'c', '-n', ns, '--from-literal=a=b']);
      assert.equal(again.code, 1);
      assert.equal(again.stderr.trim(), 'error: failed to create configmap: configmaps "c" already exists');
    });
  });
}

describe('protobuf bodies over HTTPS', () => {
  const post = (path: string, body: Buffer) =>
    curl(cluster!.url, cluster!.dataDir, path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf', Accept: 'application/vnd.kubernetes.protobuf,application/json' },
      body,
    });
  const envelope = (apiVersion: string, kind: string, raw: Buffer) => {
    const field = (n: number, b: Buffer) => Buffer.concat([Buffer.from([(n << 3) | 2, b.length]), b]);
    const typeMeta = Buffer.concat([field(1, Buffer.from(apiVersion)), field(2, Buffer.from(kind))]);
    return Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, typeMeta), field(2, raw)]);
  };

  it('answers a protobuf create with JSON', async () => {
    const metadata = Buffer.from([0x0a, 0x06, 0x0a, 0x04, ...Buffer.from('pb-1')]);
    const reply = await post('/api/v1/namespaces/default/configmaps', envelope('v1', 'ConfigMap', metadata));
    assert.equal(reply.status, 201, reply.text);
    assert.match(reply.headers['content-type'], /^application\/json/);
    assert.equal(reply.json().metadata.name, 'pb-1');
  });

  it('answers a body without the k8s prefix with 400 BadRequest', async () => {
    const reply = await post('/api/v1/namespaces/default/configmaps', Buffer.from('{"kind":"ConfigMap"}'));
    assert.equal(reply.status, 400);
    assert.equal(reply.json().reason, 'BadRequest');
    assert.match(reply.json().message, /Kubernetes protobuf prefix/);
  });

  it('answers a kind without a message table with 415 naming it', async () => {
    const reply = await post('/api/v1/namespaces/default/configmaps', envelope('example.com/v1', 'Widget', Buffer.alloc(0)));
    assert.equal(reply.status, 415);
    assert.equal(reply.json().reason, 'UnsupportedMediaType');
    assert.match(reply.json().message, /Widget/);
  });
});
