import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pullAuthFromSecretData, pullAuthFromSecrets } from './docker-config.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('dockerconfigjson credentials are found by registry host', () => {
  const data = { '.dockerconfigjson': b64(JSON.stringify({ auths: { 'registry.example.com:5000': { auth: b64('alice:s3cret') } } })) };
  assert.deepEqual(pullAuthFromSecretData(data, 'registry.example.com:5000'), { auth: b64('alice:s3cret'), username: 'alice', password: 's3cret' });
  assert.equal(pullAuthFromSecretData(data, 'other.example.com'), undefined);
});

test('Docker Hub URLs match registry-1.docker.io, globs match subdomains', () => {
  const data = { '.dockerconfigjson': b64(JSON.stringify({ auths: { 'https://index.docker.io/v1/': { username: 'bob', password: 'pw' }, '*.corp.example': { username: 'c', password: 'd' } } })) };
  assert.equal(pullAuthFromSecretData(data, 'registry-1.docker.io')?.username, 'bob');
  assert.equal(pullAuthFromSecretData(data, 'images.corp.example')?.username, 'c');
  assert.equal(pullAuthFromSecretData(data, 'a.b.corp.example'), undefined);
});

test('legacy .dockercfg and secret order are honoured', () => {
  const legacy = { '.dockercfg': b64(JSON.stringify({ 'quay.io': { username: 'q', password: 'p' } })) };
  const other = { '.dockerconfigjson': b64(JSON.stringify({ auths: { 'ghcr.io': { identitytoken: 'tok' } } })) };
  assert.equal(pullAuthFromSecrets([{ data: other }, { data: legacy }], 'quay.io')?.username, 'q');
  assert.equal(pullAuthFromSecrets([undefined, { data: other }], 'ghcr.io')?.identityToken, 'tok');
  assert.equal(pullAuthFromSecretData({ '.dockerconfigjson': 'not base64 json' }, 'quay.io'), undefined);
});
