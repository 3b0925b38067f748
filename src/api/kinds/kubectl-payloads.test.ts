import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.js';
import * as kinds from './index.js';

type Pair = [(o: KubeObject) => void, (o: KubeObject, old?: KubeObject) => { field: string; message: string }[]];

const pairs: Record<string, Pair> = {
  Pod: [kinds.defaultPod, kinds.validatePod],
  Deployment: [kinds.defaultDeployment, kinds.validateDeployment],
  Job: [(o) => { kinds.defaultJob(o); kinds.generateJobSelector(o); }, kinds.validateJob],
  CronJob: [kinds.defaultCronJob, kinds.validateCronJob],
  Service: [kinds.defaultService, kinds.validateService],
  ConfigMap: [kinds.defaultConfigMap, kinds.validateConfigMap],
  Secret: [kinds.defaultSecret, kinds.validateSecret],
  Namespace: [kinds.defaultNamespace, kinds.validateNamespace],
};

const payloads: KubeObject[] = [
  { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'x', labels: { run: 'x' } }, spec: { containers: [{ name: 'x', image: 'nginx', resources: {} }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' }, status: {} },
  {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] } }, strategy: {} },
    status: {},
  },
  { kind: 'Job', apiVersion: 'batch/v1', metadata: { name: 'pi', uid: 'abc' }, spec: { template: { metadata: {}, spec: { containers: [{ name: 'pi', image: 'perl', resources: {} }], restartPolicy: 'Never' } } }, status: {} },
  {
    kind: 'CronJob',
    apiVersion: 'batch/v1',
    metadata: { name: 'tick' },
    spec: { jobTemplate: { metadata: { name: 'tick' }, spec: { template: { metadata: {}, spec: { containers: [{ name: 'tick', image: 'busybox', resources: {} }], restartPolicy: 'OnFailure' } } } }, schedule: '*/1 * * * *' },
    status: {},
  },
  { kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', labels: { app: 'web' } }, spec: { ports: [{ name: '80-80', protocol: 'TCP', port: 80, targetPort: 80 }], selector: { app: 'web' }, type: 'ClusterIP' }, status: { loadBalancer: {} } },
  { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cfg' }, data: { 'app.properties': 'a=b' } },
  { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's' }, data: { password: 'cGFzcw==' }, type: 'Opaque' },
  { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'team' }, spec: {}, status: {} },
];

test('the kind table covers every kind', () => {
  for (const key of ['Namespace', 'Pod', 'Node', 'Service', 'Endpoints', 'ConfigMap', 'Secret', 'ServiceAccount', 'Event', 'events.k8s.io/Event', 'apps/Deployment', 'apps/ReplicaSet', 'apps/DaemonSet', 'apps/StatefulSet', 'batch/Job', 'batch/CronJob', 'coordination.k8s.io/Lease', 'discovery.k8s.io/EndpointSlice']) {
    assert.ok(kinds.kindRules[key], key);
  }
  assert.equal(kinds.rulesFor('apps', 'Deployment')?.default, kinds.defaultDeployment);
  assert.equal(kinds.rulesFor('', 'Pod')?.validate, kinds.validatePod);
  assert.equal(kinds.rulesFor('example.com', 'Widget'), undefined);
});

test('what kubectl run / create sends defaults and validates cleanly', () => {
  for (const p of payloads) {
    const [defaulter, validator] = pairs[p.kind!];
    const obj = structuredClone(p);
    defaulter(obj);
    assert.deepEqual(validator(obj), [], p.kind);
    if (p.kind !== 'Job') {
      const again = structuredClone(obj);
      defaulter(again);
      assert.deepEqual(again, obj, `${p.kind} defaulting is idempotent`);
    }
    assert.deepEqual(validator(structuredClone(obj), obj), [], `${p.kind} unchanged update is valid`);
  }
});
