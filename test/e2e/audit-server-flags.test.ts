import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { kubectl } from './lib/kubectl.js';

/**
 * `skiff server` takes the k3s-style flags of the spine issue, and bearer tokens from
 * `--token-file` (upstream's static token CSV) work with the real kubectl's `--token`.
 */
const mainJs = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let cluster: RunningCluster | undefined;
let work: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'skiff-audit-flags-'));
  const tokens = join(work, 'tokens.csv');
  writeFileSync(tokens, 'admin-token,alice,uid-1,"system:masters,devs"\nplain-token,bob,uid-2\n');
  cluster = await startCluster({
    extraArgs: ['--token-file', tokens, '--bind-address', '127.0.0.1', '--datastore-endpoint=', '--cluster-cidr', '10.77.0.0/16', '--service-cidr', '10.78.0.0/16'],
  });
});
after(async () => {
  await cluster?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A kubeconfig that trusts the server's CA and carries no credentials of its own. */
function bareKubeconfig(): string {
  const path = join(work, 'bare.kubeconfig');
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: skiff\n  cluster:\n    server: ${cluster!.url}\n    certificate-authority: ${join(cluster!.dataDir, 'tls', 'ca.crt')}`,
      'contexts:',
      '- name: skiff\n  context:\n    cluster: skiff\n    user: nobody',
      'users:',
      '- name: nobody\n  user: {}',
      'current-context: skiff',
      '',
    ].join('\n'),
  );
  return path;
}

describe('skiff server flags and tokens', () => {
  it('skiff server --help lists the flags of the spine issue', () => {
    const help = spawnSync(process.execPath, [mainJs, 'server', '--help'], { encoding: 'utf8' });
    const text = help.stdout + help.stderr;
    for (const flag of ['data-dir', 'https-listen-port', 'bind-address', 'datastore-endpoint', 'token-file', 'disable-agent', 'cluster-cidr', 'service-cidr']) {
      assert.match(text, new RegExp(`^\\s+--${flag}\\b`, 'm'), `--${flag} missing from:\n${text}`);
    }
    assert.match(text, /--https-listen-port value\s+.*\(default "6443"\)/);
  });

  it('accepted the flags and listens where --bind-address says', () => {
    assert.equal(new URL(cluster!.url).hostname, '127.0.0.1');
  });

  it('kubectl --token with a token from the token file lists namespaces', async () => {
    const kubeconfig = bareKubeconfig();
    for (const token of ['admin-token', 'plain-token']) {
      const result = await kubectl('1.33', ['--token', token, 'get', 'ns', '-o', 'name'], { kubeconfig });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.stdout.trim().split('\n'), ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
    }
    const created = await kubectl('1.29', ['--token', 'admin-token', 'create', 'configmap', 'by-token', '--from-literal=a=b'], { kubeconfig });
    assert.equal(created.stdout, 'configmap/by-token created\n', created.stderr);
  });

  it('an unknown token is Unauthorized, as kubectl prints it', async () => {
    const result = await kubectl('1.33', ['--token', 'not-a-token', 'get', 'ns'], { kubeconfig: bareKubeconfig() });
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim(), 'error: You must be logged in to the server (Unauthorized)');
  });
});
