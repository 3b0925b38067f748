import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFieldSelectorFields, fieldRequiresExactMatch, fieldSelectorString, matchFieldSelector, parseFieldSelector } from './fields.js';

test('parses =, == and != terms and matches', () => {
  const sel = parseFieldSelector('status.phase!=Running,metadata.name==web,spec.nodeName=');
  assert.equal(fieldSelectorString(sel), 'metadata.name=web,spec.nodeName=,status.phase!=Running');
  const obj: Record<string, string> = { 'metadata.name': 'web', 'status.phase': 'Pending' };
  assert.equal(matchFieldSelector(sel, (f) => obj[f]), true);
  assert.equal(matchFieldSelector(sel, (f) => ({ ...obj, 'status.phase': 'Running' })[f]), false);
  assert.equal(fieldRequiresExactMatch(sel, 'spec.nodeName'), '');
  assert.equal(matchFieldSelector(parseFieldSelector(''), () => undefined), true);
});

test('escaped values', () => {
  const sel = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d,x=y');
  assert.equal(sel.requirements[0].value, 'a,b=c\\d');
  assert.equal(fieldSelectorString(sel), 'metadata.name=a\\,b\\=c\\\\d,x=y');
});

test('errors read as upstream', () => {
  assert.throws(() => parseFieldSelector('foo'), { message: "invalid selector: 'foo'; can't understand 'foo'", code: 400 });
  assert.throws(() => parseFieldSelector('a=b\\c'), { message: 'invalid field selector: invalid escape sequence: \\c' });
  assert.throws(() => parseFieldSelector('a=b=c'), { message: 'invalid field selector: unescaped character in value: 61' });
  assert.throws(() => checkFieldSelectorFields(parseFieldSelector('foo=bar')), {
    message: '"foo" is not a known field selector: only "metadata.name", "metadata.namespace"',
  });
  assert.throws(() => checkFieldSelectorFields(parseFieldSelector('foo=bar'), ['metadata.name', 'metadata.namespace', 'spec.nodeName']), {
    message: 'field label not supported: foo',
  });
  checkFieldSelectorFields(parseFieldSelector('metadata.name=x'));
});
