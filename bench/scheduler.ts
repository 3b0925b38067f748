/**
 * The shape of upstream's scheduler_perf SchedulingBasic, end to end through a real `skiff server`
 * (HTTPS, the SQLite store, the default profile): 5,000 nodes registered through the API
 * (`src/sim` in this process, no lease heartbeats, pods stay bound without a kubelet, as in
 * scheduler_perf), 1,000 pods scheduled first, then 10,000 more created as fast as the API takes
 * them. Prints pods/s (bound pods over the measured window), p50/p99 latency from the create
 * request to the pod being seen bound on a watch, and the server's RSS. Then the same with pods
 * carrying required pod anti-affinity on hostname (upstream's SchedulingPodAntiAffinity: the
 * setup and measured pods in separate namespaces), and the basic case on etcd.
 *
 *   node dist/bench/scheduler.js [--nodes 5000] [--init 1000] [--pods 10000] [--anti-pods 4000]
 *        [--concurrency 64] [--cases basic,anti,etcd] [--cpu-prof [DIR]]
 *
 * Target: ≥ 1,500 pods/s sustained for the basic case (upstream's threshold: 680 pods/s).
 */
import { loadavg } from 'node:os';
import type { KubeObject } from '../src/api/index.js';
import { Client, fromKubeconfigPath, Informer } from '../src/client/index.js';
import { SimNodes } from '../src/sim/index.js';
import { startEtcd } from '../test/e2e/lib/etcd.js';
import { BenchArgs, cpuProfileRequest } from './lib/args.js';
import { runCount, micros } from './lib/closed-loop.js';
import { profileReport } from './lib/cpu-profile.js';
import { printHeader, processCpuMs } from './lib/machine.js';
import { startSkiffServer } from './lib/skiff-server.js';
import { latencySummary, percentile, verdict } from './lib/stats.js';

const args = new BenchArgs();
const nodeCount = args.number('nodes', 5000);
const initPods = args.number('init', 1000);
const measuredPods = args.number('pods', 10000);
const antiPods = args.number('anti-pods', 4000);
const concurrency = args.number('concurrency', 64);
const cases = args.string('cases', 'basic,anti,etcd').split(',');
const cpuProf = cpuProfileRequest(args);
const out = (line: string) => process.stdout.write(`${line}\n`);

interface Pod extends KubeObject {
  spec: { nodeName?: string } & Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** upstream's templates/pod-default.yaml, optionally with required anti-affinity on hostname (pod-with-pod-anti-affinity.yaml). */
function podTemplate(name: string, namespace: string, antiAffinity: boolean): Pod {
  const spec: Record<string, unknown> = {
    containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' }, limits: { cpu: '100m', memory: '500Mi' } } }],
  };
  if (antiAffinity) {
    spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { color: 'green' } }, topologyKey: 'kubernetes.io/hostname' }] } };
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { color: 'green', app: 'sched-bench' } }, spec } as Pod;
}

/** Watches a namespace's pods (an informer: it resumes or relists when a watch ends) and records when each is first seen bound (ms, performance.now()). */
async function watchBindings(client: Client, namespace: string, signal: AbortSignal): Promise<{ bound: Map<string, number>; serverLatencies: number[]; serverSpan: { firstCreated: number; lastScheduled: number }; waitFor(n: number): Promise<void> }> {
  const bound = new Map<string, number>();
  const serverLatencies: number[] = [];
  const serverSpan = { firstCreated: Infinity, lastScheduled: -Infinity };
  let waiter: { n: number; resolve: () => void } | undefined;
  const informer = new Informer<Pod>(client.resource<Pod>('pods'), { namespace });
  const seen = (p: Pod) => {
    if (!p.spec?.nodeName || bound.has(p.metadata.name!)) return;
    bound.set(p.metadata.name!, performance.now());
    const scheduledAt = (p.status?.conditions as Array<{ type: string; lastTransitionTime?: string }> | undefined)?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime;
    if (scheduledAt && p.metadata.creationTimestamp) {
      const created = Date.parse(p.metadata.creationTimestamp);
      const scheduled = Date.parse(scheduledAt);
      serverLatencies.push(scheduled - created);
      serverSpan.firstCreated = Math.min(serverSpan.firstCreated, created);
      serverSpan.lastScheduled = Math.max(serverSpan.lastScheduled, scheduled);
    }
    if (waiter && bound.size >= waiter.n) waiter.resolve();
  };
  informer.addEventHandler({ onAdd: seen, onUpdate: (_old, p) => seen(p) });
  informer.start(signal);
  await informer.waitForSync(signal);
  return {
    bound,
    serverLatencies,
    serverSpan,
    waitFor: (n) => (bound.size >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { n, resolve }))),
  };
}

/** Cumulative counts of scheduler_scheduling_attempt_duration_seconds{result="scheduled"} per bucket bound (seconds). */
async function attemptBuckets(client: Client): Promise<Map<number, number>> {
  const metrics = String((await client.request({ method: 'GET', path: '/metrics' })).body);
  const out = new Map<number, number>();
  for (const m of metrics.matchAll(/^scheduler_scheduling_attempt_duration_seconds_bucket\{([^}]*)\} (\d+)/gm)) {
    if (!m[1].includes('result="scheduled"')) continue;
    const le = /le="([^"]+)"/.exec(m[1])?.[1];
    if (le) out.set(le === '+Inf' ? Infinity : Number(le), (out.get(le === '+Inf' ? Infinity : Number(le)) ?? 0) + Number(m[2]));
  }
  return out;
}

/** The bucket bound under which quantile q of the observations made between two bucket snapshots fall (as Prometheus' histogram_quantile, without interpolation). */
function bucketQuantile(before: Map<number, number>, after: Map<number, number>, q: number): string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return 'n/a';
  for (const b of bounds) if ((after.get(b) ?? 0) - (before.get(b) ?? 0) >= q * total) return b === Infinity ? `> ${bounds[bounds.length - 2] * 1000} ms` : `≤ ${+(b * 1000).toFixed(3)} ms`;
  return 'n/a';
}

async function ensureNamespace(client: Client, name: string): Promise<void> {
  await client.resource('namespaces').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/** Creates `count` pods with `concurrency` in flight and waits until all are bound; answers the figures. */
async function createAndWait(client: Client, namespace: string, count: number, anti: boolean, signal: AbortSignal) {
  await ensureNamespace(client, namespace);
  const watch = await watchBindings(client, namespace, signal);
  const created = new Map<string, number>();
  const pods = client.resource<Pod>('pods');
  const t0 = performance.now();
  let errors = 0;
  let firstError = '';
  const createLatencies: number[] = [];
  const creating = runCount(count, concurrency, async (i) => {
    const name = `p-${i}`;
    const sent = performance.now();
    created.set(name, sent);
    try {
      await pods.create(namespace, podTemplate(name, namespace, anti));
      createLatencies.push(performance.now() - sent);
    } catch (err) {
      errors++;
      firstError ||= (err as Error).message;
    }
  });
  await creating;
  const createdAt = performance.now();
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), Math.max(120_000, count * 20)));
  const done = await Promise.race([watch.waitFor(count - errors), timeout]);
  const t1 = performance.now();
  const latencies: number[] = [];
  let last = t0;
  for (const [name, at] of watch.bound) {
    const c = created.get(name);
    if (c !== undefined) latencies.push(at - c);
    last = Math.max(last, at);
  }
  const boundTimes = [...watch.bound.values()].sort((a, b) => a - b);
  const lo = boundTimes[Math.floor(boundTimes.length * 0.1)] ?? t0;
  const hi = boundTimes[Math.floor(boundTimes.length * 0.9)] ?? t1;
  const steady = boundTimes.length > 10 ? (boundTimes.length * 0.8) / ((hi - lo) / 1000) : NaN;
  const perSecond: number[] = [];
  for (const at of boundTimes) {
    const i = Math.floor((at - t0) / 1000);
    while (perSecond.length <= i) perSecond.push(0);
    perSecond[i]++;
  }
  return {
    bound: watch.bound.size,
    timedOut: done === 'timeout',
    errors,
    firstError,
    createRate: count / ((createdAt - t0) / 1000),
    overall: watch.bound.size / ((last - t0) / 1000),
    steady,
    perSecond,
    latencies,
    createLatencies,
    serverLatencies: watch.serverLatencies,
    serverSpan: watch.serverSpan,
  };
}

async function runCase(title: string, anti: boolean, datastoreEndpoint?: string): Promise<void> {
  out('');
  out(`== ${title} ==`);
  const server = await startSkiffServer({ datastoreEndpoint, cpuProfileDir: cpuProf });
  const client = new Client(fromKubeconfigPath(server.kubeconfigPath, { maxSockets: concurrency }));
  const stop = new AbortController();
  let profileWindow: [number, number] | undefined;
  try {
    const tNodes = performance.now();
    const sim = new SimNodes({ client, count: nodeCount, namePrefix: 'node-', cpu: '4', memory: '32Gi', pods: 110, labels: [{ key: 'topology.kubernetes.io/zone', values: ['zone-a', 'zone-b', 'zone-c'] }], leases: false, concurrency });
    await sim.register();
    out(`${nodeCount} nodes registered in ${((performance.now() - tNodes) / 1000).toFixed(1)} s; server RSS ${(server.memory().rssKiB / 1024).toFixed(0)} MB`);
    const init = await createAndWait(client, 'sched-setup', initPods, anti, stop.signal);
    out(`${initPods} setup pods bound: ${init.bound}${init.timedOut ? ' (TIMED OUT)' : ''}, ${init.overall.toFixed(0)} pods/s`);
    const count = anti ? antiPods : measuredPods;
    const buckets0 = await attemptBuckets(client);
    const cpu0 = processCpuMs(server.pid);
    const client0 = process.cpuUsage();
    const p0 = micros();
    const t0 = performance.now();
    const r = await createAndWait(client, 'sched-test', count, anti, stop.signal);
    const wall = performance.now() - t0;
    profileWindow = [p0, micros()];
    const cpu = processCpuMs(server.pid) - cpu0;
    const clientUsage = process.cpuUsage(client0);
    const clientCpu = (clientUsage.user + clientUsage.system) / 1000;
    const mem = server.memory();
    out(`${count} measured pods: ${r.bound} bound${r.timedOut ? ' (TIMED OUT)' : ''}, create errors ${r.errors}${r.firstError ? ` (first: ${r.firstError})` : ''}`);
    out(`  creates: ${r.createRate.toFixed(0)}/s; each create request answered in ${latencySummary(r.createLatencies)}`);
    out(`  scheduled: ${r.overall.toFixed(0)} pods/s first create → last bound; ${r.steady.toFixed(0)} pods/s between the 10th and 90th percentile bindings`);
    const spanS = (r.serverSpan.lastScheduled - r.serverSpan.firstCreated) / 1000;
    if (spanS > 0) out(`  server clock: ${(r.bound / (spanS + 1)).toFixed(0)}–${(r.bound / Math.max(1, spanS - 1)).toFixed(0)} pods/s from the first creationTimestamp to the last PodScheduled lastTransitionTime (${spanS} s between whole-second stamps, so ±1 s; unaffected by a client watch that falls behind)`);
    const full = r.perSecond.slice(0, -1);
    if (full.length >= 5) out(`  pods seen bound per second on the client watch (upstream's SchedulingThroughput samples, whole seconds from the first create): average ${(full.reduce((a, b) => a + b, 0) / full.length).toFixed(0)}, p50 ${percentile(full, 50)}, p90 ${percentile(full, 90)}, max ${Math.max(...full)}`);
    out('  timed: the measured pods only, from the first create request (creates go through the API server, 64 in flight, while the scheduler binds) to the last of them seen bound on a client watch; node registration and setup pods are not timed, and no kubelet or sim writes pod status (pods stay bound, as in scheduler_perf)');
    out(`  latency create → bound: ${latencySummary(r.latencies)} (client clock: create request sent → bound pod seen on the watch)`);
    out(`  latency creationTimestamp → PodScheduled lastTransitionTime (server clock, 1 s resolution): p50 ${percentile(r.serverLatencies, 50)} ms, p99 ${percentile(r.serverLatencies, 99)} ms`);
    out(`  server CPU ${(cpu / wall * 100).toFixed(0)}% of one core over the window (this benchmark's own client: ${(clientCpu / wall * 100).toFixed(0)}%); RSS ${(mem.rssKiB / 1024).toFixed(0)} MB (peak ${(mem.hwmKiB / 1024).toFixed(0)} MB)`);
    const metricsText = String((await client.request({ method: 'GET', path: '/metrics' })).body);
    const heapMb = (kind: string) => (Number(new RegExp(`^skiff_scheduler_thread_heap_bytes\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(metricsText)?.[1] ?? NaN) / 1e6).toFixed(0);
    out(`  the scheduler thread's own V8 heap (part of that RSS): ${heapMb('used')} MB used of ${heapMb('total')} MB`);
    const buckets1 = await attemptBuckets(client);
    out(`  scheduler_scheduling_attempt_duration_seconds of the measured pods (cycle start → bound, the scheduler's own clock): p50 ${bucketQuantile(buckets0, buckets1, 0.5)}, p99 ${bucketQuantile(buckets0, buckets1, 0.99)}`);
    const metrics = String((await client.request({ method: 'GET', path: '/metrics' })).body);
    const attempts = [...metrics.matchAll(/^scheduler_schedule_attempts_total\{result="(\w+)",profile="default-scheduler"\} (\d+)/gm)].map((m) => `${m[1]} ${m[2]}`);
    out(`  scheduler_schedule_attempts_total (setup and measured pods): ${attempts.join(', ')}`);
    if (!anti && !datastoreEndpoint) out(`  target ≥ 1,500 pods/s: ${verdict(r.overall >= 1500)}`);
    out(`  load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    stop.abort();
    const { cpuProfile } = await server.stop();
    if (cpuProf !== undefined) for (const l of profileReport(cpuProfile, profileWindow, 25)) out(l);
  }
}

printHeader('scheduler: SchedulingBasic shape (5,000 nodes, 1,000 + 10,000 pods)', out);
out(`nodes ${nodeCount}, setup pods ${initPods}, measured pods ${measuredPods} (anti-affinity case: ${antiPods}), ${concurrency} creates in flight`);
if (cases.includes('basic')) await runCase('SQLite, default profile, plain pods', false);
if (cases.includes('anti')) await runCase('SQLite, pods with required anti-affinity on hostname', true);
if (cases.includes('etcd')) {
  const etcd = await startEtcd();
  try {
    await runCase('etcd, default profile, plain pods', false, `etcd://${new URL(etcd.clientUrl).host}`);
  } finally {
    await etcd.stop();
  }
}
// the client's keep-alive sockets and informers must not keep a finished benchmark (and its lock) alive
process.exit(0);
