import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipv4Number, ipv4String, parseIpv4Network } from './ipv4.js';

describe('IPv4 networks and addresses', () => {
  it('parses a CIDR to its network, host bits masked off', () => {
    assert.deepEqual(parseIpv4Network(' 10.42.7.1/16 '), { base: ipv4Number('10.42.0.0'), bits: 16 });
    assert.deepEqual(parseIpv4Network('0.0.0.0/0'), { base: 0, bits: 0 });
    assert.deepEqual(parseIpv4Network('192.0.2.9/32'), { base: ipv4Number('192.0.2.9'), bits: 32 });
  });

  it('refuses what is not an IPv4 CIDR', () => {
    for (const text of ['fd00::/8', '10.42.0.0', '10.42.0.0/33', '256.0.0.0/8', '10.42.0/16', 'ten/8']) assert.equal(parseIpv4Network(text), undefined, text);
  });

  it('converts addresses to numbers and back', () => {
    assert.equal(ipv4Number('255.255.255.255'), 0xffffffff);
    assert.equal(ipv4String(ipv4Number('10.96.0.1')!), '10.96.0.1');
    assert.equal(ipv4Number('10.96.0'), undefined);
    assert.equal(ipv4Number('10.96.0.256'), undefined);
  });
});
