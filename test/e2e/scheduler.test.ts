import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { kubectl as runKubectl, type KubectlResult } from './lib/kubectl.js';

const mainJs = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const zoneKey = 'topology.kubernetes.io/zone';

let cluster: RunningCluster | undefined;
let sim: ChildProcess | undefined;
let simExited: Promise<number | null> | undefined;

/** Starts `skiff sim` and resolves once it prints its ready line. */
async function startSim(kubeconfig: string, args: string[]): Promise<void> {
  const child = spawn(process.execPath, [mainJs, 'sim', ...args], { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
  sim = child;
  simExited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`skiff sim did not get ready:\n${stderr}`)), 30_000);
    lines.on('line', (line) => {
      if (/simulated nodes ready/.test(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`skiff sim exited with ${code}:\n${stderr}`)));
  });
}

const kubectl = (args: string[], input?: string) => runKubectl('1.33', args, { kubeconfig: cluster!.kubeconfig, input });

function ok(result: KubectlResult, what: string): string {
  assert.equal(result.code, 0, `${what} failed\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result.stdout;
}

/** Polls `check` until it answers a value (not undefined), or fails with the last observation. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface PodView {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { nodeName?: string };
  status: { phase?: string; nominatedNodeName?: string };
}

async function pods(selector: string): Promise<PodView[]> {
  return (JSON.parse(ok(await kubectl(['get', 'pods', '-l', selector, '-o', 'json']), 'get pods')) as { items: PodView[] }).items;
}

function skiff(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainJs, ...args], { env: { ...process.env, KUBECONFIG: cluster!.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const podYaml = (name: string, labels: Record<string, string>, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } });

before(async () => {
  cluster = await startCluster();
  await startSim(cluster.kubeconfig, ['--nodes', '3', '--cpu', '2', '--memory', '4Gi', '--labels', `${zoneKey}=a|b|c`, '--name-prefix', 'e2e-sim-']);
});
after(async () => {
  if (sim && sim.exitCode === null) {
    sim.kill('SIGTERM');
    await simExited;
  }
  await cluster?.stop();
});

describe('scheduler with simulated nodes and kubectl 1.33', () => {
  it('registers Ready simulated nodes with a zone each', async () => {
    const out = ok(await kubectl(['get', 'nodes', '-L', zoneKey, '--no-headers']), 'get nodes');
    const rows = out.trim().split('\n').map((l) => l.split(/\s+/));
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[r.length - 1]]), [
      ['e2e-sim-0', 'Ready', 'a'],
      ['e2e-sim-1', 'Ready', 'b'],
      ['e2e-sim-2', 'Ready', 'c'],
    ]);
  });

  it('spreads 10 replicas evenly over the zones (maxSkew 1) and they go Running', async () => {
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zoneKey, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }] };
    const items = Array.from({ length: 10 }, (_, i) => JSON.parse(podYaml(`web-${i}`, { app: 'web' }, { ...spread, containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m' } } }] })));
    ok(await kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items })), 'create web pods');
    const running = await eventually('10 web pods Running', async () => {
      const list = await pods('app=web');
      return list.length === 10 && list.every((p) => p.status.phase === 'Running') ? list : undefined;
    });
    const byNode = new Map<string, number>();
    for (const p of running) byNode.set(p.spec.nodeName!, (byNode.get(p.spec.nodeName!) ?? 0) + 1);
    assert.deepEqual([...byNode.values()].sort(), [3, 3, 4]);
    ok(await kubectl(['delete', 'pods', '-l', 'app=web', '--wait=true']), 'delete web pods');
  });

  it("an unschedulable pod's describe shows upstream's FailedScheduling message", async () => {
    ok(await kubectl(['create', '-f', '-'], podYaml('huge', { app: 'huge' }, { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '64' } } }] })), 'create huge');
    const want = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    const described = await eventually('FailedScheduling in describe', async () => {
      const out = ok(await kubectl(['describe', 'pod', 'huge']), 'describe');
      return out.includes('FailedScheduling') ? out : undefined;
    });
    assert.match(described, /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available/);
    assert.ok(described.replace(/\s+/g, ' ').includes(want), described);
    const explained = await skiff(['explain-schedule', 'huge', '-n', 'default']);
    assert.equal(explained.code, 0, explained.stderr);
    assert.match(explained.stdout, /^Pod default\/huge: Unschedulable/);
    assert.match(explained.stdout, /e2e-sim-0\s+-\s+NodeResourcesFit: Insufficient cpu/);
    ok(await kubectl(['delete', 'pod', 'huge', '--wait=true']), 'delete huge');
  });

  it('skiff explain-schedule shows the scores of a scheduled pod, the chosen node first', async () => {
    ok(await kubectl(['create', '-f', '-'], podYaml('explained', { app: 'explained' }, {})), 'create');
    await eventually('explained bound', async () => ((await pods('app=explained'))[0]?.spec.nodeName ? true : undefined));
    const out = await skiff(['explain-schedule', 'explained']);
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.split('\n');
    assert.match(lines[0], /^Pod default\/explained: Scheduled on e2e-sim-\d/);
    const header = lines.find((l) => l.startsWith('NODE'))!;
    assert.match(header, /NODE\s+TaintToleration\(x3\).*NodeResourcesFit\(x1\).*TOTAL\s+FILTERED BY/);
    const first = lines[lines.indexOf(header) + 1];
    assert.match(first, /^e2e-sim-\d \*/);
    const missing = await skiff(['explain-schedule', 'nobody']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no decision about pod "nobody"/);
    ok(await kubectl(['delete', 'pod', 'explained', '--wait=true']), 'delete');
  });

  it('a high-priority pod preempts a low-priority one on a full node', async () => {
    const classes = [
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'e2e-low' }, value: 10 },
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'e2e-high' }, value: 1000 },
    ];
    ok(await kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: classes })), 'create classes');
    const req = { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '1500m' } } }] };
    const lows = [0, 1, 2].map((i) => JSON.parse(podYaml(`low-${i}`, { tier: 'low' }, { ...req, priorityClassName: 'e2e-low' })));
    ok(await kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: lows })), 'create low pods');
    await eventually('low pods Running', async () => {
      const l = await pods('tier=low');
      return l.length === 3 && l.every((p) => p.status.phase === 'Running') ? true : undefined;
    });
    ok(await kubectl(['create', '-f', '-'], podYaml('high', { tier: 'high' }, { ...req, priorityClassName: 'e2e-high' })), 'create high');
    const high = await eventually('high pod Running', async () => {
      const p = (await pods('tier=high'))[0];
      return p?.status.phase === 'Running' ? p : undefined;
    });
    assert.equal(high.status.nominatedNodeName, high.spec.nodeName);
    const remaining = await pods('tier=low');
    assert.equal(remaining.length, 2);
    assert.ok(!remaining.some((p) => p.spec.nodeName === high.spec.nodeName));
    const events = ok(await kubectl(['get', 'events', '--field-selector', 'reason=Preempted', '-o', 'jsonpath={range .items[*]}{.involvedObject.name}: {.message}{"\\n"}{end}']), 'get events');
    assert.match(events, new RegExp(`^low-\\d: Preempted by pod [0-9a-f-]+ on node ${high.spec.nodeName}$`, 'm'));
    const described = ok(await kubectl(['describe', 'pod', 'high']), 'describe high');
    assert.match(described, /Priority:\s+1000/);
    assert.match(described, /Priority Class Name:\s+e2e-high/);
  });

  it('serves the scheduler metrics', async () => {
    const out = ok(await kubectl(['get', '--raw', '/metrics']), 'get --raw /metrics');
    assert.match(out, /^scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} \d+/m);
    assert.match(out, /^scheduler_schedule_attempts_total\{result="unschedulable",profile="default-scheduler"\} \d+/m);
    assert.match(out, /^scheduler_scheduling_attempt_duration_seconds_bucket/m);
    assert.match(out, /^scheduler_pending_pods\{queue="active"\} \d+/m);
  });

  it('removes its nodes and their leases when stopped', async () => {
    sim!.kill('SIGTERM');
    assert.equal(await simExited, 0);
    assert.equal(ok(await kubectl(['get', 'nodes', '-o', 'name']), 'get nodes').trim(), '');
    assert.equal(ok(await kubectl(['get', 'leases', '-n', 'kube-node-lease', '-o', 'name']), 'get leases').trim(), '');
  });
});
