import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { kubectl, type KubectlVersion } from './lib/kubectl.js';
import { manifestDir, type ManifestDir } from './lib/manifests.js';

let cluster: RunningCluster | undefined;
let manifests: ManifestDir;
/** `--validate=false` while the server publishes no OpenAPI (kubectl then cannot validate or edit) */
let validateFlags: string[] = [];

before(async () => {
  cluster = await startCluster();
  manifests = manifestDir();
  const probe = await kubectl('1.33', ['get', '--raw', '/openapi/v3'], { kubeconfig: cluster.kubeconfig });
  if (probe.code !== 0) validateFlags = ['--validate=false'];
});
after(async () => {
  await cluster?.stop();
  manifests?.remove();
});

interface DeploymentShape {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; managedFields?: { manager: string; operation: string; subresource?: string; fieldsV1: Record<string, unknown> }[] };
  spec: { replicas?: number; template: { spec: { containers: { name: string; image: string; env?: { name: string; value: string }[] }[] } } };
}

function deployment(name: string, image: string, tier: string, env: Record<string, string>, replicas = 2): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name, tier } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image, env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })) }] },
      },
    },
  };
}

for (const version of ['1.27', '1.29', '1.33'] as KubectlVersion[]) {
  describe(`kubectl ${version}: apply, edit, patch, scale, wait`, () => {
    const suffix = version.replace('.', '');
    const run = async (args: string[], env?: Record<string, string>) => kubectl(version, args, { kubeconfig: cluster!.kubeconfig, env });
    const ok = async (args: string[], env?: Record<string, string>) => {
      const result = await run(args, env);
      assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
      if (validateFlags.length === 0) assert.equal(result.stderr, '', `kubectl ${args.join(' ')} printed warnings`);
      return result.stdout;
    };
    const get = async (name: string): Promise<DeploymentShape> => JSON.parse(await ok(['get', 'deployment', name, '-o', 'json', '--show-managed-fields']));

    it('client-side apply: create, change image and a label, remove an env var', async () => {
      const name = `web-${suffix}`;
      const first = manifests.write(`${name}-1.yaml`, deployment(name, 'nginx:1', 'front', { A: '1', B: '2' }));
      assert.equal(await ok(['apply', ...validateFlags, '-f', first]), `deployment.apps/${name} created\n`);
      const created = await get(name);
      assert.ok(created.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']);
      assert.deepEqual(created.metadata.managedFields?.map((m) => [m.manager, m.operation]), [['kubectl-client-side-apply', 'Update']]);

      const second = manifests.write(`${name}-2.yaml`, deployment(name, 'nginx:2', 'back', { A: '1', B: '2' }));
      assert.equal(await ok(['apply', ...validateFlags, '-f', second]), `deployment.apps/${name} configured\n`);
      const changed = await get(name);
      assert.deepEqual(changed.metadata.labels, { app: name, tier: 'back' });
      assert.equal(changed.spec.replicas, 2);
      assert.equal(changed.spec.template.spec.containers[0].image, 'nginx:2');
      assert.deepEqual(changed.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);

      const third = manifests.write(`${name}-3.yaml`, deployment(name, 'nginx:2', 'back', { A: '1' }));
      assert.equal(await ok(['apply', ...validateFlags, '-f', third]), `deployment.apps/${name} configured\n`);
      assert.deepEqual((await get(name)).spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }]);
      assert.equal(await ok(['apply', ...validateFlags, '-f', third]), `deployment.apps/${name} unchanged\n`);

      // diff asks the server for a dry run: no change shows nothing, a change shows only itself
      const same = await run(['diff', '-f', third]);
      assert.deepEqual([same.code, same.stdout], [0, ''], same.stderr);
      const fourth = manifests.write(`${name}-4.yaml`, deployment(name, 'nginx:2', 'side', { A: '1' }));
      const changedDiff = await run(['diff', '-f', fourth]);
      assert.equal(changedDiff.code, 1, changedDiff.stderr);
      const lines = changedDiff.stdout.split('\n').filter((l) => /^[-+] /.test(l));
      assert.deepEqual(lines, ['-    tier: back', '+    tier: side']);
    });

    it('edit with EDITOR set to a script', async () => {
      const name = `web-${suffix}`;
      const editor = join(manifests.dir, `editor-${suffix}.sh`);
      writeFileSync(editor, '#!/bin/sh\nsed -i "s/image: nginx:2/image: nginx:edited/" "$1"\n');
      chmodSync(editor, 0o755);
      assert.equal(await ok(['edit', ...validateFlags, 'deployment', name], { EDITOR: editor }), `deployment.apps/${name} edited\n`);
      const edited = await get(name);
      assert.equal(edited.spec.template.spec.containers[0].image, 'nginx:edited');
      assert.ok(edited.metadata.managedFields?.some((m) => m.manager === 'kubectl-edit' && m.operation === 'Update'));
    });

    it('patch --type strategic|merge|json, label, annotate, scale, wait --for=jsonpath', async () => {
      const name = `web-${suffix}`;
      const strategic = JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'c', env: [{ name: 'Z', value: '26' }] }] } } } });
      assert.equal(await ok(['patch', 'deployment', name, '--type', 'strategic', '-p', strategic]), `deployment.apps/${name} patched\n`);
      assert.deepEqual((await get(name)).spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }, { name: 'Z', value: '26' }]);
      assert.equal(await ok(['patch', 'deployment', name, '--type', 'merge', '-p', '{"metadata":{"labels":{"tier":null}}}']), `deployment.apps/${name} patched\n`);
      assert.equal(await ok(['patch', 'deployment', name, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/replicas","value":4}]']), `deployment.apps/${name} patched\n`);
      assert.equal(await ok(['label', 'deployment', name, 'team=blue']), `deployment.apps/${name} labeled\n`);
      // kubectl 1.27 itself prints "annotate" (kubernetes/kubernetes#119846, fixed in 1.28)
      const annotated = version === '1.27' ? 'annotate' : 'annotated';
      assert.equal(await ok(['annotate', 'deployment', name, 'note=hi']), `deployment.apps/${name} ${annotated}\n`);
      const patched = await get(name);
      assert.deepEqual(patched.metadata.labels, { app: name, team: 'blue' });
      assert.equal(patched.metadata.annotations?.note, 'hi');
      assert.equal(patched.spec.replicas, 4);

      assert.equal(await ok(['scale', 'deployment', name, '--replicas=3']), `deployment.apps/${name} scaled\n`);
      const scaled = await get(name);
      assert.equal(scaled.spec.replicas, 3);
      assert.ok(scaled.metadata.managedFields?.some((m) => m.subresource === 'scale'));
      assert.equal(await ok(['wait', `--for=jsonpath={.spec.replicas}=3`, `deployment/${name}`, '--timeout=20s']), `deployment.apps/${name} condition met\n`);
    });

    it('wait --for=condition, rollout history from ReplicaSet revisions, wait --for=delete', async () => {
      const name = `web-${suffix}`;
      await ok(['patch', 'deployment', name, '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable"}]}}']);
      assert.equal(await ok(['wait', '--for=condition=Available', `deployment/${name}`, '--timeout=20s']), `deployment.apps/${name} condition met\n`);
      const uid = (await ok(['get', 'deployment', name, '-o', 'jsonpath={.metadata.uid}'])).trim();
      const replicaSets = [1, 2].map((revision) => ({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${name}-rev${revision}`,
          labels: { app: name },
          annotations: { 'deployment.kubernetes.io/revision': String(revision), 'kubernetes.io/change-cause': `release ${revision}` },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: `nginx:${revision}` }] } } },
      }));
      await ok(['create', ...validateFlags, '-f', manifests.write(`${name}-rs.yaml`, ...replicaSets)]);
      const history = await ok(['rollout', 'history', `deployment/${name}`]);
      assert.match(history, new RegExp(`^deployment.apps/${name} \\nREVISION\\s+CHANGE-CAUSE\\n1\\s+release 1\\n2\\s+release 2\\n`));
      assert.match(await ok(['rollout', 'history', `deployment/${name}`, '--revision=2']), /Image:\s+nginx:2/);

      await ok(['delete', 'replicaset', `${name}-rev1`, `${name}-rev2`]);
      const deleting = run(['wait', '--for=delete', `deployment/${name}`, '--timeout=20s']);
      await ok(['delete', 'deployment', name, '--wait=false']);
      assert.equal((await deleting).code, 0);
    });

    it('apply --server-side twice, a second manager conflicts, then --force-conflicts', async () => {
      const name = `ssa-${suffix}`;
      const path = manifests.write(`${name}.yaml`, deployment(name, 'nginx:1', 'front', { A: '1' }));
      assert.equal(await ok(['apply', '--server-side', ...validateFlags, '-f', path]), `deployment.apps/${name} serverside-applied\n`);
      assert.equal(await ok(['apply', '--server-side', ...validateFlags, '-f', path]), `deployment.apps/${name} serverside-applied\n`);
      const other = manifests.write(`${name}-other.yaml`, deployment(name, 'nginx:1', 'front', { A: '1' }, 5));
      const conflict = await run(['apply', '--server-side', ...validateFlags, '--field-manager=other', '-f', other]);
      assert.equal(conflict.code, 1);
      assert.match(conflict.stderr, /^error: Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas\n/);
      assert.equal(await ok(['apply', '--server-side', ...validateFlags, '--field-manager=other', '--force-conflicts', '-f', other]), `deployment.apps/${name} serverside-applied\n`);
      const applied = await get(name);
      assert.equal(applied.spec.replicas, 5);
      const owners = Object.fromEntries((applied.metadata.managedFields ?? []).map((m) => [m.manager, 'f:replicas' in (m.fieldsV1['f:spec'] as object)]));
      assert.deepEqual(owners, { kubectl: false, other: true });
      await ok(['delete', 'deployment', name]);
    });
  });
}

describe('@kubernetes/client-node KubernetesObjectApi: create, patches, server-side apply', () => {
  it('round-trips a Deployment through each patch type and server-side apply', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(cluster!.kubeconfig);
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const apps = kc.makeApiClient(AppsV1Api);
    const spec = deployment('js-web', 'nginx:1', 'front', { A: '1', B: '2' }) as V1Deployment & KubernetesObject;
    spec.metadata!.namespace = 'default';
    const created = (await objects.create(spec)) as V1Deployment;
    assert.equal(created.metadata?.managedFields?.[0].operation, 'Update');

    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'js-web', namespace: 'default' } };
    const smp = (await objects.patch({ ...ref, spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } } as KubernetesObject, undefined, undefined, 'js', undefined, PatchStrategy.StrategicMergePatch)) as V1Deployment;
    assert.equal(smp.spec?.template.spec?.containers[0].image, 'nginx:2');
    assert.deepEqual(smp.spec?.template.spec?.containers[0].env?.map((e) => e.name), ['A', 'B']);

    const merge = (await objects.patch({ ...ref, metadata: { ...ref.metadata, labels: { tier: 'back' } } } as KubernetesObject, undefined, undefined, 'js', undefined, PatchStrategy.MergePatch)) as V1Deployment;
    assert.equal(merge.metadata?.labels?.tier, 'back');

    const json = await apps.patchNamespacedDeployment(
      { name: 'js-web', namespace: 'default', body: [{ op: 'replace', path: '/spec/replicas', value: 4 }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    assert.equal(json.spec?.replicas, 4);

    const applied = (await objects.patch(
      { ...ref, spec: { replicas: 1, selector: { matchLabels: { app: 'js-web' } }, template: { metadata: { labels: { app: 'js-web' } }, spec: { containers: [{ name: 'c', image: 'nginx:3' }] } } } } as KubernetesObject,
      undefined,
      undefined,
      'js-apply',
      true,
      PatchStrategy.ServerSideApply,
    )) as V1Deployment;
    assert.equal(applied.spec?.replicas, 1);
    assert.equal(applied.spec?.template.spec?.containers[0].image, 'nginx:3');
    assert.ok(applied.metadata?.managedFields?.some((m) => m.manager === 'js-apply' && m.operation === 'Apply'));

    const fresh = (await objects.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'js-applied', namespace: 'default' }, data: { k: 'v' } } as KubernetesObject,
      undefined,
      undefined,
      'js-apply',
      false,
      PatchStrategy.ServerSideApply,
    )) as KubernetesObject & { data?: Record<string, string> };
    assert.deepEqual(fresh.data, { k: 'v' });
    await objects.delete(ref);
    await objects.delete(fresh);
  });
});
