import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.js';
import { defaultDeployment, validateDeployment } from './deployment.js';
import { defaultReplicaSet, validateReplicaSet } from './replica-set.js';
import { defaultDaemonSet, validateDaemonSet } from './daemon-set.js';
import { defaultStatefulSet, validateStatefulSet } from './stateful-set.js';
import { defaultJob, generateJobSelector, validateJob } from './job.js';
import { defaultCronJob, validateCronJob } from './cron-job.js';
import { invalid } from '../errors.js';

const msgs = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const template = (labels: Record<string, string> = { app: 'web' }, restartPolicy?: string) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'c', image: 'nginx:1' }], ...(restartPolicy ? { restartPolicy } : {}) },
});
const obj = (kind: string, spec: Record<string, unknown>): KubeObject => ({ kind, metadata: { name: 'x', namespace: 'default', uid: 'u-1' }, spec });

test('deployment defaults and a valid deployment', () => {
  const d = obj('Deployment', { selector: { matchLabels: { app: 'web' } }, template: template() });
  defaultDeployment(d);
  const spec = d.spec as Record<string, any>;
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.progressDeadlineSeconds, 600);
  assert.equal(spec.template.spec.restartPolicy, 'Always');
  assert.equal(spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(spec.template.spec.enableServiceLinks, undefined);
  assert.deepEqual(validateDeployment(d), []);
});

test('deployment without selector reads as upstream', () => {
  const d = obj('Deployment', { template: template({ app: 'nginx' }) });
  defaultDeployment(d);
  assert.equal(
    invalid('Deployment', 'x', validateDeployment(d), 'apps').message,
    'Deployment.apps "x" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`]',
  );
});

test('deployment: mismatched labels, negative replicas, bad strategy, immutable selector', () => {
  const d = obj('Deployment', { replicas: -1, selector: { matchLabels: { app: 'db' } }, template: template(), strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } });
  defaultDeployment(d);
  assert.deepEqual(msgs(validateDeployment(d)), [
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
  ]);
  const old = obj('Deployment', { selector: { matchLabels: { app: 'web' } }, template: template() });
  defaultDeployment(old);
  const next = structuredClone(old);
  (next.spec as any).selector = { matchLabels: { app: 'web', v: '2' } };
  (next.spec as any).template.metadata.labels.v = '2';
  assert.deepEqual(msgs(validateDeployment(next, old)), [
    'spec.selector: Invalid value: {"matchLabels":{"app":"web","v":"2"}}: field is immutable',
  ]);
});

test('replicaset and daemonset require restartPolicy Always', () => {
  const rs = obj('ReplicaSet', { selector: { matchLabels: { app: 'web' } }, template: template(undefined, 'Never') });
  defaultReplicaSet(rs);
  assert.equal((rs.spec as any).replicas, 1);
  assert.deepEqual(msgs(validateReplicaSet(rs)), ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
  const ds = obj('DaemonSet', { selector: { matchLabels: { app: 'web' } }, template: template() });
  defaultDaemonSet(ds);
  assert.deepEqual((ds.spec as any).updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.deepEqual(validateDaemonSet(ds), []);
  (ds.spec as any).selector = {};
  assert.deepEqual(msgs(validateDaemonSet(ds)), [
    'spec.selector: Invalid value: {}: empty selector is invalid for daemonset',
  ]);
});

test('statefulset defaults and forbidden updates', () => {
  const s = obj('StatefulSet', { serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: template(), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] });
  defaultStatefulSet(s);
  const spec = s.spec as any;
  assert.equal(spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.deepEqual(spec.volumeClaimTemplates[0], { metadata: { name: 'data' }, spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  assert.deepEqual(validateStatefulSet(s), []);
  const next = structuredClone(s);
  (next.spec as any).replicas = 3;
  assert.deepEqual(validateStatefulSet(next, s), []);
  (next.spec as any).serviceName = 'other';
  assert.deepEqual(msgs(validateStatefulSet(next, s)), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
});

test('job defaults, generated selector and restartPolicy', () => {
  const j = obj('Job', { template: template({ app: 'batch' }, 'Never') });
  defaultJob(j);
  generateJobSelector(j);
  const spec = j.spec as any;
  assert.equal(spec.completions, 1);
  assert.equal(spec.parallelism, 1);
  assert.equal(spec.backoffLimit, 6);
  assert.equal(spec.completionMode, 'NonIndexed');
  assert.equal(spec.suspend, false);
  assert.deepEqual(j.metadata.labels, { app: 'batch' });
  assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  assert.equal(spec.template.metadata.labels['job-name'], 'x');
  assert.deepEqual(validateJob(j), []);
  const bad = obj('Job', { template: template({ app: 'batch' }) });
  defaultJob(bad);
  generateJobSelector(bad);
  assert.deepEqual(msgs(validateJob(bad)), ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
});

test('cronjob defaults and schedule validation', () => {
  const c = obj('CronJob', { schedule: '*/5 * * * *', jobTemplate: { spec: { template: template({}, 'OnFailure') } } });
  defaultCronJob(c);
  const spec = c.spec as any;
  assert.equal(spec.concurrencyPolicy, 'Allow');
  assert.equal(spec.suspend, false);
  assert.equal(spec.successfulJobsHistoryLimit, 3);
  assert.equal(spec.failedJobsHistoryLimit, 1);
  assert.deepEqual(validateCronJob(c), []);
  spec.schedule = '61 * * * *';
  spec.concurrencyPolicy = 'Sometimes';
  assert.deepEqual(msgs(validateCronJob(c)), [
    'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
  ]);
  spec.concurrencyPolicy = 'Forbid';
  spec.schedule = '0 * * * *';
  spec.timeZone = 'Mars/Olympus';
  assert.deepEqual(msgs(validateCronJob(c)), ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
  spec.timeZone = 'Europe/Berlin';
  assert.deepEqual(validateCronJob(c), []);
  spec.schedule = '* * *';
  assert.match(msgs(validateCronJob(c))[0], /expected exactly 5 fields, found 3: \[\* \* \*\]/);
});
