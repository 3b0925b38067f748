/**
 * The scheduler's CPU per pod without the API server: the real cache, snapshot, default profile
 * and schedulePod over N simulated nodes (shaped as bench/scheduler's `src/sim` nodes), in one
 * process, no I/O. Each pod runs what scheduleOne runs on the thread: UpdateSnapshot, PreFilter,
 * Filter (round robin, adaptive percentageOfNodesToScore), PreScore, Score, selectHost, then
 * assume; every `--confirm-every` pods the assumed pods are confirmed as the informer would.
 *
 *   node dist/bench/scheduler-cycle.js [--nodes 5000] [--init 1000] [--pods 10000] [--anti]
 *        [--confirm-every 64] [--rounds 3]
 *
 * Prints µs per pod (total, filter part, score part) per round; the best round is the figure to
 * compare. Run under `node --cpu-prof` for a profile of the cycle alone.
 */
import { FakeClock, silentLogger } from '../src/client/index.js';
import { findNodesThatFitPod, framework, inTreeRegistry, Nominator, prioritizeNodes, SchedulerCache, selectHost, type AlgorithmState } from '../src/scheduler/index.js';
import { simNode } from '../src/sim/index.js';
import { BenchArgs } from './lib/args.js';
import { printHeader } from './lib/machine.js';

const { CycleState, defaultProfile, Framework, Snapshot } = framework;
type Node = framework.Node;
type Pod = framework.Pod;

const args = new BenchArgs();
const nodeCount = args.number('nodes', 5000);
const initPods = args.number('init', 1000);
const measuredPods = args.number('pods', 10000);
const anti = args.flag('anti');
const confirmEvery = args.number('confirm-every', 64);
const rounds = args.number('rounds', 3);
const out = (line: string) => process.stdout.write(`${line}\n`);

/** upstream's pod-default.yaml (or pod-with-pod-anti-affinity.yaml), as bench/scheduler creates it. */
function podTemplate(name: string, namespace: string): Pod {
  const spec: Pod['spec'] = {
    containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' }, limits: { cpu: '100m', memory: '500Mi' } } }],
    schedulerName: 'default-scheduler',
  };
  if (anti) spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { color: 'green' } }, topologyKey: 'kubernetes.io/hostname' }] } };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid: `${namespace}-${name}`, labels: { color: 'green', app: 'sched-bench' } }, spec };
}

const registry = inTreeRegistry();
const cache = new SchedulerCache({ clock: new FakeClock(), logger: silentLogger() });
const snapshot = new Snapshot();
const nominator = new Nominator();
const fwk = new Framework(defaultProfile(undefined, registry), registry, { logger: silentLogger(), clock: new FakeClock(), snapshot: () => snapshot, nominator });
const alg: AlgorithmState = { nextStartNodeIndex: 0, random: Math.random };
const shape = { count: nodeCount, namePrefix: 'node-', cpu: '4', memory: '32Gi', pods: 110, labels: [{ key: 'topology.kubernetes.io/zone', values: ['zone-a', 'zone-b', 'zone-c'] }] };
const now = new Date().toISOString();
for (let i = 0; i < nodeCount; i++) cache.addNode(simNode(shape, i, now) as unknown as Node);

let pending: Pod[] = [];
let filterMs = 0;
let scoreMs = 0;

/** One scheduling cycle as scheduleOne runs it; answers whether the pod was placed. */
function cycle(pod: Pod): boolean {
  cache.updateSnapshot(snapshot);
  const state = new CycleState();
  const t0 = performance.now();
  const { feasible, rows } = findNodesThatFitPod(fwk, state, pod, snapshot, alg);
  const t1 = performance.now();
  filterMs += t1 - t0;
  if (feasible.length === 0) return false;
  let host = feasible[0].name;
  if (feasible.length > 1) host = selectHost(prioritizeNodes(fwk, state, pod, feasible, rows && { columns: snapshot.columns, rows }), alg.random);
  scoreMs += performance.now() - t1;
  const assumed: Pod = { ...pod, spec: { ...pod.spec, nodeName: host } };
  cache.assumePod(assumed);
  pending.push(assumed);
  if (pending.length >= confirmEvery) confirm();
  return true;
}

function confirm(): void {
  for (const p of pending) {
    cache.finishBinding(p);
    cache.addPod(p);
  }
  pending = [];
}

function run(namespace: string, count: number): { ms: number; placed: number } {
  let placed = 0;
  filterMs = 0;
  scoreMs = 0;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) if (cycle(podTemplate(`p-${i}`, namespace))) placed++;
  confirm();
  return { ms: performance.now() - t0, placed };
}

printHeader('scheduler-cycle: scheduling cycles over the cache and the default profile, no API server', out);
out(`${nodeCount} nodes, ${initPods} setup pods, ${measuredPods} measured pods per round${anti ? ' (required anti-affinity on hostname)' : ''}, confirmed every ${confirmEvery}`);
run('setup', initPods);
let best = Infinity;
for (let r = 0; r < rounds; r++) {
  const { ms, placed } = run(`round-${r}`, measuredPods);
  const us = (ms * 1000) / measuredPods;
  best = Math.min(best, us);
  out(`round ${r + 1}: ${placed}/${measuredPods} placed, ${us.toFixed(1)} µs/pod (filter ${((filterMs * 1000) / measuredPods).toFixed(1)}, score ${((scoreMs * 1000) / measuredPods).toFixed(1)}), ${Math.round((measuredPods * 1000) / ms)} pods/s`);
}
out(`best: ${best.toFixed(1)} µs/pod (${Math.round(1e6 / best)} pods/s of scheduling cycles alone)`);
