import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { definitions, elementSchema, fieldSchema, patchMetaOf, patchSchemaOf, pruneUnknownFields, resolveSchema, schemaOf } from './index.js';
import { base64ErrorAt } from './prune.js';

describe('object schemas', () => {
  it('derives kinds from the client-node models with upstream names, required fields and descriptions', () => {
    const pod = schemaOf('', 'v1', 'Pod')!;
    assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
    const spec = resolveSchema(fieldSchema(pod, 'spec')!);
    assert.ok(spec.required?.includes('containers'));
    const container = elementSchema(fieldSchema(spec, 'containers')!);
    assert.match(fieldSchema(container, 'image')!.description!, /Container image name/);
    assert.equal(schemaOf('apps', 'v1', 'Deployment'), definitions['io.k8s.api.apps.v1.Deployment']);
    assert.ok(definitions['io.k8s.api.core.v1.PodList']);
    assert.equal(schemaOf('', 'v1', 'NoSuchKind'), undefined);
  });

  it('refers to every definition it names', () => {
    for (const [name, schema] of Object.entries(definitions)) {
      for (const [field, property] of Object.entries(schema.properties ?? {})) {
        for (const s of [property, property.items, typeof property.additionalProperties === 'object' ? property.additionalProperties : undefined]) {
          if (s?.$ref) assert.ok(definitions[s.$ref], `${name}.${field} refers to ${s.$ref}`);
        }
      }
    }
  });

  it('answers upstream patch metadata for the patch engine', () => {
    const spec = fieldSchema(schemaOf('', 'v1', 'Pod')!, 'spec')!;
    const containers = patchMetaOf(spec, 'containers')!;
    assert.equal(containers.mergeKey, 'name');
    assert.deepEqual(containers.strategies, ['merge']);
    assert.equal(containers.listType, 'map');
    assert.deepEqual(patchMetaOf(containers.type!, 'ports')!.listMapKeys, ['containerPort', 'protocol']);
    assert.deepEqual(patchMetaOf(spec, 'volumes')!.strategies, ['merge', 'retainKeys']);
    assert.deepEqual(patchMetaOf(spec, 'tolerations')!.strategies, []);
    const deployment = patchSchemaOf('apps', 'v1', 'Deployment')!;
    const deploymentSpec = deployment.lookup(deployment.root, 'spec')!.type!;
    assert.deepEqual(deployment.lookup(deploymentSpec, 'strategy')!.strategies, ['retainKeys']);
    const metadata = deployment.lookup(deployment.root, 'metadata')!.type!;
    assert.deepEqual(deployment.lookup(metadata, 'finalizers'), { strategies: ['merge'], listType: 'set', type: { type: 'string' } });
    assert.deepEqual(deployment.lookup(metadata, 'labels')!.type!.additionalProperties, { type: 'string' });
    assert.equal(deployment.lookup(metadata, 'nope'), undefined);
    const labels = deployment.lookup(metadata, 'labels')!.type!;
    const first = deployment.lookup(labels, '__proto__');
    assert.deepEqual(first, { strategies: [], type: { type: 'string' } }, 'every key of a map gets its value schema, whatever its name');
    assert.equal(deployment.lookup(labels, 'app'), first, 'and the keys of one map share one answer');
    assert.equal(deployment.lookup(metadata, 'constructor'), undefined);
  });

  it('types IntOrString and quantity fields as upstream does', () => {
    const port = resolveSchema({ $ref: 'io.k8s.api.core.v1.ServicePort' });
    assert.equal(port.properties!.targetPort.$ref, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString');
    const resources = resolveSchema({ $ref: 'io.k8s.api.core.v1.ResourceRequirements' });
    assert.deepEqual((resources.properties!.limits.additionalProperties as { $ref: string }).$ref, 'io.k8s.apimachinery.pkg.api.resource.Quantity');
  });
});

describe('pruneUnknownFields', () => {
  it('removes unknown fields and names them as the strict decoder does', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { any: 'label' } },
      spec: { containers: [{ name: 'c', image: 'nginx', imagee: 'x', resources: { limits: { cpu: 1, memory: '1Gi' } } }], foo: true },
    };
    const result = pruneUnknownFields(pod, schemaOf('', 'v1', 'Pod')!);
    assert.deepEqual(result, { unknown: ['spec.containers[0].imagee', 'spec.foo'], typeErrors: [] });
    assert.deepEqual(pod.spec, { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: 1, memory: '1Gi' } } }] });
  });

  it('keeps the value when asked only to look', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, extra: 1 };
    assert.deepEqual(pruneUnknownFields(cm, schemaOf('', 'v1', 'ConfigMap')!, { prune: false }).unknown, ['extra']);
    assert.equal(cm.extra, 1);
  });

  it('reports values of the wrong type in Go decoder words', () => {
    const pod = { spec: { containers: [{ name: 'c', ports: [{ containerPort: '80' }] }], hostNetwork: 'yes' } };
    assert.deepEqual(pruneUnknownFields(pod, schemaOf('', 'v1', 'Pod')!).typeErrors, [
      'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
      'json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool',
    ]);
    const deployment = { spec: { strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } }, replicas: 1.5 } };
    assert.deepEqual(pruneUnknownFields(deployment, schemaOf('apps', 'v1', 'Deployment')!).typeErrors, [
      'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32',
    ]);
  });

  it('leaves raw extensions alone', () => {
    const revision = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1, data: { anything: { goes: [1] } } };
    assert.deepEqual(pruneUnknownFields(revision, schemaOf('apps', 'v1', 'ControllerRevision')!), { unknown: [], typeErrors: [] });
  });
});

test("base64ErrorAt finds where Go's padded standard base64 decoder stops, and a Secret's data is checked by it", () => {
  const cases: [string, number | undefined][] = [
    ['aGVsbG8=', undefined],
    ['aGVs\nbG8=', undefined],
    ['', undefined],
    ['aGVsbA==', undefined],
    ['abc', 0],
    ['abcde', 4],
    ['ab$d', 2],
    ['a===', 1],
    ['ab=', 3],
    ['ab=x', 2],
    ['abc=x', 4],
    ['abcd=', 4],
  ];
  for (const [text, at] of cases) assert.equal(base64ErrorAt(text), at, JSON.stringify(text));
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { good: 'aGk=', bad: 'not base64!' } };
  assert.deepEqual(pruneUnknownFields(secret, schemaOf('', 'v1', 'Secret')!).typeErrors, ['illegal base64 data at input byte 3']);
});
