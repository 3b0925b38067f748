import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, applyMergePatch } from './patch.js';
import { ApiError } from './errors.js';

test('merge patch follows RFC 7386 and leaves inputs alone', () => {
  const target = { a: 'b', c: { d: 'e', f: 'g' }, list: [1, 2] };
  const patch = { a: 'z', c: { f: null }, list: [3], n: { x: null, y: 1 } };
  const snapshot = JSON.stringify([target, patch]);
  assert.deepEqual(applyMergePatch(target, patch), { a: 'z', c: { d: 'e' }, list: [3], n: { y: 1 } });
  assert.equal(JSON.stringify([target, patch]), snapshot);
  assert.deepEqual(applyMergePatch({ a: 1 }, ['x']), ['x']);
  assert.deepEqual(applyMergePatch(['x'], { a: 1 }), { a: 1 });
});

test('json patch: add, remove, replace, move, copy, test', () => {
  const target = { metadata: { labels: { a: '1' } }, spec: { list: [1, 2, 3] } };
  const out = applyJsonPatch(target, [
    { op: 'add', path: '/metadata/labels/b~1c', value: '2' },
    { op: 'add', path: '/spec/list/-', value: 4 },
    { op: 'add', path: '/spec/list/0', value: 0 },
    { op: 'remove', path: '/spec/list/1' },
    { op: 'replace', path: '/metadata/labels/a', value: 'x' },
    { op: 'copy', from: '/metadata/labels', path: '/spec/copied' },
    { op: 'move', from: '/spec/copied/a', path: '/spec/moved' },
    { op: 'test', path: '/spec/moved', value: 'x' },
  ]);
  assert.deepEqual(out, { metadata: { labels: { a: 'x', 'b/c': '2' } }, spec: { list: [0, 2, 3, 4], copied: { 'b/c': '2' }, moved: 'x' } });
  assert.deepEqual(target, { metadata: { labels: { a: '1' } }, spec: { list: [1, 2, 3] } });
});

test('json patch failures answer 422 with the library wording as cause', () => {
  const cases: Array<[unknown[], string]> = [
    [[{ op: 'add', path: '/spec/template/spec/volumes/-', value: {} }], 'add operation does not apply: doc is missing path: "/spec/template/spec/volumes/-": missing value'],
    [[{ op: 'test', path: '/metadata/name', value: 'y' }], 'testing value /metadata/name failed: test failed'],
    [[{ op: 'replace', path: '/nope', value: 1 }], 'replace operation does not apply: doc is missing key: /nope: missing value'],
    [[{ op: 'remove', path: '/nope' }], 'unable to remove nonexistent key: nope: missing value'],
    [[{ op: 'frob', path: '/x' }], 'Unexpected kind: frob'],
  ];
  for (const [ops, cause] of cases) {
    assert.throws(() => applyJsonPatch({ metadata: { name: 'x' } }, ops), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 422);
      assert.equal(e.message, 'the server rejected our request due to an error in our request');
      assert.equal(e.details?.causes?.[0].message, cause);
      return true;
    });
  }
  assert.throws(() => applyJsonPatch({}, { op: 'add' }), { code: 400 });
});
