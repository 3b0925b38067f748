import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiError } from './errors.js';
import { FieldSet, fieldSetOf, pathString } from './managed-fields-set.js';
import type { ManagedFieldsEntry } from './managed-fields.js';
import type { KubeObject } from './object.js';
import { patchSchemaOf } from './schema/index.js';
import { serverSideApply, trackUpdate, type FieldManagerOptions } from './server-side-apply.js';
import type { PatchSchema } from './strategic-merge-patch-meta.js';

const schema = patchSchemaOf('apps', 'v1', 'Deployment') as PatchSchema;

function opts(manager: string, extra: Partial<FieldManagerOptions<unknown> & { force: boolean }> = {}): FieldManagerOptions<unknown> & { force: boolean } {
  return { manager, apiVersion: 'apps/v1', time: '2025-01-01T00:00:00Z', hasStatus: true, schema, force: false, ...extra };
}

function config(replicas: number | undefined, image: string, labels: Record<string, string> = { app: 'web' }): KubeObject {
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
  };
  if (replicas !== undefined) spec.replicas = replicas;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels }, spec };
}

function entries(object: KubeObject): ManagedFieldsEntry[] {
  return object.metadata.managedFields as ManagedFieldsEntry[];
}

describe('FieldsV1 encoding', () => {
  it('encodes fields, keyed elements and set elements as upstream does', () => {
    const set = fieldSetOf(
      { metadata: { labels: { app: 'x' }, finalizers: ['f'] }, spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } } } },
      schema,
    );
    assert.deepEqual(set.toFieldsV1(), {
      'f:metadata': { 'f:finalizers': { 'v:"f"': {} }, 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } } },
            },
          },
        },
      },
    });
    assert.deepEqual(FieldSet.fromFieldsV1(set.toFieldsV1()).toFieldsV1(), set.toFieldsV1());
  });

  it('prints paths as upstream', () => {
    assert.equal(pathString(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image']), '.spec.template.spec.containers[name="c"].image');
    assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"x"']), '.metadata.finalizers[="x"]');
  });
});

describe('server-side apply', () => {
  it('creates with an Apply entry owning exactly the applied fields', () => {
    const created = serverSideApply(undefined, config(2, 'nginx:1'), opts('alice'));
    const [entry] = entries(created);
    assert.equal(entries(created).length, 1);
    assert.deepEqual({ ...entry, fieldsV1: undefined }, { manager: 'alice', operation: 'Apply', apiVersion: 'apps/v1', time: '2025-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: undefined });
    assert.deepEqual(Object.keys(entry.fieldsV1), ['f:metadata', 'f:spec']);
    assert.deepEqual(entry.fieldsV1['f:metadata'], { 'f:labels': { 'f:app': {} } });
  });

  it('shares ownership when values agree and conflicts when they differ', () => {
    const live = serverSideApply(undefined, config(2, 'nginx:1'), opts('alice'));
    const shared = serverSideApply(live, config(2, 'nginx:1'), opts('bob'));
    assert.deepEqual(entries(shared).map((e) => e.manager), ['alice', 'bob']);
    assert.throws(
      () => serverSideApply(shared, config(3, 'nginx:1'), opts('bob')),
      (error: ApiError) => {
        assert.equal(error.code, 409);
        assert.equal(error.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
        assert.deepEqual(error.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }]);
        return true;
      },
    );
  });

  it('names Update managers with their apiVersion and lists several conflicts', () => {
    const live = config(2, 'nginx:1');
    trackUpdate(undefined, live, opts('kubectl-client-side-apply'));
    assert.throws(
      () => serverSideApply(live, config(3, 'nginx:2'), opts('kubectl')),
      (error: ApiError) => {
        assert.equal(error.message, 'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="c"].image');
        return true;
      },
    );
  });

  it('takes ownership with force', () => {
    const live = serverSideApply(undefined, config(2, 'nginx:1'), opts('alice'));
    const forced = serverSideApply(live, config(5, 'nginx:1'), opts('bob', { force: true }));
    assert.equal((forced.spec as { replicas: number }).replicas, 5);
    const alice = entries(forced).find((e) => e.manager === 'alice')!;
    const bob = entries(forced).find((e) => e.manager === 'bob')!;
    assert.equal('f:replicas' in (alice.fieldsV1['f:spec'] as object), false);
    assert.equal('f:replicas' in (bob.fieldsV1['f:spec'] as object), true);
  });

  it('removes a field its only owner stops applying, keeps one another manager owns', () => {
    const live = serverSideApply(undefined, config(2, 'nginx:1', { app: 'web', extra: 'x' }), opts('alice'));
    const dropped = serverSideApply(live, config(undefined, 'nginx:1'), opts('alice'));
    assert.equal('replicas' in (dropped.spec as object), false);
    assert.deepEqual(dropped.metadata.labels, { app: 'web' });
    const withBob = serverSideApply(live, config(2, 'nginx:1'), opts('bob'));
    const kept = serverSideApply(withBob, config(undefined, 'nginx:1'), opts('alice'));
    assert.equal((kept.spec as { replicas: number }).replicas, 2);
  });

  it('merges keyed list elements from two managers', () => {
    const live = serverSideApply(undefined, config(1, 'nginx:1'), opts('alice'));
    const other = config(undefined, 'unused');
    (other.spec as any).template.spec.containers = [{ name: 'sidecar', image: 'busybox' }];
    const merged = serverSideApply(live, other, opts('bob'));
    assert.deepEqual((merged.spec as any).template.spec.containers.map((c: { name: string }) => c.name), ['c', 'sidecar']);
  });

  it('matches a port that omits its defaulted protocol key', () => {
    const live = serverSideApply(undefined, config(1, 'nginx:1'), opts('alice'));
    (live.spec as any).template.spec.containers[0].ports = [{ containerPort: 80, protocol: 'TCP' }];
    const withPort = config(1, 'nginx:1');
    (withPort.spec as any).template.spec.containers[0].ports = [{ containerPort: 80, name: 'http' }];
    const merged = serverSideApply(live, withPort, opts('alice'));
    assert.deepEqual((merged.spec as any).template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
  });

  it('gives the fields of an object without managedFields to before-first-apply', () => {
    const live = config(2, 'nginx:1');
    assert.throws(() => serverSideApply(live, config(3, 'nginx:1'), opts('alice')), /conflict with "before-first-apply" using apps\/v1: \.spec\.replicas/);
  });
});

describe('Update tracking', () => {
  it('gives a changed field to the updater and takes it from the others', () => {
    const live = serverSideApply(undefined, config(2, 'nginx:1'), opts('alice'));
    const next = structuredClone(live);
    (next.spec as { replicas: number }).replicas = 4;
    trackUpdate(live, next, opts('kubectl-scale', { subresource: 'scale' }));
    const scale = entries(next).find((e) => e.manager === 'kubectl-scale')!;
    assert.deepEqual(scale, { manager: 'kubectl-scale', operation: 'Update', apiVersion: 'apps/v1', time: '2025-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } }, subresource: 'scale' });
    assert.equal('f:replicas' in (entries(next)[0].fieldsV1['f:spec'] as object), false);
  });

  it('changes nothing when nothing changed, and ignores status on the main resource', () => {
    const live = config(2, 'nginx:1');
    trackUpdate(undefined, live, opts('creator'));
    const next = structuredClone(live);
    next.status = { replicas: 2 };
    trackUpdate(live, next, opts('other'));
    assert.deepEqual(next.metadata.managedFields, live.metadata.managedFields);
  });
});
