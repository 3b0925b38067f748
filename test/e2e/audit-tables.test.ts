import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { kubectl } from './lib/kubectl.js';
import { manifestDir, tableRows, type ManifestDir } from './lib/manifests.js';

/**
 * `kubectl get` of every kind the server serves prints upstream's columns (the server's Table
 * answers, kubernetes/pkg/printers/internalversion), and the cells upstream prints for a fresh
 * object where no controller changes them.
 */
let cluster: RunningCluster | undefined;
let manifests: ManifestDir;
const ns = 'tables';

before(async () => {
  manifests = manifestDir();
  cluster = await startCluster({ extraArgs: ['--disable-scheduler'] });
});
after(async () => {
  await cluster?.stop();
  manifests?.remove();
});

const run = async (...args: string[]) => {
  const result = await kubectl('1.33', args, { kubeconfig: cluster!.kubeconfig });
  assert.equal(result.code, 0, `kubectl ${args.join(' ')}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  assert.equal(result.stderr, '', `kubectl ${args.join(' ')} printed to stderr`);
  return result.stdout;
};

const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } };
const selector = { matchLabels: { app: 'x' } };
const objects: object[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } },
  { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'x' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] },
  { apiVersion: 'v1', kind: 'Event', metadata: { name: 'x' }, involvedObject: { kind: 'Pod', name: 'x', namespace: ns }, reason: 'Audited', message: 'hello', type: 'Normal' },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', labels: { app: 'x' } }, spec: template.spec },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, stringData: { a: 'b' } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x' } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } },
  { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'x' }, revision: 1 },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'x' }, spec: { selector, template } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 2, selector, template } },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'x' }, spec: { replicas: 2, selector, template } },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'x' }, spec: { replicas: 2, serviceName: 'x', selector, template } },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'x' },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { ...template.spec, restartPolicy: 'Never' } } } } },
  },
  { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x' }, spec: { template: { spec: { ...template.spec, restartPolicy: 'Never' } } } },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'x' }, spec: { holderIdentity: 'holder-x', leaseDurationSeconds: 15 } },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'x' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'] }],
    ports: [{ port: 80, protocol: 'TCP' }],
  },
  {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'y' },
    eventTime: '2024-01-01T00:00:00.000000Z',
    reportingController: 'example.com/audit',
    reportingInstance: 'audit-1',
    action: 'Audit',
    reason: 'Audited',
    regarding: { kind: 'Pod', name: 'x', namespace: ns },
    note: 'hello',
    type: 'Normal',
  },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'x' }, spec: { minAvailable: 1, selector } },
];

/** resource → upstream's header, then the leading cells of the fresh object's row (AGE and later left out where they vary) */
const expected: [string, string[], string[]][] = [
  ['configmaps', ['NAME', 'DATA', 'AGE'], ['x', '1']],
  ['endpoints', ['NAME', 'ENDPOINTS', 'AGE'], ['x', '10.0.0.1:80']],
  ['events', ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], ['<unknown>', 'Normal', 'Audited', 'pod/x', 'hello']],
  ['pods', ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], ['x', '0/1', 'Pending', '0']],
  ['secrets', ['NAME', 'TYPE', 'DATA', 'AGE'], ['x', 'Opaque', '1']],
  ['serviceaccounts', ['NAME', 'SECRETS', 'AGE'], ['x', '0']],
  ['services', ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'], ['x', 'ClusterIP']],
  ['controllerrevisions.apps', ['NAME', 'CONTROLLER', 'REVISION', 'AGE'], ['x', '<none>', '1']],
  ['daemonsets.apps', ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'], ['x']],
  ['deployments.apps', ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'], ['x']],
  ['replicasets.apps', ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'], ['x', '2']],
  ['statefulsets.apps', ['NAME', 'READY', 'AGE'], ['x']],
  ['cronjobs.batch', ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'], ['x', '*/5 * * * *', '<none>', 'False', '0', '<none>']],
  ['jobs.batch', ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'], ['x']],
  ['leases.coordination.k8s.io', ['NAME', 'HOLDER', 'AGE'], ['x', 'holder-x']],
  ['endpointslices.discovery.k8s.io', ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'], ['x', 'IPv4', '80', '10.0.0.1']],
  ['events.events.k8s.io', ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], []],
  ['poddisruptionbudgets.policy', ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'], ['x', '1', 'N/A', '0']],
];

describe('kubectl 1.33 get: upstream columns for every kind', () => {
  it('creates one object of each namespaced kind with default validation', async () => {
    await run('create', 'namespace', ns);
    const out = await run('create', '-n', ns, '-f', manifests.write('all-kinds.yaml', ...objects));
    assert.equal(out.trim().split('\n').length, objects.length);
  });

  for (const [resource, header, cells] of expected) {
    it(`get ${resource}`, async () => {
      const rows = tableRows(await run('get', resource, '-n', ns));
      assert.deepEqual(rows[0], header);
      const row = resource === 'events' ? rows.find((r) => r[2] === 'Audited') : rows[1];
      assert.ok(row, `no row for the object:\n${rows.join('\n')}`);
      assert.deepEqual(row.slice(0, cells.length), cells);
    });
  }

  it('get pods -o wide adds IP, NODE, NOMINATED NODE, READINESS GATES', async () => {
    const rows = tableRows(await run('get', 'pods', '-n', ns, '-o', 'wide'));
    assert.deepEqual(rows[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    assert.deepEqual(rows[1].slice(5), ['<none>', '<none>', '<none>', '<none>']);
  });

  it('cluster-scoped kinds: namespaces, nodes, priorityclasses', async () => {
    await run('create', '-f', manifests.write('cluster-kinds.yaml', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'tables-node' } }, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'tables-pc' }, value: 1000 }));
    const namespaces = tableRows(await run('get', 'namespace', ns));
    assert.deepEqual(namespaces[0], ['NAME', 'STATUS', 'AGE']);
    assert.deepEqual(namespaces[1].slice(0, 2), [ns, 'Active']);
    const nodes = tableRows(await run('get', 'node', 'tables-node'));
    assert.deepEqual(nodes[0], ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    assert.deepEqual(nodes[1].slice(0, 3), ['tables-node', 'Unknown', '<none>']);
    const classes = tableRows(await run('get', 'priorityclass', 'tables-pc'));
    assert.deepEqual(classes[0], ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY']);
    assert.deepEqual([...classes[1].slice(0, 3), classes[1][4]], ['tables-pc', '1000', 'false', 'PreemptLowerPriority']);
  });
});
