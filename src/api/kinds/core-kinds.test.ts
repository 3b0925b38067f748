import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.js';
import { defaultService, validateService } from './service.js';
import { defaultNamespace, validateNamespace } from './namespace.js';
import { defaultSecret, validateSecret } from './secret.js';
import { validateConfigMap } from './config-map.js';
import { defaultEndpoints, validateEndpoints } from './endpoints.js';
import { defaultEndpointSlice, validateEndpointSlice } from './endpoint-slice.js';
import { defaultNode, validateNode } from './node.js';
import { validateLease } from './lease.js';
import { validateEvent, validateEventsV1Event } from './event.js';
import { nextCronTime, parseCronSchedule } from './cron-schedule.js';

const msgs = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const meta = { name: 'x', namespace: 'default' };

test('service defaults', () => {
  const s: KubeObject = { metadata: meta, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
  defaultService(s);
  assert.deepEqual(s.spec, {
    selector: { app: 'web' },
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    sessionAffinity: 'None',
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
  });
  assert.deepEqual(validateService(s), []);
  const np: KubeObject = { metadata: meta, spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }] } };
  defaultService(np);
  assert.equal((np.spec as any).externalTrafficPolicy, 'Cluster');
  assert.equal((np.spec as any).ports[0].targetPort, 'http');
});

test('service validation', () => {
  const s: KubeObject = { metadata: meta, spec: { type: 'Magic', ports: [] } };
  defaultService(s);
  assert.deepEqual(msgs(validateService(s)), [
    'spec.ports: Required value',
    'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
  const headless: KubeObject = { metadata: meta, spec: { clusterIP: 'None', selector: { app: 'db' } } };
  defaultService(headless);
  assert.deepEqual(validateService(headless), []);
  const two: KubeObject = { metadata: meta, spec: { ports: [{ port: 80 }, { port: 70000, name: 'b' }] } };
  defaultService(two);
  assert.deepEqual(msgs(validateService(two)), [
    'spec.ports[0].name: Required value',
    'spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.ports[1].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
  ]);
});

test('service clusterIP may not change once set', () => {
  const old: KubeObject = { metadata: meta, spec: { clusterIP: '10.96.0.10', ports: [{ port: 53 }] } };
  defaultService(old);
  const next = structuredClone(old);
  (next.spec as any).clusterIP = '10.96.0.11';
  (next.spec as any).clusterIPs = ['10.96.0.11'];
  assert.deepEqual(msgs(validateService(next, old)), ['spec.clusterIPs[0]: Invalid value: ["10.96.0.11"]: may not change once set']);
});

test('namespace defaults', () => {
  const ns: KubeObject = { metadata: { name: 'team-a' } };
  defaultNamespace(ns);
  assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
  assert.deepEqual(validateNamespace(ns), []);
  (ns.spec as any).finalizers = ['foo'];
  assert.deepEqual(msgs(validateNamespace(ns)), ['spec.finalizers: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified']);
});

test('secrets: stringData folds into data; type rules; immutability', () => {
  const s: KubeObject = { metadata: meta, stringData: { password: 'hunter2' } };
  defaultSecret(s);
  assert.equal(s.type, 'Opaque');
  assert.deepEqual(s.data, { password: 'aHVudGVyMg==' });
  assert.equal(s.stringData, undefined);
  assert.deepEqual(validateSecret(s), []);
  const tls: KubeObject = { metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': '' } };
  assert.deepEqual(msgs(validateSecret(tls)), ['data[tls.key]: Required value']);
  const old = { ...s, immutable: true };
  assert.deepEqual(msgs(validateSecret({ ...s, data: { password: 'eA==' } }, old)), [
    'immutable: Forbidden: field is immutable when `immutable` is set',
    'data: Forbidden: field is immutable when `immutable` is set',
  ]);
});

test('configmap keys', () => {
  assert.deepEqual(validateConfigMap({ metadata: meta, data: { 'a.conf': 'x' } }), []);
  assert.deepEqual(msgs(validateConfigMap({ metadata: meta, data: { 'a b': 'x' } })), [
    'data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\' (e.g. \'key.name\', or \'KEY_NAME\', or \'key-name\', regex used for validation is \'[-._a-zA-Z0-9]+\')',
  ]);
});

test('endpoints and endpoint slices', () => {
  const ep: KubeObject = { metadata: meta, subsets: [{ addresses: [{ ip: '10.1.0.5' }], ports: [{ port: 80 }] }] };
  defaultEndpoints(ep);
  assert.equal((ep as any).subsets[0].ports[0].protocol, 'TCP');
  assert.deepEqual(validateEndpoints(ep), []);
  assert.deepEqual(msgs(validateEndpoints({ metadata: meta, subsets: [{ addresses: [{ ip: '127.0.0.1' }] }, {}] })), [
    'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    'subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`',
  ]);
  const slice: KubeObject = { metadata: meta, addressType: 'IPv4', endpoints: [{ addresses: ['10.1.0.5'] }], ports: [{ port: 80 }] };
  defaultEndpointSlice(slice);
  assert.deepEqual((slice as any).ports, [{ port: 80, name: '', protocol: 'TCP' }]);
  assert.deepEqual(validateEndpointSlice(slice), []);
  assert.deepEqual(msgs(validateEndpointSlice({ metadata: meta, addressType: 'IPv5', endpoints: [{ addresses: [] }] })), [
    'addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"',
    'endpoints[0].addresses: Required value: must contain at least 1 address',
  ]);
});

test('nodes, leases and events', () => {
  const n: KubeObject = { metadata: { name: 'n1' }, spec: { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule' }] }, status: { capacity: { cpu: '2' } } };
  defaultNode(n);
  assert.deepEqual((n.status as any).allocatable, { cpu: '2' });
  assert.deepEqual(msgs(validateNode(n)), ['spec.taints[1]: Duplicate value: {"Key":"a","Value":"","Effect":"NoSchedule","TimeAdded":null}: taints must be unique by key and effect pair']);
  assert.deepEqual(msgs(validateLease({ metadata: meta, spec: { leaseDurationSeconds: 0 } })), ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
  assert.deepEqual(msgs(validateEvent({ metadata: meta, involvedObject: { namespace: 'other' } })), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  assert.deepEqual(validateEventsV1Event({ metadata: meta, eventTime: '2024-01-01T00:00:00.000000Z', type: 'Normal', reportingController: 'skiff/scheduler', reportingInstance: 'i', action: 'Binding', reason: 'Scheduled', regarding: { namespace: 'default' } }), []);
});

test('cron schedules', () => {
  const s = parseCronSchedule('30 2 * * 1-5');
  assert.equal(nextCronTime(s, new Date('2024-06-01T00:00:00Z'))?.toISOString(), '2024-06-03T02:30:00.000Z');
  assert.equal(nextCronTime(parseCronSchedule('@hourly'), new Date('2024-06-01T00:00:00Z'))?.toISOString(), '2024-06-01T01:00:00.000Z');
  assert.throws(() => parseCronSchedule('@sometimes'), { message: 'unrecognized descriptor: @sometimes' });
});
