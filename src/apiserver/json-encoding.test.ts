import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/index.js';
import { encodeBody, encodeForStore, isJsonRoundTrip, rememberAnswer } from './json-encoding.js';

const shapes: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default', labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] }, status: {} },
  { metadata: { name: 'first' }, apiVersion: 'v1', kind: 'ConfigMap', data: { k: 'v\n"' } },
  { apiVersion: 'v1', kind: 'Namespace', spec: {}, metadata: {} },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', annotations: undefined }, type: undefined, data: { a: 'b' } } as unknown as KubeObject,
  { kind: 'X', apiVersion: 'v1', metadata: { name: 'é ✓', finalizers: ['a'] }, spec: { n: 1.5, list: [null, true, { x: undefined }] } } as unknown as KubeObject,
];

test('the stored JSON is the object without its resourceVersion', () => {
  for (const shape of shapes) {
    const object = structuredClone(shape);
    assert.equal(encodeForStore(object).stored, JSON.stringify(object));
    const withRevision = { ...object, metadata: { ...object.metadata, resourceVersion: '7' } };
    const { resourceVersion: _ignored, ...metadata } = withRevision.metadata;
    assert.equal(encodeForStore(withRevision).stored, JSON.stringify({ ...withRevision, metadata }));
  }
});

test('the answer of a created object is its JSON with the revision the store gave it', () => {
  for (const shape of shapes) {
    const object = structuredClone(shape);
    const encoding = encodeForStore(object);
    object.metadata.resourceVersion = '42';
    rememberAnswer(object, encoding);
    assert.equal(encodeBody(object), JSON.stringify(object));
    object.metadata.labels = { changed: 'yes' };
    assert.equal(encodeBody(object), JSON.stringify(object), 'the remembered answer is used once');
  }
});

test('only a value equal to its own JSON decoding counts as a JSON round trip', () => {
  for (const same of [{ a: [1, 'x', null, true, { b: {} }] }, [], 'é', 0, -1.5]) {
    assert.equal(isJsonRoundTrip(same), true, JSON.stringify(same));
    assert.deepEqual(JSON.parse(JSON.stringify(same)), same);
  }
  for (const changed of [{ a: undefined }, [undefined], [1, , 2], { n: NaN }, { n: Infinity }, { n: -0 }, { d: new Date(0) }, { m: new Map() }, Object.create(null), { f: () => 1 }, 10n]) {
    assert.equal(isJsonRoundTrip(changed), false);
  }
});
