import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { patchSchemaOf } from './schema/index.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import { fallbackPatchSchema, type PatchSchema } from './strategic-merge-patch-meta.js';

function deployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a', 'b'] },
    spec: {
      replicas: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        spec: {
          containers: [
            {
              name: 'app',
              image: 'nginx:1',
              args: ['-a', '-b'],
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
            },
            { name: 'sidecar', image: 'busybox' },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      },
    },
  };
}

const schemas: [string, PatchSchema][] = [
  ['hand-written table', fallbackPatchSchema as PatchSchema],
  ['schema-derived lookup', patchSchemaOf('apps', 'v1', 'Deployment') as PatchSchema],
];

for (const [label, schema] of schemas) {
  describe(`strategic merge patch (${label})`, () => {
    const patch = (p: unknown) => applyStrategicMergePatch(deployment(), p, schema) as ReturnType<typeof deployment> & Record<string, any>;

    it('merges maps and deletes a field given null', () => {
      const out = patch({ metadata: { labels: { tier: null, env: 'prod' } }, spec: { replicas: null } });
      assert.deepEqual(out.metadata.labels, { app: 'web', env: 'prod' });
      assert.equal('replicas' in out.spec, false);
    });

    it('merges list elements by merge key, keeping the others and appending new ones', () => {
      const out = patch({ spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:2' }, { name: 'third', image: 'x' }] } } } });
      const containers = out.spec.template.spec.containers;
      assert.deepEqual(containers.map((c: { name: string }) => c.name), ['app', 'sidecar', 'third']);
      assert.equal(containers[0].image, 'nginx:2');
      assert.deepEqual(containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    });

    it('merges nested keyed lists (env inside containers)', () => {
      const out = patch({ spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }] }] } } } });
      assert.deepEqual(out.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }]);
    });

    it('deletes a list element with $patch: delete', () => {
      const out = patch({ spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'A', $patch: 'delete' }] }] } } } });
      assert.deepEqual(out.spec.template.spec.containers[0].env, [{ name: 'B', value: '2' }]);
    });

    it('replaces a list with a $patch: replace element', () => {
      const out = patch({ spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'y' }] } } } });
      assert.deepEqual(out.spec.template.spec.containers, [{ name: 'only', image: 'y' }]);
    });

    it('replaces a map with $patch: replace and empties it with $patch: delete', () => {
      const replaced = patch({ metadata: { labels: { $patch: 'replace', only: 'this' } } });
      assert.deepEqual(replaced.metadata.labels, { only: 'this' });
      const deleted = patch({ spec: { strategy: { $patch: 'delete' } } });
      assert.deepEqual(deleted.spec.strategy, {});
    });

    it('ignores $patch: merge', () => {
      const out = patch({ metadata: { labels: { $patch: 'merge', x: 'y' } } });
      assert.deepEqual(out.metadata.labels, { app: 'web', tier: 'front', x: 'y' });
    });

    it('replaces lists without a merge key (args) and primitive lists without merge strategy', () => {
      const out = patch({ spec: { template: { spec: { containers: [{ name: 'app', args: ['-c'] }] } } } });
      assert.deepEqual(out.spec.template.spec.containers[0].args, ['-c']);
    });

    it('unites primitive lists with the merge strategy (finalizers) and deletes with $deleteFromPrimitiveList', () => {
      assert.deepEqual(patch({ metadata: { finalizers: ['b', 'c'] } }).metadata.finalizers, ['a', 'b', 'c']);
      assert.deepEqual(patch({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }).metadata.finalizers, ['b']);
    });

    it('orders a list as $setElementOrder says', () => {
      const out = patch({
        spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }], containers: [{ name: 'app', image: 'nginx:3' }] } } },
      });
      assert.deepEqual(out.spec.template.spec.containers.map((c: { name: string }) => c.name), ['sidecar', 'app']);
      assert.equal(out.spec.template.spec.containers[1].image, 'nginx:3');
      const env = patch({
        spec: { template: { spec: { containers: [{ name: 'app', '$setElementOrder/env': [{ name: 'B' }, { name: 'A' }] }] } } },
      });
      assert.deepEqual(env.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name), ['B', 'A']);
    });

    it('keeps only $retainKeys (Deployment strategy, volume sources)', () => {
      const out = patch({ spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
      assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
      const volumes = patch({ spec: { template: { spec: { volumes: [{ name: 'data', $retainKeys: ['name', 'configMap'], configMap: { name: 'cm' } }] } } } });
      assert.deepEqual(volumes.spec.template.spec.volumes, [{ name: 'data', configMap: { name: 'cm' } }]);
    });

    it('rejects a value outside $retainKeys and an element without its merge key', () => {
      assert.throws(() => patch({ spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }), { reason: 'Invalid' });
      assert.throws(() => patch({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } }), /does not contain declared merge key: name/);
    });

    it('places new values without their directives and leaves the inputs alone', () => {
      const original = deployment();
      const out = applyStrategicMergePatch(original, { spec: { template: { spec: { initContainers: [{ name: 'i', image: 'x', env: [{ name: 'Q', value: '1' }, { name: 'R', $patch: 'delete' }] }] } } } }, schema) as any;
      assert.deepEqual(out.spec.template.spec.initContainers, [{ name: 'i', image: 'x', env: [{ name: 'Q', value: '1' }] }]);
      assert.deepEqual(original, deployment());
    });

    it('merges container ports on containerPort', () => {
      const out = patch({ spec: { template: { spec: { containers: [{ name: 'app', ports: [{ containerPort: 443 }] }] } } } });
      assert.deepEqual(out.spec.template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }]);
    });
  });
}

describe('strategic merge patch on other kinds', () => {
  it('replaces ConfigMap data keys and cordons a Node', () => {
    const cm = applyStrategicMergePatch({ data: { a: '1', b: '2' } }, { data: { b: null, c: '3' } }, patchSchemaOf('', 'v1', 'ConfigMap') as PatchSchema);
    assert.deepEqual(cm, { data: { a: '1', c: '3' } });
    const node = applyStrategicMergePatch({ spec: { podCIDR: '10.0.0.0/24' } }, { spec: { unschedulable: true } }, patchSchemaOf('', 'v1', 'Node') as PatchSchema);
    assert.deepEqual(node, { spec: { podCIDR: '10.0.0.0/24', unschedulable: true } });
  });

  it('merges pod conditions on type', () => {
    const pod = { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] } };
    const out = applyStrategicMergePatch(pod, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, patchSchemaOf('', 'v1', 'Pod') as PatchSchema) as any;
    assert.deepEqual(out.status.conditions, [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }]);
  });
});
