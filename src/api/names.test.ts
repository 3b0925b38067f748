import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortName, isConfigMapKey, ipFamilyOf, nameIsDNSSubdomain } from './names.js';

test('DNS-1123 subdomain accepts dotted names and words its error as upstream', () => {
  assert.deepEqual(isDNS1123Subdomain('example.com'), []);
  assert.deepEqual(isDNS1123Subdomain('Foo'), [
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.equal(isDNS1123Subdomain('a'.repeat(254))[0], 'must be no more than 253 characters');
});

test('DNS-1123 and DNS-1035 labels', () => {
  assert.deepEqual(isDNS1123Label('123-abc'), []);
  assert.deepEqual(isDNS1123Label('a.b'), [
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')".replace(',  or', ', or'),
  ]);
  assert.deepEqual(isDNS1035Label('my-name'), []);
  assert.equal(isDNS1035Label('1abc').length, 1);
  assert.match(isDNS1035Label('1abc')[0], /^a DNS-1035 label must consist of/);
});

test('qualified names: prefix and name parts', () => {
  assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
  assert.deepEqual(isQualifiedName('MyName'), []);
  assert.deepEqual(isQualifiedName('/foo'), ['prefix part must be non-empty']);
  assert.match(isQualifiedName('a/b/c')[0], /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e.g. 'example.com\/MyName'\)$/);
  assert.deepEqual(isQualifiedName('foo/-bar'), [
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')".replaceAll(',  or', ', or'),
  ]);
});

test('label values may be empty but not start with a dash', () => {
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isValidLabelValue('my_value'), []);
  assert.equal(isValidLabelValue('-x').length, 1);
  assert.deepEqual(isValidLabelValue('a'.repeat(64))[0], 'must be no more than 63 characters');
});

test('port names, config keys, IPs and generateName prefixes', () => {
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('80'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isConfigMapKey('..x'), ["must not start with '..'"]);
  assert.equal(ipFamilyOf('10.0.0.1'), 4);
  assert.equal(ipFamilyOf('2001:db8::1'), 6);
  assert.equal(ipFamilyOf('::'), 6);
  assert.equal(ipFamilyOf('1.2.3'), undefined);
  assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
});
