import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObjectMeta } from './object-meta.js';
import { nameIsDNSLabel } from './names.js';

test('name or generateName is required', () => {
  const errs = validateObjectMeta({ namespace: 'default' }, { namespaced: true });
  assert.deepEqual(errs.map((e) => `${e.field}: ${e.message}`), ['metadata.name: Required value: name or generateName is required']);
});

test('namespace required on namespaced kinds, forbidden on cluster kinds', () => {
  assert.deepEqual(validateObjectMeta({ name: 'a' }, { namespaced: true }).map((e) => `${e.field}: ${e.message}`), ['metadata.namespace: Required value']);
  assert.deepEqual(validateObjectMeta({ name: 'a', namespace: 'x' }, { namespaced: false }).map((e) => `${e.field}: ${e.message}`), [
    'metadata.namespace: Forbidden: not allowed on this type',
  ]);
});

test('bad name, labels and annotations give upstream messages', () => {
  const errs = validateObjectMeta(
    { name: 'Bad_Name', namespace: 'default', labels: { 'a/b/c': 'x', ok: '-bad' }, annotations: { 'x/': 'v' } },
    { namespaced: true, nameValidator: nameIsDNSLabel },
  );
  const fields = errs.map((e) => e.field);
  assert.deepEqual(fields, ['metadata.name', 'metadata.labels', 'metadata.labels', 'metadata.annotations', 'metadata.annotations']);
  assert.match(errs[0].message, /^Invalid value: "Bad_Name": a lowercase RFC 1123 label/);
  assert.match(errs[2].message, /^Invalid value: "-bad": a valid label must be an empty string/);
  assert.equal(errs[3].message.startsWith('Invalid value: "x/": name part must be non-empty'), true);
});

test('annotations over 256 KiB are too long', () => {
  const errs = validateObjectMeta({ name: 'a', annotations: { big: 'x'.repeat(262142) } }, { namespaced: false });
  assert.deepEqual(errs.map((e) => `${e.field}: ${e.message}`), ['metadata.annotations: Too long: may not be more than 262144 bytes']);
  assert.deepEqual(validateObjectMeta({ name: 'a', annotations: { big: 'x'.repeat(262141) } }, { namespaced: false }), []);
});

test('update: name, namespace, uid and creationTimestamp are immutable', () => {
  const old = { name: 'a', namespace: 'default', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z' };
  const errs = validateObjectMeta({ ...old, uid: 'u2', creationTimestamp: '2025-01-01T00:00:00Z' }, { namespaced: true }, old);
  assert.deepEqual(errs.map((e) => `${e.field}: ${e.message}`), [
    'metadata.uid: Invalid value: "u2": field is immutable',
    'metadata.creationTimestamp: Invalid value: "2025-01-01T00:00:00Z": field is immutable',
  ]);
});
