import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/index.js';
import { allResources, allVerbs, type ResourceDef } from './index.js';

const now = new Date('2025-01-01T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

function def(group: string, plural: string): ResourceDef {
  const found = allResources.find((d) => d.group === group && d.plural === plural);
  assert.ok(found, `${plural}.${group} is declared`);
  return found;
}

function row(resource: ResourceDef, object: KubeObject): unknown[] {
  return resource.columns.map((c) => c.cell(object, now));
}

function cells(resource: ResourceDef, object: KubeObject, ...names: string[]): unknown[] {
  return names.map((name) => {
    const column = resource.columns.find((c) => c.name === name);
    assert.ok(column, `${resource.plural} has column ${name}`);
    return column.cell(object, now);
  });
}

const pods = def('', 'pods');

function pod(name: string, rest: Partial<KubeObject>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', creationTimestamp: ago(600) },
    spec: { containers: [{ name: 'app', image: 'nginx' }], nodeName: 'node-1' },
    ...rest,
  };
}

test('each kind has one plural per group, core first then groups in order', () => {
  const seen = new Set<string>();
  for (const d of allResources) {
    const key = `${d.group}/${d.plural}`;
    assert.ok(!seen.has(key), `${key} declared once`);
    seen.add(key);
    assert.ok(!d.plural.includes('/'), 'only parent resources are listed');
    assert.ok(d.columns.length > 0 || !(d.verbs ?? allVerbs).includes('list'), `${key} can be listed, so it has table columns`);
  }
  const groups = allResources.map((d) => d.group).filter((g, i, all) => all.indexOf(g) === i);
  assert.equal(groups[0], '');
  assert.deepEqual(groups.slice(1), [...groups.slice(1)].sort());
  assert.equal(allResources.length, 24);
});

test('discovery names match upstream', () => {
  assert.deepEqual(pods.shortNames, ['po']);
  assert.deepEqual(pods.categories, ['all']);
  assert.deepEqual(def('apps', 'deployments').shortNames, ['deploy']);
  assert.deepEqual(def('batch', 'jobs').shortNames ?? [], []);
  assert.deepEqual(def('batch', 'jobs').categories, ['all']);
  assert.equal(def('', 'namespaces').namespaced, false);
  assert.equal(def('', 'endpoints').singular, 'endpoints');
  assert.deepEqual(def('apps', 'statefulsets').subresources, ['status', 'scale']);
  assert.equal(def('discovery.k8s.io', 'endpointslices').shortNames, undefined);
});

test('pod rows read as kubectl prints them', () => {
  const running = pod('web', {
    status: {
      phase: 'Running',
      podIPs: [{ ip: '10.42.0.5' }],
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: ago(500) } } }],
    },
  });
  assert.deepEqual(row(pods, running), ['1/1', 'Running', '0', '10m', '10.42.0.5', 'node-1', '<none>', '<none>']);

  const creating = pod('new', {
    spec: { containers: [{ name: 'app', image: 'nginx' }] },
    status: { phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] },
  });
  assert.deepEqual(row(pods, creating), ['0/1', 'ContainerCreating', '0', '10m', '<none>', '<none>', '<none>', '<none>']);

  const completed = pod('done', {
    status: { phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
  });
  assert.deepEqual(cells(pods, completed, 'Ready', 'Status', 'Restarts'), ['0/1', 'Completed', '0']);

  const crashing = pod('crash', {
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(120) } },
        },
      ],
    },
  });
  assert.deepEqual(cells(pods, crashing, 'Ready', 'Status', 'Restarts'), ['0/1', 'CrashLoopBackOff', '5 (2m ago)']);

  const terminating = pod('old', {
    metadata: { name: 'old', namespace: 'default', creationTimestamp: ago(600), deletionTimestamp: ago(5) },
    status: { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }] },
  });
  assert.deepEqual(cells(pods, terminating, 'Status'), ['Terminating']);

  const gated = pod('gated', { spec: { containers: [{ name: 'app' }], readinessGates: [{ conditionType: 'x/ok' }, { conditionType: 'y/ok' }] }, status: { conditions: [{ type: 'x/ok', status: 'True' }] } });
  assert.deepEqual(cells(pods, gated, 'Readiness Gates'), ['1/2']);
});

test('pod columns are upstream\'s', () => {
  assert.deepEqual(
    pods.columns.map((c) => [c.name, c.type, c.priority]),
    [
      ['Ready', 'string', 0],
      ['Status', 'string', 0],
      ['Restarts', 'string', 0],
      ['Age', 'string', 0],
      ['IP', 'string', 1],
      ['Node', 'string', 1],
      ['Nominated Node', 'string', 1],
      ['Readiness Gates', 'string', 1],
    ],
  );
});

test('a pod is created Pending with its QoS class', () => {
  const create = (resources: object[]) => {
    const object: KubeObject = { metadata: { name: 'p' }, spec: { containers: resources.map((r, i) => ({ name: `c${i}`, resources: r })) }, status: { phase: 'Running' } };
    pods.prepareForCreate!(object, { now });
    return object.status as { phase: string; qosClass: string };
  };
  assert.deepEqual(create([{}]), { phase: 'Pending', qosClass: 'BestEffort' });
  assert.equal(create([{ limits: { cpu: '500m', memory: '128Mi' } }]).qosClass, 'Guaranteed');
  assert.equal(create([{ requests: { cpu: '0.5', memory: '134217728' }, limits: { cpu: '500m', memory: '128Mi' } }]).qosClass, 'Guaranteed');
  assert.equal(create([{ limits: { cpu: '1', memory: '1Gi' } }, { requests: { cpu: '100m' } }]).qosClass, 'Burstable');
  assert.equal(create([{ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } }]).qosClass, 'Burstable');
});

test('pods select by node, phase and pod IP', () => {
  const p = pod('x', { status: { phase: 'Running', podIPs: [{ ip: '10.0.0.1' }] } });
  const selectors = pods.fieldSelectors!;
  assert.equal(selectors['spec.nodeName'](p), 'node-1');
  assert.equal(selectors['status.phase'](p), 'Running');
  assert.equal(selectors['status.podIP'](p), '10.0.0.1');
  assert.equal(selectors['spec.schedulerName'](p), '');
  assert.equal(selectors['spec.hostNetwork'](p), 'false');
});

test('deployment row', () => {
  const deployments = def('apps', 'deployments');
  const deployment: KubeObject = {
    metadata: { name: 'web', creationTimestamp: ago(3 * 3600 + 5 * 60) },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }] },
      template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'log', image: 'busybox' }] } },
    },
    status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
  };
  assert.deepEqual(row(deployments, deployment), ['2/3', 3, 2, '3h5m', 'nginx,log', 'nginx:1.25,busybox', 'app=web,tier in (edge,front)']);
  assert.deepEqual(deployments.columns.map((c) => c.name), ['Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
});

test('service rows', () => {
  const services = def('', 'services');
  const base = { metadata: { name: 's', creationTimestamp: ago(30) } };
  const nodePort: KubeObject = {
    ...base,
    spec: {
      type: 'NodePort',
      clusterIP: '10.43.0.10',
      clusterIPs: ['10.43.0.10'],
      ports: [{ port: 80, protocol: 'TCP' }, { port: 443, nodePort: 30443, protocol: 'TCP' }],
      selector: { app: 'web' },
    },
  };
  assert.deepEqual(row(services, nodePort), ['NodePort', '10.43.0.10', '<none>', '80/TCP,443:30443/TCP', '30s', 'app=web']);

  const headless: KubeObject = { ...base, spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 53, protocol: 'UDP' }] } };
  assert.deepEqual(row(services, headless), ['ClusterIP', 'None', '<none>', '53/UDP', '30s', '<none>']);

  const external: KubeObject = { ...base, spec: { type: 'ExternalName', externalName: 'db.example.com' } };
  assert.deepEqual(row(services, external).slice(0, 4), ['ExternalName', '<none>', 'db.example.com', '<none>']);

  const balancer: KubeObject = { ...base, spec: { type: 'LoadBalancer', clusterIPs: ['10.43.0.11'], ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }] } };
  assert.equal(cells(services, balancer, 'External-IP')[0], '<pending>');
  balancer.status = { loadBalancer: { ingress: [{ ip: '192.168.1.240' }] } };
  assert.equal(cells(services, balancer, 'External-IP')[0], '192.168.1.240');
});

test('node rows', () => {
  const nodes = def('', 'nodes');
  const controlPlane: KubeObject = {
    metadata: { name: 'cp', creationTimestamp: ago(86400 * 3), labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'cp' } },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '192.168.1.10' }, { type: 'Hostname', address: 'cp' }],
      nodeInfo: { kubeletVersion: 'v1.32.0-skiff', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'skiff://0.1.0' },
    },
  };
  assert.deepEqual(row(nodes, controlPlane), [
    'Ready,SchedulingDisabled',
    'control-plane',
    '3d',
    'v1.32.0-skiff',
    '192.168.1.10',
    '<none>',
    'Debian GNU/Linux 12 (bookworm)',
    '6.1.0',
    'skiff://0.1.0',
  ]);
  const worker: KubeObject = { metadata: { name: 'w', creationTimestamp: ago(60) }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
  assert.deepEqual(row(nodes, worker), ['NotReady', '<none>', '60s', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  assert.deepEqual(cells(nodes, { metadata: { name: 'n', labels: { 'kubernetes.io/role': 'worker', 'node-role.kubernetes.io/infra': '' } } }, 'Status', 'Roles'), ['Unknown', 'infra,worker']);
  assert.equal(nodes.fieldSelectors!['spec.unschedulable'](controlPlane), 'true');
  assert.equal(nodes.fieldSelectors!['spec.unschedulable'](worker), 'false');
});

test('event rows, core and events.k8s.io', () => {
  const events = def('', 'events');
  assert.equal(events.omitNameColumn, true);
  assert.deepEqual(
    events.columns.map((c) => [c.name, c.priority]),
    [
      ['Last Seen', 0],
      ['Type', 0],
      ['Reason', 0],
      ['Object', 0],
      ['Subobject', 1],
      ['Source', 1],
      ['Message', 0],
      ['First Seen', 1],
      ['Count', 1],
      ['Name', 1],
    ],
  );
  const event: KubeObject = {
    metadata: { name: 'web-1.17f2', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', fieldPath: 'spec.containers{app}' },
    reason: 'BackOff',
    message: 'Back-off restarting failed container app in pod web-1_default\n',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: ago(600),
    lastTimestamp: ago(300),
    count: 7,
    type: 'Warning',
  };
  assert.deepEqual(row(events, event), [
    '5m',
    'Warning',
    'BackOff',
    'pod/web-1',
    'spec.containers{app}',
    'kubelet, node-1',
    'Back-off restarting failed container app in pod web-1_default',
    '10m',
    7,
    'web-1.17f2',
  ]);
  assert.equal(events.fieldSelectors!['involvedObject.name'](event), 'web-1');
  assert.equal(events.fieldSelectors!['source'](event), 'kubelet');

  const newer = def('events.k8s.io', 'events');
  const scheduled: KubeObject = {
    metadata: { name: 'web-1.1' },
    eventTime: '2025-01-01T11:59:15.123456Z',
    reportingController: 'default-scheduler',
    reportingInstance: 'default-scheduler-cp',
    action: 'Binding',
    reason: 'Scheduled',
    regarding: { kind: 'Pod', name: 'web-1', namespace: 'default' },
    note: 'Successfully assigned default/web-1 to node-1',
    type: 'Normal',
  };
  assert.deepEqual(row(newer, scheduled), [
    '44s',
    'Normal',
    'Scheduled',
    'pod/web-1',
    '',
    'default-scheduler, default-scheduler-cp',
    'Successfully assigned default/web-1 to node-1',
    '44s',
    1,
    'web-1.1',
  ]);
  assert.equal(newer.fieldSelectors!['regarding.name'](scheduled), 'web-1');
});

test('workload and config rows', () => {
  const job: KubeObject = {
    metadata: { name: 'pi', creationTimestamp: ago(120) },
    spec: { completions: 1, parallelism: 1, template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } },
    status: { succeeded: 1, startTime: ago(100), completionTime: ago(60), conditions: [{ type: 'Complete', status: 'True' }] },
  };
  assert.deepEqual(row(def('batch', 'jobs'), job).slice(0, 4), ['Complete', '1/1', '40s', '2m']);
  const cron: KubeObject = { metadata: { name: 'c', creationTimestamp: ago(10) }, spec: { schedule: '*/5 * * * *', suspend: false }, status: {} };
  assert.deepEqual(row(def('batch', 'cronjobs'), cron).slice(0, 6), ['*/5 * * * *', '<none>', 'False', 0, '<none>', '10s']);
  const secret: KubeObject = { metadata: { name: 's', creationTimestamp: ago(5) }, data: { a: 'eA==', b: 'eQ==' } };
  const secrets = def('', 'secrets');
  secrets.defaults!(secret);
  assert.deepEqual(row(secrets, secret), ['Opaque', 2, '5s']);
  assert.deepEqual(row(def('', 'configmaps'), { metadata: { name: 'c', creationTimestamp: ago(5) }, data: { a: '1' }, binaryData: { b: 'AA==' } }), [2, '5s']);
  const daemonSet: KubeObject = {
    metadata: { name: 'd', creationTimestamp: ago(5) },
    spec: { selector: { matchLabels: { app: 'd' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'b' }] } } },
    status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 },
  };
  assert.deepEqual(row(def('apps', 'daemonsets'), daemonSet), [2, 2, 1, 2, 1, 'kubernetes.io/os=linux', '5s', 'a', 'b', 'app=d']);
  const slice: KubeObject = {
    metadata: { name: 'web-abc', creationTimestamp: ago(5) },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 80 }],
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }],
  };
  assert.deepEqual(row(def('discovery.k8s.io', 'endpointslices'), slice), ['IPv4', '80', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '5s']);
  const revision: KubeObject = {
    metadata: { name: 'd-6b7', creationTimestamp: ago(5), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'd', uid: 'u', controller: true }] },
    revision: 2,
  };
  assert.deepEqual(row(def('apps', 'controllerrevisions'), revision), ['daemonset.apps/d', 2, '5s']);
  assert.deepEqual(row(def('', 'endpoints'), { metadata: { name: 'e', creationTimestamp: ago(5) }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] }), ['10.0.0.1:80', '5s']);
});

test('create strategies set the status upstream starts with', () => {
  const namespace: KubeObject = { metadata: { name: 'team' }, status: { phase: 'Terminating' } };
  def('', 'namespaces').prepareForCreate!(namespace, { now });
  assert.deepEqual(namespace.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(namespace.status, { phase: 'Active' });

  const updated: KubeObject = { metadata: { name: 'team' }, spec: { finalizers: [] }, status: { phase: 'Active' } };
  def('', 'namespaces').prepareForUpdate!(updated, namespace, { now });
  assert.deepEqual(updated.spec, { finalizers: ['kubernetes'] });
  const finalized: KubeObject = { metadata: { name: 'team' }, spec: { finalizers: [] } };
  def('', 'namespaces').prepareForUpdate!(finalized, namespace, { now, subresource: 'finalize' });
  assert.deepEqual(finalized.spec, { finalizers: [] });
  assert.deepEqual(finalized.status, { phase: 'Active' });

  const service: KubeObject = { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } };
  def('', 'services').prepareForCreate!(service, { now });
  assert.deepEqual(service.status, { loadBalancer: {} });

  const deployment: KubeObject = { metadata: { name: 'd' }, spec: {}, status: { readyReplicas: 3 } };
  def('apps', 'deployments').prepareForCreate!(deployment, { now });
  assert.deepEqual(deployment.status, {});
});

test('priority classes and disruption budgets validate as upstream', () => {
  const priorityClasses = def('scheduling.k8s.io', 'priorityclasses');
  const high: KubeObject = { metadata: { name: 'high' }, value: 1000 };
  priorityClasses.defaults!(high);
  assert.equal(high.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(priorityClasses.validate!(high), []);
  assert.deepEqual(row(priorityClasses, { ...high, metadata: { name: 'high', creationTimestamp: ago(5) } }), [1000, false, '5s', 'PreemptLowerPriority']);
  const reserved = priorityClasses.validate!({ metadata: { name: 'system-mine' }, value: 5 });
  assert.deepEqual(reserved.map((e) => e.field), ['metadata.name']);
  const changed = priorityClasses.validate!({ metadata: { name: 'high' }, value: 5, preemptionPolicy: 'PreemptLowerPriority' }, high);
  assert.deepEqual(changed.map((e) => e.field), ['value']);

  const budgets = def('policy', 'poddisruptionbudgets');
  assert.deepEqual(budgets.validate!({ metadata: { name: 'b' }, spec: { minAvailable: '50%' } }), []);
  assert.deepEqual(budgets.validate!({ metadata: { name: 'b' }, spec: { minAvailable: 1, maxUnavailable: 1 } }).map((e) => e.field), ['spec']);
  assert.deepEqual(row(budgets, { metadata: { name: 'b', creationTimestamp: ago(5) }, spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }), ['50%', 'N/A', 1, '5s']);
});
