import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloneJson } from './json-clone.js';

test('a clone equals the JSON round trip of the value and shares nothing with it', () => {
  const values: unknown[] = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', labels: { x: 'y' } }, spec: { containers: [{ name: 'c', args: ['1', '2'] }], priority: 0 }, status: { conditions: [] } },
    [1, 'two', null, true, { nested: [[]] }],
    'text',
    7,
    null,
  ];
  for (const value of values) {
    const clone = cloneJson(value);
    assert.deepEqual(clone, JSON.parse(JSON.stringify(value)));
    if (typeof value === 'object' && value !== null) assert.notEqual(clone, value);
  }
  const pod = values[0] as { metadata: { labels: Record<string, string> } };
  const copy = cloneJson(pod);
  copy.metadata.labels.x = 'changed';
  assert.equal(pod.metadata.labels.x, 'y');
});

test('a clone follows JSON: Dates become strings, undefined and functions go, undefined at the top stays', () => {
  const when = new Date('2026-11-22T19:00:00Z');
  assert.deepEqual(cloneJson({ at: when, gone: undefined, f: () => 1, list: [undefined, () => 1, when] }), { at: '2026-11-22T19:00:00.000Z', list: [null, null, '2026-11-22T19:00:00.000Z'] });
  assert.equal(cloneJson(undefined), undefined);
  assert.deepEqual(Object.keys(cloneJson(Object.assign(Object.create({ inherited: 1 }), { own: 2 }))), ['own']);
});

test('a "__proto__" key that JSON.parse made stays a key of the copy', () => {
  const parsed = JSON.parse('{"data":{"__proto__":{"p":"q"},"k":"v"}}') as { data: Record<string, unknown> };
  const copy = cloneJson(parsed);
  assert.deepEqual(Object.keys(copy.data), ['__proto__', 'k']);
  assert.equal(JSON.stringify(copy), JSON.stringify(parsed));
  assert.equal(Object.getPrototypeOf(copy.data), Object.prototype);
});
