import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { startEtcd, type RunningEtcd } from './lib/etcd.js';
import { kubectl as runKubectl, type KubectlResult } from './lib/kubectl.js';

let etcd: RunningEtcd | undefined;
let cluster: RunningCluster | undefined;
let stopped = false;

const resume = () => {
  if (stopped && etcd) process.kill(etcd.pid, 'SIGCONT');
  stopped = false;
};

before(async () => {
  etcd = await startEtcd();
  cluster = await startCluster({ datastoreEndpoint: etcd.endpoint });
});
after(async () => {
  resume();
  await cluster?.stop();
  await etcd?.stop();
});

const kubectl = (args: string[]) => runKubectl('1.33', args, { kubeconfig: cluster!.kubeconfig });

function ok(result: KubectlResult, what: string): string {
  assert.equal(result.code, 0, `${what} failed\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result.stdout;
}

async function eventually(what: string, attempts: number, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await sleep(1000);
  }
  assert.fail(`gave up waiting until ${what}`);
}

describe('skiff server while its etcd is stopped (SIGSTOP) and after it resumes', { timeout: 240_000 }, () => {
  it('serves the health checks as upstream does', async () => {
    assert.equal(
      ok(await kubectl(['get', '--raw', '/readyz?verbose']), 'readyz'),
      '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n',
    );
    assert.equal(ok(await kubectl(['get', '--raw', '/livez/ping']), 'livez/ping'), 'ok');
    assert.equal(ok(await kubectl(['get', '--raw', '/healthz/etcd']), 'healthz/etcd'), 'ok');
  });

  it('fails /readyz while etcd is stopped, passes again once it resumes, and the controller manager leads again', async () => {
    process.kill(etcd!.pid, 'SIGSTOP');
    stopped = true;
    const started = Date.now();
    try {
      const notReady = await kubectl(['get', '--raw', '/readyz']);
      assert.notEqual(notReady.code, 0);
      assert.match(notReady.stderr, /\[-\]etcd failed: reason withheld/);
      assert.match(notReady.stderr, /readyz check failed/);
      // past the controller manager's renew deadline (10 s), so it loses its lease
      await sleep(Math.max(0, 20_000 - (Date.now() - started)));
    } finally {
      resume();
    }
    await eventually('/readyz passes again', 30, async () => (await kubectl(['get', '--raw', '/readyz'])).stdout === 'ok');

    ok(await kubectl(['create', 'namespace', 'after-stall']), 'create ns');
    ok(await kubectl(['delete', 'namespace', 'after-stall', '--wait=false']), 'delete ns');
    await eventually('the namespace controller removes the deleted namespace', 90, async () => {
      const get = await kubectl(['get', 'namespace', 'after-stall', '--ignore-not-found', '-o', 'name']);
      return get.code === 0 && get.stdout.trim() === '';
    });
  });
});
