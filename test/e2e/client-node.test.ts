import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  Watch,
  type KubernetesObject,
  type V1ConfigMap,
  type V1Pod,
} from '@kubernetes/client-node';
import { startCluster, type RunningCluster } from './lib/cluster.js';

let cluster: RunningCluster | undefined;
let kc: KubeConfig;

before(async () => {
  cluster = await startCluster();
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
});
after(async () => {
  await cluster?.stop();
});

async function apiError(promise: Promise<unknown>): Promise<ApiException<string>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) return error as ApiException<string>;
    throw error;
  }
  assert.fail('expected the call to fail');
}

function statusOf(error: ApiException<string>): { kind: string; reason: string; code: number; message: string } {
  return typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
}

describe('@kubernetes/client-node against skiff server', () => {
  it('CoreV1Api.listNamespace lists the four namespaces', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const list = await core.listNamespace();
    assert.deepEqual(list.items.map((ns) => ns.metadata?.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    for (const ns of list.items) assert.equal(ns.status?.phase, 'Active');
    assert.match(list.metadata?.resourceVersion ?? '', /^\d+$/);
  });

  it('ConfigMap: create, read, replace with a stale resourceVersion (409), replace, delete', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const namespace = 'default';
    const created = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'js-cm', labels: { from: 'client-node' } }, data: { a: '1' } },
    });
    assert.equal(created.metadata?.name, 'js-cm');
    assert.ok(created.metadata?.uid);
    const staleVersion = created.metadata!.resourceVersion!;

    const read = await core.readNamespacedConfigMap({ name: 'js-cm', namespace });
    assert.deepEqual(read.data, { a: '1' });
    assert.equal(read.metadata?.resourceVersion, staleVersion);

    const updated = await core.replaceNamespacedConfigMap({ name: 'js-cm', namespace, body: { ...read, data: { a: '2' } } });
    assert.equal(updated.data?.a, '2');
    assert.notEqual(updated.metadata?.resourceVersion, staleVersion);

    const conflict = await apiError(
      core.replaceNamespacedConfigMap({ name: 'js-cm', namespace, body: { ...read, metadata: { ...read.metadata, resourceVersion: staleVersion }, data: { a: '3' } } }),
    );
    assert.equal(conflict.code, 409);
    const status = statusOf(conflict);
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'Conflict');
    assert.equal(status.message, 'Operation cannot be fulfilled on configmaps "js-cm": the object has been modified; please apply your changes to the latest version and try again');
    assert.equal((await core.readNamespacedConfigMap({ name: 'js-cm', namespace })).data?.a, '2');

    const exists = await apiError(core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'js-cm' } } }));
    assert.equal(exists.code, 409);
    assert.equal(statusOf(exists).reason, 'AlreadyExists');

    await core.deleteNamespacedConfigMap({ name: 'js-cm', namespace });
    const missing = await apiError(core.readNamespacedConfigMap({ name: 'js-cm', namespace }));
    assert.equal(missing.code, 404);
    assert.equal(statusOf(missing).message, 'configmaps "js-cm" not found');
  });

  it('AppsV1Api: create a deployment and find it in the list', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const created = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'js-deploy' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'js' } },
          template: { metadata: { labels: { app: 'js' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } },
        },
      },
    });
    assert.equal(created.metadata?.generation, 1);
    assert.equal(created.spec?.strategy?.type, 'RollingUpdate');
    const list = await apps.listNamespacedDeployment({ namespace: 'default' });
    assert.deepEqual(list.items.map((d) => d.metadata?.name), ['js-deploy']);
    assert.equal(list.items[0]!.spec?.replicas, 2);
    const all = await apps.listDeploymentForAllNamespaces();
    assert.ok(all.items.some((d) => d.metadata?.name === 'js-deploy'));
    await apps.deleteNamespacedDeployment({ name: 'js-deploy', namespace: 'default' });
  });

  it('Watch on pods sees ADDED then DELETED', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const events: Array<{ type: string; name: string | undefined }> = [];
    let notify = () => {};
    const seen = (type: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} event within 10 s; saw ${JSON.stringify(events)}`)), 10_000);
        notify = () => {
          if (events.some((e) => e.type === type && e.name === 'js-pod')) {
            clearTimeout(timer);
            resolve();
          }
        };
        notify();
      });
    let watchError: unknown;
    const list = await core.listNamespacedPod({ namespace: 'default' });
    const controller = await new Watch(kc).watch(
      '/api/v1/namespaces/default/pods',
      { resourceVersion: list.metadata?.resourceVersion },
      (type, obj: V1Pod) => {
        events.push({ type, name: obj.metadata?.name });
        notify();
      },
      (error) => (watchError = error),
    );
    try {
      await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'js-pod' }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } });
      await seen('ADDED');
      await core.deleteNamespacedPod({ name: 'js-pod', namespace: 'default' });
      await seen('DELETED');
      const types = events.filter((e) => e.name === 'js-pod').map((e) => e.type);
      assert.equal(types[0], 'ADDED');
      assert.equal(types.at(-1), 'DELETED');
      assert.equal(watchError, undefined);
    } finally {
      controller.abort();
    }
  });

  it('KubernetesObjectApi: create, read and delete a ConfigMap', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const spec: V1ConfigMap & KubernetesObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic-cm', namespace: 'default' }, data: { k: 'v' } };
    const created = await objects.create(spec);
    assert.equal(created.metadata?.name, 'generic-cm');
    const read = (await objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic-cm', namespace: 'default' } })) as V1ConfigMap;
    assert.deepEqual(read.data, { k: 'v' });
    assert.equal(read.kind, 'ConfigMap');
    await objects.delete(spec);
    const missing = await apiError(objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic-cm', namespace: 'default' } }));
    assert.equal(missing.code, 404);
  });
});
