import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensurePki, issueClientCert, servingNames } from './pki.js';

describe('ensurePki', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-pki-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a CA, a serving certificate and an admin client certificate', async () => {
    const pki = await ensurePki(dir, { hosts: ['10.1.2.3', 'api.example.com'] });
    const ca = new X509Certificate(pki.caCert);
    const server = new X509Certificate(pki.serverCert);
    const admin = new X509Certificate(pki.adminCert);

    assert.equal(ca.subject, 'CN=skiff-ca');
    assert.equal(ca.ca, true);
    assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey));
    assert.ok(admin.checkIssued(ca) && admin.verify(ca.publicKey));
    assert.equal(server.ca, false);
    for (const name of ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', 'DNS:kubernetes.default.svc.cluster.local', 'IP Address:10.1.2.3', 'DNS:api.example.com']) {
      assert.ok(server.subjectAltName?.split(', ').includes(name), `serving certificate names ${name}: ${server.subjectAltName}`);
    }
    assert.equal(server.checkHost('kubernetes.default.svc'), 'kubernetes.default.svc');
    assert.equal(server.checkIP('::1'), '::1');
    assert.equal(admin.subject, 'O=system:masters\nCN=admin');
    assert.deepEqual(admin.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1']);

    const caYears = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / (365 * 24 * 3600 * 1000);
    const leafYears = (Date.parse(server.validTo) - Date.parse(server.validFrom)) / (365 * 24 * 3600 * 1000);
    assert.ok(Math.round(caYears) === 10, `CA valid ${caYears} years`);
    assert.ok(Math.round(leafYears) === 1, `serving certificate valid ${leafYears} years`);

    for (const file of ['ca.key', 'server.key', 'admin.key']) {
      assert.equal((await stat(join(dir, 'tls', file))).mode & 0o777, 0o600, file);
    }
  });

  it('loads what exists on a later start instead of regenerating', async () => {
    const first = await ensurePki(dir, { hosts: ['api.example.com', '10.1.2.3'] });
    const second = await ensurePki(dir, { hosts: ['10.1.2.3', 'api.example.com'] });
    assert.deepEqual(second, first);
  });

  it('reissues only the serving certificate when the names change', async () => {
    const before = await ensurePki(dir, { hosts: ['10.1.2.3', 'api.example.com'] });
    const after = await ensurePki(dir, { hosts: ['10.9.9.9'] });
    assert.notEqual(after.serverCert, before.serverCert);
    assert.equal(after.caCert, before.caCert);
    assert.equal(after.adminCert, before.adminCert);
    const server = new X509Certificate(after.serverCert);
    assert.ok(server.subjectAltName?.includes('IP Address:10.9.9.9'));
    assert.ok(!server.subjectAltName?.includes('api.example.com'));
  });
});

describe('issueClientCert', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-pki-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('issues a kubelet client certificate signed by the CA', async () => {
    const pki = await ensurePki(dir);
    const kubelet = await issueClientCert(pki, { commonName: 'system:node:n1', organizations: ['system:nodes'] });
    const cert = new X509Certificate(kubelet.cert);
    assert.equal(cert.subject, 'O=system:nodes\nCN=system:node:n1');
    assert.ok(cert.verify(new X509Certificate(pki.caCert).publicKey));
    assert.match(kubelet.key, /^-----BEGIN PRIVATE KEY-----/);
  });

  it('rejects an empty common name', async () => {
    const pki = await ensurePki(dir);
    await assert.rejects(issueClientCert(pki, { commonName: '' }), /commonName is required/);
  });
});

describe('servingNames', () => {
  it('adds extra hosts once, in canonical form', () => {
    const names = servingNames(['0:0:0:0:0:0:0:1', 'LOCALHOST', '192.168.1.1']);
    assert.equal(names.filter((n) => n === '::1').length, 1);
    assert.equal(names.filter((n) => n === 'localhost').length, 1);
    assert.ok(names.includes('192.168.1.1'));
  });
});
