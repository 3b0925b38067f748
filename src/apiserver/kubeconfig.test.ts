import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { writeKubeconfig } from './kubeconfig.js';

describe('writeKubeconfig', () => {
  it('writes a standard kubeconfig readable only by its owner', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-kubeconfig-'));
    try {
      const path = join(dir, 'sub', 'kubeconfig.yaml');
      await writeKubeconfig(path, { server: 'https://127.0.0.1:6443', caCert: 'CA PEM', clientCert: 'CERT PEM', clientKey: 'KEY PEM' });
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      const config = parse(await readFile(path, 'utf8'));
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      assert.deepEqual(config, {
        apiVersion: 'v1',
        kind: 'Config',
        preferences: {},
        clusters: [{ name: 'default', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64('CA PEM') } }],
        users: [{ name: 'admin', user: { 'client-certificate-data': b64('CERT PEM'), 'client-key-data': b64('KEY PEM') } }],
        contexts: [{ name: 'default', context: { cluster: 'default', user: 'admin' } }],
        'current-context': 'default',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
