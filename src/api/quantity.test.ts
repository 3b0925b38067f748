import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuantity, compareQuantities, isValidQuantity, parseQuantity, parseQuantityValue, quantityMilliValue } from './quantity.js';

test('parses the three formats into base units', () => {
  assert.equal(parseQuantity('100m'), 0.1);
  assert.equal(parseQuantity('1Gi'), 1024 ** 3);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.equal(parseQuantity('0.5'), 0.5);
  assert.equal(parseQuantity('128974848'), 128974848);
  assert.equal(parseQuantity('129M'), 129e6);
  assert.equal(parseQuantity('-2k'), -2000);
  assert.equal(quantityMilliValue('1.5'), 1500);
  assert.equal(quantityMilliValue('1n'), 1);
});

test('rejects what upstream rejects', () => {
  for (const bad of ['', 'abc', '1.2.3', '1Zi', '1 Gi', 'Gi', '1KB', '.']) assert.equal(isValidQuantity(bad), false, bad);
  for (const good of ['1', '1.', '.5', '+1', '5Ei', '1E2', '1e-3', '250m']) assert.equal(isValidQuantity(good), true, good);
  assert.throws(() => parseQuantityValue('1kk'), { message: "unable to parse quantity's suffix" });
  assert.throws(() => parseQuantityValue('x1'), /quantities must match the regular expression/);
});

test('canonical forms', () => {
  const cases: Array<[string, string]> = [
    ['1000m', '1'], ['1000', '1k'], ['0.5', '500m'], ['1.5Gi', '1536Mi'], ['1024', '1024'], ['2048Ki', '2Mi'],
    ['1e3', '1e3'], ['100m', '100m'], ['0', '0'], ['512Mi', '512Mi'], ['0.1Gi', '107374182400m'], ['1.5', '1500m'],
  ];
  for (const [input, canon] of cases) assert.equal(canonicalQuantity(input), canon, input);
  assert.equal(canonicalQuantity('1.0001', { roundUpToMilli: true }), '1001m');
  assert.equal(canonicalQuantity(2), '2');
});

test('compares across formats', () => {
  assert.equal(compareQuantities('1Gi', '1073741824'), 0);
  assert.ok(compareQuantities('500m', '1') < 0);
  assert.ok(compareQuantities('2', '1500m') > 0);
});
