import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { startCluster } from './lib/cluster.js';
import { kubectl } from './lib/kubectl.js';

const mainJs = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const header = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';

const root = mkdtempSync(join(tmpdir(), 'skiff-e2e-scheduler-thread-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Runs `skiff server` with a scheduler configuration until it exits (or prints its ready line, then SIGTERM). */
function serverWithConfig(name: string, config: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const path = join(root, `${name}.yaml`);
  writeFileSync(path, config);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainJs, 'server', '--data-dir', join(root, name), '--https-listen-port', '0', '--disable-agent', '--scheduler-config', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      if (stdout.includes('ready at')) child.kill('SIGTERM');
    });
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('skiff server with the scheduler on its own thread', () => {
  it('does not start with a bad --scheduler-config, and says why', async () => {
    const range = await serverWithConfig('bad-range', `${header}percentageOfNodesToScore: 101\n`);
    assert.equal(range.code, 1);
    assert.doesNotMatch(range.stdout, /ready at/);
    assert.ok(range.stderr.includes(`skiff: ${join(root, 'bad-range.yaml')}: KubeSchedulerConfiguration: percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]\n`), range.stderr);

    const plugin = await serverWithConfig('bad-plugin', `${header}profiles: [{plugins: {filter: {enabled: [{name: Nope}]}}}]\n`);
    assert.equal(plugin.code, 1);
    assert.doesNotMatch(plugin.stdout, /ready at/);
    assert.match(plugin.stderr, /^skiff: .*plugin "Nope" does not exist/m);
  });

  it('runs with a good one: logs as the server does, serves its metrics, stops with the server', async () => {
    const config = join(root, 'good.yaml');
    writeFileSync(config, `${header}percentageOfNodesToScore: 50\nprofiles: [{schedulerName: default-scheduler}, {schedulerName: second-scheduler}]\n`);
    const cluster = await startCluster({ extraArgs: ['--scheduler-config', config] });
    try {
      const started = await eventually('the scheduler started line', () => cluster.logs().split('\n').find((l) => l.includes('"msg":"scheduler started"')));
      const line = JSON.parse(started) as { level: number; component: string; profiles: string[] };
      assert.equal(line.level, 30);
      assert.equal(line.component, 'scheduler');
      assert.deepEqual(line.profiles, ['default-scheduler', 'second-scheduler']);
      assert.match(started, /^\{"level":30,"time":\d+,"component":"server","component":"scheduler",/);
      const metrics = await kubectl('1.33', ['get', '--raw', '/metrics'], { kubeconfig: cluster.kubeconfig });
      assert.equal(metrics.code, 0, metrics.stderr);
      assert.match(metrics.stdout, /^scheduler_pending_pods\{queue="active"\} 0$/m);
      const heap = /^skiff_scheduler_thread_heap_bytes\{kind="used"\} (\d+)$/m.exec(metrics.stdout);
      assert.ok(heap && Number(heap[1]) > 1_000_000, "the scheduler thread's own heap is reported");
      assert.match(metrics.stdout, /^# TYPE apiserver_request_total counter$/m, "the API server's own metrics are still there");
      const exit = await cluster.kill('SIGTERM');
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.match(cluster.logs(), /"component":"scheduler","component":"leader-election","lease":"kube-system\/kube-scheduler".*"msg":"stopped leading"/);
    } finally {
      await cluster.stop();
    }
  });
});

async function eventually<T>(what: string, check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
