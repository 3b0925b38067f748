import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.js';
import { defaultPod, defaultImagePullPolicy } from './pod-defaults.js';
import { validatePod } from './pod-validation.js';
import { invalid } from '../errors.js';

const msgs = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);

function pod(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec };
}

test('defaultPod fills upstream defaults', () => {
  const p = pod({
    containers: [
      {
        name: 'web',
        image: 'nginx',
        ports: [{ containerPort: 80 }],
        resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } },
        readinessProbe: { httpGet: { port: 80 } },
      },
    ],
    volumes: [{ name: 'cfg', configMap: { name: 'c' } }, { name: 'scratch' }, { name: 's', secret: { secretName: 'x' } }],
  });
  defaultPod(p);
  const spec = p.spec as Record<string, any>;
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.deepEqual(spec.securityContext, {});
  assert.equal(spec.enableServiceLinks, true);
  const c = spec.containers[0];
  assert.equal(c.imagePullPolicy, 'Always');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.ports[0].protocol, 'TCP');
  assert.deepEqual(c.resources.requests, { cpu: '500m', memory: '1Gi' });
  const q = pod({ containers: [{ name: 'a', image: 'a', resources: { limits: { cpu: 0.5, memory: '1024Mi' }, requests: { cpu: '100.5m' } } }] });
  defaultPod(q);
  assert.deepEqual((q.spec as Record<string, any>).containers[0].resources, { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '101m', memory: '1Gi' } });
  assert.deepEqual(c.readinessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(spec.volumes, [
    { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
    { name: 'scratch', emptyDir: {} },
    { name: 's', secret: { secretName: 'x', defaultMode: 420 } },
  ]);
  assert.equal(p.status, undefined);
});

test('image pull policy follows the tag', () => {
  assert.equal(defaultImagePullPolicy('nginx'), 'Always');
  assert.equal(defaultImagePullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultImagePullPolicy('nginx:1.25'), 'IfNotPresent');
  assert.equal(defaultImagePullPolicy('localhost:5000/app'), 'Always');
  assert.equal(defaultImagePullPolicy('localhost:5000/app:v1'), 'IfNotPresent');
  assert.equal(defaultImagePullPolicy('app@sha256:abc'), 'IfNotPresent');
});

test('a defaulted valid pod passes', () => {
  const p = pod({ containers: [{ name: 'a', image: 'busybox:1.36', volumeMounts: [{ name: 'v', mountPath: '/v' }] }], volumes: [{ name: 'v' }] });
  defaultPod(p);
  assert.deepEqual(validatePod(p), []);
});

test('pod validation messages', () => {
  const p = pod({
    restartPolicy: 'Sometimes',
    dnsPolicy: 'Weird',
    containers: [
      { name: 'Web', image: '', ports: [{ containerPort: 70000, protocol: 'XTP' }], resources: { requests: { cpu: '2' }, limits: { cpu: '1', memory: 'lots' } } },
      { name: 'Web', image: 'x', volumeMounts: [{ name: 'missing', mountPath: '/m' }] },
    ],
    volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }],
  });
  defaultPod(p);
  const got = msgs(validatePod(p));
  assert.deepEqual(got, [
    'spec.volumes[1].name: Duplicate value: "v"',
    'spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\', or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')',
    'spec.containers[0].image: Required value',
    'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.containers[0].ports[0].protocol: Unsupported value: "XTP": supported values: "SCTP", "TCP", "UDP"',
    `spec.containers[0].resources.limits[memory]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    `spec.containers[0].resources.requests[memory]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    'spec.containers[1].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\', or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')',
    'spec.containers[1].name: Duplicate value: "Web"',
    'spec.containers[1].volumeMounts[0].name: Not found: "missing"',
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    'spec.dnsPolicy: Unsupported value: "Weird": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
  ]);
});

test('host ports may not collide', () => {
  const p = pod({ containers: [{ name: 'a', image: 'a', ports: [{ containerPort: 80, hostPort: 8080 }] }, { name: 'b', image: 'b', ports: [{ containerPort: 81, hostPort: 8080 }] }] });
  defaultPod(p);
  assert.deepEqual(msgs(validatePod(p)), ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"']);
});

test('affinity and topology spread constraints', () => {
  const p = pod({
    containers: [{ name: 'a', image: 'a' }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In' }] }] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } }],
      },
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } } }] },
    },
    topologySpreadConstraints: [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'Maybe' }],
  });
  defaultPod(p);
  assert.deepEqual(msgs(validatePod(p)), [
    "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    'spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100',
    'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty',
    'spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero',
    'spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"',
  ]);
});

test('a pod needs a container', () => {
  const p = pod({ containers: [] });
  defaultPod(p);
  assert.deepEqual(msgs(validatePod(p)), ['spec.containers: Required value']);
});

test('pod update: image, activeDeadlineSeconds and added tolerations are allowed', () => {
  const old = pod({ containers: [{ name: 'a', image: 'a:1' }], tolerations: [{ key: 'k', operator: 'Exists' }] });
  defaultPod(old);
  const next = structuredClone(old);
  const spec = next.spec as Record<string, any>;
  spec.containers[0].image = 'a:2';
  spec.activeDeadlineSeconds = 100;
  spec.tolerations.push({ key: 'x', operator: 'Exists' });
  assert.deepEqual(validatePod(next, old), []);
});

test('pod update: other spec changes are forbidden with upstream wording', () => {
  const old = pod({ containers: [{ name: 'a', image: 'a:1', ports: [{ containerPort: 80 }] }] });
  defaultPod(old);
  const next = structuredClone(old);
  (next.spec as Record<string, any>).containers[0].ports[0].containerPort = 81;
  const errs = validatePod(next, old);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].field, 'spec');
  assert.ok(
    errs[0].message.startsWith(
      'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
    ),
  );
  assert.match(errs[0].message, /containerPort: 81/);
  assert.match(invalid('Pod', 'p', errs).message, /^Pod "p" is invalid: spec: Forbidden: pod updates may not change/);
  const removed = structuredClone(old);
  (removed.spec as Record<string, any>).containers.push({ name: 'b', image: 'b' });
  assert.deepEqual(msgs(validatePod(removed, old)).slice(-1), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
  const ads = structuredClone(old);
  (old.spec as Record<string, any>).activeDeadlineSeconds = 10;
  (ads.spec as Record<string, any>).activeDeadlineSeconds = 20;
  assert.deepEqual(msgs(validatePod(ads, old)), ['spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value']);
});
