import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../api/index.js';
import { decodeBody } from '../body.js';
import { decodeProtobufObject } from './decode-object.js';
import { kubernetesSchema } from './kinds.js';
import { bytes, entry, fixed32, int, kubernetesBody, msg, str } from './testing/proto-writer.js';

/** Request bodies kubectl 1.33 sent for `kubectl create …` (captured from the wire). */
const captured = {
  namespace: 'azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhkKEQoBeBIAGgAiACoAMgA4AEIAEgAaAgoAGgAiAA==',
  configMap: 'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEiwKEQoBYxIAGgAiACoAMgA4AEIAEgYKAWESAWIaDwoHYmluLmRhdBIEAAEC/xoAIgA=',
  secret: 'azhzAAoMCgJ2MRIGU2VjcmV0Eh0KEQoBcxIAGgAiACoAMgA4AEIAEgYKAWsSAXYaABoAIgA=',
  deployment:
    'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EqgBChsKAWQSABoAIgAqADIAOABCAFoICgNhcHASAWQSewgCEgoKCAoDYXBwEgFkGmMKGgoAEgAaACIAKgAyADgAQgBaCAoDYXBwEgFkEkUSJwoFbmdpbngSCm5naW54OjEuMjUqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==',
  service:
    'azhzAAoNCgJ2MRIHU2VydmljZRJpCh8KA3N2YxIAGgAiACoAMgA4AEIAWgoKA2FwcBIDc3ZjEkIKGwoHODAtODA4MBIDVENQGFAiBwgAEJA/GgAoABIKCgNhcHASA3N2YxoAIglDbHVzdGVySVA6AEIAUgBaAGAAaAAaAgoAGgAiAA==',
  cronJob:
    'azhzAAoTCghiYXRjaC92MRIHQ3JvbkpvYhKeAQoSCgJjahIAGgAiACoAMgA4AEIAEoUBCgsqLzEgKiAqICogKhoAKnQKEgoCY2oSABoAIgAqADIAOABCABJeMlwKEAoAEgAaACIAKgAyADgAQgASSBIhCgJjahIHYnVzeWJveCoAQgBqAHIAgAEAiAEAkAEAogEAGglPbkZhaWx1cmUyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBABoAGgAiAA==',
  priorityClass: 'azhzAAolChRzY2hlZHVsaW5nLms4cy5pby92MRINUHJpb3JpdHlDbGFzcxIxChIKAnBjEgAaACIAKgAyADgAQgAQ6AcYACIAKhRQcmVlbXB0TG93ZXJQcmlvcml0eRoAIgA=',
  podDisruptionBudget:
    'azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSNwoTCgNwZGISABoAIgAqADIAOABCABIUCgYIABABGgASCgoICgNhcHASAXgaCggAGAAgACgAMAAaACIA',
  resourceQuota: 'azhzAAoTCgJ2MRINUmVzb3VyY2VRdW90YRIwChEKAXESABoAIgAqADIAOABCABIZCgoKA2NwdRIDCgExCgsKBHBvZHMSAwoBMhoAGgAiAA==',
  ingress:
    'azhzAAofChRuZXR3b3JraW5nLms4cy5pby92MRIHSW5ncmVzcxJKChMKA2luZxIAGgAiACoAMgA4AEIAEi8aLQoHZm9vLmNvbRIiCiAKHgoEL2JhchIPIg0KBHN2YzESBQoAEJA/GgVFeGFjdBoCCgAaACIA',
};

function decode(base64: string): Record<string, unknown> {
  return decodeProtobufObject(Buffer.from(base64, 'base64'));
}

function apiError(reason: string, pattern: RegExp) {
  return (error: unknown) => error instanceof ApiError && error.reason === reason && pattern.test(error.message);
}

describe('decodeProtobufObject on bodies kubectl 1.33 sends', () => {
  it('create namespace', () => {
    assert.deepEqual(decode(captured.namespace), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' }, spec: {}, status: {} });
  });

  it('create configmap --from-literal --from-file (binary file → binaryData, base64)', () => {
    assert.deepEqual(decode(captured.configMap), {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' }, binaryData: { 'bin.dat': 'AAEC/w==' },
    });
  });

  it('create secret generic: data values are base64', () => {
    assert.deepEqual(decode(captured.secret), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: Buffer.from('v').toString('base64') } });
  });

  it('create deployment --replicas=2', () => {
    assert.deepEqual(decode(captured.deployment), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', labels: { app: 'd' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'd' } },
        template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', resources: {} }] } },
        strategy: {},
      },
      status: {},
    });
  });

  it('create service clusterip --tcp=80:8080', () => {
    assert.deepEqual(decode(captured.service), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc', labels: { app: 'svc' } },
      spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'svc' }, type: 'ClusterIP' },
      status: { loadBalancer: {} },
    });
  });

  it('create cronjob --schedule', () => {
    const cronJob = decode(captured.cronJob) as { spec: { schedule: string; jobTemplate: { spec: { template: { spec: unknown } } } } };
    assert.equal(cronJob.spec.schedule, '*/1 * * * *');
    assert.deepEqual(cronJob.spec.jobTemplate.spec.template.spec, { containers: [{ name: 'cj', image: 'busybox', resources: {} }], restartPolicy: 'OnFailure' });
  });

  it('create priorityclass, poddisruptionbudget, quota, ingress', () => {
    assert.deepEqual(decode(captured.priorityClass), {
      apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'pc' }, value: 1000, preemptionPolicy: 'PreemptLowerPriority',
    });
    assert.deepEqual((decode(captured.podDisruptionBudget) as { spec: unknown }).spec, { minAvailable: 1, selector: { matchLabels: { app: 'x' } } });
    assert.deepEqual((decode(captured.resourceQuota) as { spec: unknown }).spec, { hard: { cpu: '1', pods: '2' } });
    assert.deepEqual((decode(captured.ingress) as { spec: unknown }).spec, {
      rules: [{ host: 'foo.com', http: { paths: [{ path: '/bar', backend: { service: { name: 'svc1', port: { number: 8080 } } }, pathType: 'Exact' }] } }],
    });
  });
});

describe('decodeProtobufObject field semantics', () => {
  const objectMeta = (...parts: Buffer[]) => msg(1, ...parts);

  it('keeps pointer fields at zero (replicas: 0) and drops non-pointer zeros, as Go JSON does', () => {
    const body = kubernetesBody('apps/v1', 'Deployment', objectMeta(str(1, 'd'), str(3, ''), int(7, 0)), msg(2, int(1, 0), int(5, 0), int(7, false)));
    assert.deepEqual(decodeProtobufObject(body), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 0 } });
  });

  it('inlines VolumeSource, ProbeHandler and LocalObjectReference; reads IntOrString strings and negative numbers', () => {
    const container = msg(2,
      str(1, 'c'),
      msg(10, msg(1, msg(2, str(1, '/healthz'), msg(2, int(1, 1), str(3, 'http')))), int(2, 3)),
      msg(15, int(4, -1), int(5, false)),
      msg(19, msg(3, msg(1, str(1, 'creds')), int(2, true))),
    );
    const volume = msg(1, str(1, 'scratch'), msg(2, msg(2, str(1, 'Memory'), msg(2, str(1, '64Mi')))));
    const body = kubernetesBody('v1', 'Pod', objectMeta(str(1, 'p')), msg(2, volume, container, int(4, 0), str(6, '')));
    assert.deepEqual(decodeProtobufObject(body), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        volumes: [{ name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }],
        containers: [{
          name: 'c',
          livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 3 },
          securityContext: { runAsUser: -1, runAsNonRoot: false },
          envFrom: [{ secretRef: { name: 'creds', optional: true } }],
        }],
        terminationGracePeriodSeconds: 0,
      },
    });
  });

  it('formats Time and MicroTime as RFC 3339, parses FieldsV1 and RawExtension JSON, skips unknown fields', () => {
    const seconds = Date.UTC(2024, 0, 2, 3, 4, 5) / 1000;
    const managed = msg(17, str(1, 'kubectl'), str(2, 'Update'), msg(4, int(1, seconds)), str(6, 'FieldsV1'), msg(7, bytes(1, Buffer.from('{"f:data":{}}'))));
    const revision = kubernetesBody('apps/v1', 'ControllerRevision',
      objectMeta(str(1, 'r'), msg(8, int(1, seconds)), managed, str(99, 'from the future'), fixed32(98, 1)),
      msg(2, bytes(1, Buffer.from('{"spec":{"x":1}}'))),
      int(3, 2 ** 40),
    );
    assert.deepEqual(decodeProtobufObject(revision), {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: 'r',
        creationTimestamp: '2024-01-02T03:04:05Z',
        managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2024-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }],
      },
      data: { spec: { x: 1 } },
      revision: 2 ** 40,
    });
    const lease = kubernetesBody('coordination.k8s.io/v1', 'Lease', objectMeta(str(1, 'l'), msg(8)), msg(2, str(1, 'me'), msg(4, int(1, seconds), int(2, 123_456_789))));
    assert.deepEqual(decodeProtobufObject(lease), {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { holderIdentity: 'me', renewTime: '2024-01-02T03:04:05.123456Z' },
    });
  });

  it('reads packed and unpacked repeated varints and map entries without a value', () => {
    const packed = bytes(4, Buffer.from([1, 2, 0x80, 0x01]));
    const body = kubernetesBody('v1', 'Pod', objectMeta(str(1, 'p'), entry(11, 'empty', Buffer.alloc(0))), msg(2, msg(14, packed, int(4, 5))));
    assert.deepEqual(decodeProtobufObject(body), {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { empty: '' } }, spec: { securityContext: { supplementalGroups: [1, 2, 128, 5] } },
    });
  });

  it('decodes DeleteOptions under any apiVersion', () => {
    const body = kubernetesBody('apps/v1', 'DeleteOptions', int(1, 0), str(4, 'Foreground'), str(5, 'All'));
    assert.deepEqual(decodeProtobufObject(body), { apiVersion: 'apps/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'] });
  });

  it('decodes an Eviction (kubectl drain) with its DeleteOptions', () => {
    const body = kubernetesBody('policy/v1', 'Eviction', msg(1, str(1, 'p'), str(3, 'default')), msg(2, int(1, 30)));
    assert.deepEqual(decodeProtobufObject(body), {
      apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 30 },
    });
  });
});

describe('decodeProtobufObject errors', () => {
  it('400 without the k8s\\0 prefix', () => {
    assert.throws(() => decodeProtobufObject(Buffer.from('{"kind":"Pod"}')), apiError('BadRequest', /Kubernetes protobuf prefix/));
  });

  it('400 on a truncated envelope or message', () => {
    const whole = Buffer.from(captured.deployment, 'base64');
    assert.throws(() => decodeProtobufObject(whole.subarray(0, 12)), apiError('BadRequest', /runtime\.Unknown: .*runs past the end/));
    const broken = kubernetesBody('v1', 'ConfigMap', Buffer.from([0x0a, 0x10, 0x0a]));
    assert.throws(() => decodeProtobufObject(broken), apiError('BadRequest', /as ConfigMap \(apiVersion "v1"\)/));
    const wrongWire = kubernetesBody('v1', 'ConfigMap', int(1, 5));
    assert.throws(() => decodeProtobufObject(wrongWire), apiError('BadRequest', /field metadata: wire type 0/));
  });

  it('400 when the envelope names no kind', () => {
    assert.throws(() => decodeProtobufObject(Buffer.from('k8s\0', 'latin1')), apiError('BadRequest', /names no kind/));
  });

  it('415 naming a kind this server has no message table for', () => {
    const body = kubernetesBody('example.com/v1', 'Widget', msg(1, str(1, 'w')));
    assert.throws(() => decodeProtobufObject(body), apiError('UnsupportedMediaType', /cannot decode Widget \(apiVersion "example.com\/v1"\) from protobuf/));
  });
});

describe('protobuf message tables', () => {
  it('load, with every message reference resolved', () => {
    assert.ok(kubernetesSchema.has('core.v1.PodSpec'));
    assert.ok(kubernetesSchema.has('meta.v1.ObjectMeta'));
    assert.equal(kubernetesSchema.message('apps.v1.DeploymentSpec').get(1)?.json, 'replicas');
  });
});

describe('decodeBody', () => {
  it('decodes application/vnd.kubernetes.protobuf bodies', () => {
    const rawBody = Buffer.from(captured.secret, 'base64');
    const request = { headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, rawBody } as unknown as Parameters<typeof decodeBody>[0];
    assert.deepEqual(decodeBody(request), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'dg==' } });
  });
});
