import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../api/index.js';
import { defaultIndexers, IndexedStore, Indexes, objectKey, splitObjectKey } from './indexed-store.js';

const obj = (namespace: string | undefined, name: string, labels: Record<string, string> = {}): KubeObject => ({ metadata: { namespace, name, labels } });

test('keys are namespace/name, or name for cluster-scoped objects', () => {
  assert.equal(objectKey(obj('default', 'web')), 'default/web');
  assert.equal(objectKey(obj(undefined, 'node-1')), 'node-1');
  assert.deepEqual(splitObjectKey('default/web'), { namespace: 'default', name: 'web' });
  assert.deepEqual(splitObjectKey('node-1'), { name: 'node-1' });
});

test('indexes follow replacements and deletions; indexers added later see existing objects', () => {
  const store = new IndexedStore(defaultIndexers());
  store.set(obj('a', 'x', { app: 'web', tier: 'front' }));
  store.set(obj('a', 'y', { app: 'web' }));
  assert.deepEqual(store.byIndex(Indexes.label, 'app=web').map((o) => o.metadata.name).sort(), ['x', 'y']);

  store.set(obj('a', 'x', { app: 'db' }));
  assert.deepEqual(store.byIndex(Indexes.label, 'app=web').map((o) => o.metadata.name), ['y']);
  assert.deepEqual(store.byIndex(Indexes.label, 'tier=front'), []);
  assert.deepEqual(store.indexValues(Indexes.label).sort(), ['app=db', 'app=web']);

  store.addIndexer('first-letter', (o) => [o.metadata.name!.slice(0, 1)]);
  assert.equal(store.byIndex('first-letter', 'y').length, 1);
  assert.equal(store.delete('a/y')?.metadata.name, 'y');
  assert.deepEqual(store.byIndex('first-letter', 'y'), []);
  assert.deepEqual(store.byIndex(Indexes.namespace, 'a').map((o) => o.metadata.name), ['x']);
  assert.equal(store.size, 1);
  assert.throws(() => store.byIndex('nope', 'x'), /no indexer named nope/);
  assert.throws(() => store.addIndexer('first-letter', () => []), /already exists/);
});
