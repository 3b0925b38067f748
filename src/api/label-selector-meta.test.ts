import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelSelectorFromMeta, validateLabelSelector } from './label-selector-meta.js';
import { labelSelectorString, matchLabelSelector } from './labels.js';

test('null matches nothing, empty matches everything', () => {
  assert.equal(matchLabelSelector(labelSelectorFromMeta(null), {}), false);
  assert.equal(matchLabelSelector(labelSelectorFromMeta(undefined), { a: 'b' }), false);
  assert.equal(matchLabelSelector(labelSelectorFromMeta({}), {}), true);
});

test('matchLabels and matchExpressions combine', () => {
  const sel = labelSelectorFromMeta({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['fe', 'be'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'zone', operator: 'Exists' },
    ],
  });
  assert.equal(labelSelectorString(sel), 'app=web,!canary,env notin (prod),tier in (be,fe),zone');
  assert.equal(matchLabelSelector(sel, { app: 'web', tier: 'fe', zone: 'a' }), true);
  assert.equal(matchLabelSelector(sel, { app: 'web', tier: 'fe', zone: 'a', canary: 'y' }), false);
});

test('bad operator is rejected', () => {
  assert.throws(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }), /"Gt" is not a valid label selector operator/);
  assert.throws(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), /values: Invalid value: \[\]: for 'in', 'notin' operators, values set can't be empty/);
});

test('validateLabelSelector gives field errors', () => {
  const errs = validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }, { key: 'c', operator: 'Foo' }] }, 'spec.selector');
  assert.deepEqual(errs.map((e) => `${e.field}: ${e.message}`), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    'spec.selector.matchExpressions[2].operator: Invalid value: "Foo": not a valid selector operator',
  ]);
});
