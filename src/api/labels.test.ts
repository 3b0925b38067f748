import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelSelectorString, matchLabelSelector, parseLabelSelector, requiresExactMatch, selectorFromSet } from './labels.js';
import { ApiError } from './errors.js';

test('parses every operator and matches as upstream', () => {
  const sel = parseLabelSelector('a=b,c==d,e!=f,g in (x,y),h notin (z),i,!j');
  assert.equal(labelSelectorString(sel), 'a=b,c==d,e!=f,g in (x,y),h notin (z),i,!j');
  const labels = { a: 'b', c: 'd', e: 'x', g: 'y', h: 'q', i: '' };
  assert.equal(matchLabelSelector(sel, labels), true);
  assert.equal(matchLabelSelector(sel, { ...labels, j: '1' }), false);
  assert.equal(matchLabelSelector(sel, { ...labels, e: 'f' }), false);
  assert.equal(matchLabelSelector(sel, { ...labels, g: 'w' }), false);
  const { h: _h, ...noH } = labels;
  assert.equal(matchLabelSelector(sel, noH), true);
});

test('whitespace, empty values, sorting and set edge cases', () => {
  const sel = parseLabelSelector(' z = , app  in ( web , db ) , x notin () ');
  assert.equal(labelSelectorString(sel), 'app in (db,web),x notin (),z=');
  assert.equal(matchLabelSelector(sel, { app: 'db', z: '' }), true);
  assert.equal(matchLabelSelector(parseLabelSelector(''), {}), true);
  assert.equal(labelSelectorString(parseLabelSelector('v in (in,notin)')), 'v in (in,notin)');
});

test('gt and lt compare integers', () => {
  const sel = parseLabelSelector('n>3,m<10');
  assert.equal(matchLabelSelector(sel, { n: '4', m: '9' }), true);
  assert.equal(matchLabelSelector(sel, { n: '3', m: '9' }), false);
  assert.equal(matchLabelSelector(sel, { n: 'x', m: '9' }), false);
});

test('invalid selectors throw BadRequest with upstream wording', () => {
  const cases: Array<[string, string]> = [
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a=b,', "found '', expected: identifier after ','"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a=-b', 'unable to parse requirement: values[0][a]: Invalid value: "-b": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\', or \'my_value\', or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')'],
    ['a>x', 'unable to parse requirement: values[0]: Invalid value: "x": for \'Gt\', \'Lt\' operators, the value must be an integer'],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseLabelSelector(input), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 400);
      assert.equal(e.message, message, input);
      return true;
    });
  }
  assert.throws(() => parseLabelSelector('-a=b'), /unable to parse requirement: <nil>: Invalid value: "-a": name part must consist/);
});

test('exact match lookups and sets', () => {
  assert.equal(requiresExactMatch(parseLabelSelector('app=web,tier!=db'), 'app'), 'web');
  assert.equal(requiresExactMatch(parseLabelSelector('app in (web)'), 'app'), 'web');
  assert.equal(requiresExactMatch(parseLabelSelector('app in (web,db)'), 'app'), undefined);
  assert.equal(requiresExactMatch(parseLabelSelector('tier!=db'), 'tier'), undefined);
  assert.equal(labelSelectorString(selectorFromSet({ b: '2', a: '1' })), 'a=1,b=2');
});
