import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatImageReference, isLoopbackRegistry, parseImageReference } from './reference.js';

test('a bare name means docker.io/library and :latest', () => {
  const ref = parseImageReference('busybox');
  assert.equal(ref.name, 'docker.io/library/busybox');
  assert.equal(ref.registryHost, 'registry-1.docker.io');
  assert.equal(ref.repository, 'library/busybox');
  assert.equal(ref.tag, 'latest');
  assert.equal(formatImageReference(ref), 'docker.io/library/busybox:latest');
});

test('user repositories on docker.io get no library/ prefix', () => {
  assert.equal(formatImageReference(parseImageReference('bitnami/nginx:1.25')), 'docker.io/bitnami/nginx:1.25');
  assert.equal(formatImageReference(parseImageReference('index.docker.io/library/alpine')), 'docker.io/library/alpine:latest');
});

test('a first component with a dot, a port or localhost is a registry', () => {
  const local = parseImageReference('127.0.0.1:5000/test/busybox:1');
  assert.deepEqual([local.domain, local.repository, local.tag], ['127.0.0.1:5000', 'test/busybox', '1']);
  assert.equal(parseImageReference('localhost/app').domain, 'localhost');
  assert.equal(parseImageReference('ghcr.io/org/app').registryHost, 'ghcr.io');
  assert.equal(parseImageReference('registry:5000/app:v2').domain, 'registry:5000');
});

test('digests pin the reference and drop the default tag', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const ref = parseImageReference(`busybox@${digest}`);
  assert.equal(ref.digest, digest);
  assert.equal(ref.tag, undefined);
  assert.equal(formatImageReference(ref), `docker.io/library/busybox@${digest}`);
  assert.equal(parseImageReference(`quay.io/a/b:1@${digest}`).tag, '1');
});

test('malformed references are refused with a reason', () => {
  assert.throws(() => parseImageReference(''), /empty/);
  assert.throws(() => parseImageReference('Busybox'), /invalid repository component/);
  assert.throws(() => parseImageReference('busybox@sha256:abc'), /digest/);
  assert.throws(() => parseImageReference('busybox:bad tag'), /invalid tag/);
  assert.throws(() => parseImageReference('a//b'), /invalid repository component/);
});

test('loopback registries are recognised', () => {
  assert.ok(isLoopbackRegistry('127.0.0.1:5000'));
  assert.ok(isLoopbackRegistry('localhost'));
  assert.ok(isLoopbackRegistry('[::1]:5000'));
  assert.ok(!isLoopbackRegistry('registry.example.com'));
});
