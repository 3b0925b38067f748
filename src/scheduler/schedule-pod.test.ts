import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock, silentLogger } from '../client/index.js';
import { SchedulerCache } from './cache/index.js';
import { CycleState, defaultProfile, FitError, Framework, NodeColumns, Snapshot, type Node, type PodInfo, type Pod, type PodNominator } from './framework/index.js';
import { inTreeRegistry } from './plugins/index.js';
import { findNodesThatFitPod, schedulePod, type AlgorithmState } from './schedule-pod.js';
import { makeNode, makePod } from './testing.js';

/** A varied cluster: cordoned, tainted (NoSchedule and PreferNoSchedule), small, full, with images, with an extended resource. */
function cluster(count: number): Node[] {
  const nodes: Node[] = [];
  for (let i = 0; i < count; i++) {
    const taints: NonNullable<Node['spec']>['taints'] = [];
    if (i % 5 === 0) taints.push({ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' });
    if (i % 6 === 0) taints.push({ key: 'spot', effect: 'PreferNoSchedule' });
    const node = makeNode(`n-${i}`, {
      cpu: i % 11 === 0 ? '500m' : '4',
      memory: i % 13 === 0 ? '1Gi' : '8Gi',
      pods: i % 17 === 0 ? 1 : 110,
      unschedulable: i % 7 === 0,
      taints: taints.length > 0 ? taints : undefined,
      images: i % 9 === 0 ? [{ names: ['nginx:latest'], sizeBytes: 300 * 1024 * 1024 }] : undefined,
      labels: { zone: `z-${i % 3}` },
    });
    if (i % 19 === 0) node.status!.allocatable = { ...node.status!.allocatable, 'example.com/gpu': '2' };
    nodes.push(node);
  }
  return nodes;
}

/** The pods the cycles place, in turn. */
function podKinds(i: number): Pod {
  switch (i % 9) {
    case 7:
      return makePod(`web-${i}`, {
        cpu: '100m',
        labels: { app: 'web' },
        spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } } },
      });
    case 8:
      return makePod(`near-web-${i}`, {
        cpu: '100m',
        spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' }] } } },
      });
    case 0:
      return makePod(`plain-${i}`, { cpu: '100m', memory: '500Mi' });
    case 1:
      return makePod(`tolerant-${i}`, { cpu: '200m', memory: '200Mi', spec: { tolerations: [{ key: 'dedicated', operator: 'Exists' }, { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
    case 2:
      return makePod(`besteffort-${i}`);
    case 3:
      return makePod(`big-${i}`, { cpu: '3', memory: '6Gi' });
    case 4:
      return makePod(`named-${i}`, { cpu: '100m', spec: { nodeName: `n-${i % 40}` } });
    case 5: {
      const p = makePod(`gpu-${i}`, { cpu: '100m' });
      p.spec.containers[0].resources!.requests!['example.com/gpu'] = '1';
      return p;
    }
    default:
      return makePod(`huge-${i}`, { cpu: '64' });
  }
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function frameworkOver(snapshot: Snapshot, nominator: PodNominator): Framework {
  const registry = inTreeRegistry();
  return new Framework(defaultProfile(undefined, registry), registry, { logger: silentLogger(), clock: new FakeClock(), snapshot: () => snapshot, nominator });
}

const none: PodInfo[] = [];
/** No pod nominated, and the framework is told so: Filter may take the snapshot-row path. */
const emptyNominator: PodNominator = { addNominatedPod() {}, deleteNominatedPodIfExists() {}, nominatedPodsForNode: () => none, hasNominatedPods: () => false };
/** No pod nominated, but the framework is not told: Filter runs per node as before. */
const silentNominator: PodNominator = { addNominatedPod() {}, deleteNominatedPodIfExists() {}, nominatedPodsForNode: () => none };

type Outcome = { host?: string; evaluated: number; feasible: number; next: number; rejected: string[]; plugins?: string[]; scores?: number[]; totals?: number[]; error?: string };

function run(fwk: Framework, pod: Pod, snapshot: Snapshot, alg: AlgorithmState): Outcome {
  try {
    const r = schedulePod(fwk, new CycleState(), pod, snapshot, alg);
    const rejected = [...r.diagnosis.nodeToStatus].map(([n, s]) => `${n} ${s.plugin} ${s.codeName()} ${s.reasons.join('|')}`);
    return { host: r.suggestedHost, evaluated: r.evaluatedNodes, feasible: r.feasibleNodes, next: alg.nextStartNodeIndex, rejected, plugins: r.scores?.plugins, scores: r.scores && [...r.scores.scores], totals: r.scores && [...r.scores.totals] };
  } catch (err) {
    if (!(err instanceof FitError)) throw err;
    const rejected = [...err.diagnosis.nodeToStatus].map(([n, s]) => `${n} ${s.plugin} ${s.codeName()} ${s.reasons.join('|')}`);
    return { evaluated: 0, feasible: 0, next: alg.nextStartNodeIndex, rejected, error: err.message };
  }
}

describe('schedulePod over snapshot rows', () => {
  it('places, rejects, scores and moves the round robin exactly as the per-node path does', () => {
    const cache = new SchedulerCache({ clock: new FakeClock(), logger: silentLogger() });
    for (const n of cluster(400)) cache.addNode(n);
    const snapshot = new Snapshot();
    const fast = frameworkOver(snapshot, emptyNominator);
    const slow = frameworkOver(snapshot, silentNominator);
    const algFast: AlgorithmState = { nextStartNodeIndex: 0, random: seeded(7) };
    const algSlow: AlgorithmState = { nextStartNodeIndex: 0, random: seeded(7) };
    let placed = 0;
    let byInterPodAffinity = 0;
    for (let i = 0; i < 450; i++) {
      cache.updateSnapshot(snapshot);
      const pod = podKinds(i);
      const a = run(fast, pod, snapshot, algFast);
      const b = run(slow, pod, snapshot, algSlow);
      assert.deepEqual(a, b, `pod ${pod.metadata.name}`);
      byInterPodAffinity += a.rejected.filter((r) => r.includes(' InterPodAffinity ')).length;
      if (a.host) {
        cache.assumePod({ ...pod, spec: { ...pod.spec, nodeName: a.host } });
        placed++;
      }
    }
    assert.ok(placed > 150 && placed < 450, `placed ${placed}`);
    assert.ok(byInterPodAffinity > 0, 'some nodes were rejected by InterPodAffinity');
  });

  it('takes the row path only when every Filter plugin has one and no pod is nominated', () => {
    const cache = new SchedulerCache({ clock: new FakeClock(), logger: silentLogger() });
    for (const n of cluster(150)) cache.addNode(n);
    const snapshot = new Snapshot();
    cache.updateSnapshot(snapshot);
    const alg = (): AlgorithmState => ({ nextStartNodeIndex: 0, random: () => 0.5 });
    const plain = makePod('plain', { cpu: '100m' });
    assert.ok(findNodesThatFitPod(frameworkOver(snapshot, emptyNominator), new CycleState(), plain, snapshot, alg()).rows);
    assert.equal(findNodesThatFitPod(frameworkOver(snapshot, silentNominator), new CycleState(), plain, snapshot, alg()).rows, undefined);
    const anti = makePod('anti', { cpu: '100m', labels: { app: 'web' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } } } });
    assert.ok(findNodesThatFitPod(frameworkOver(snapshot, emptyNominator), new CycleState(), anti, snapshot, alg()).rows);
    const selecting = makePod('selecting', { cpu: '100m', spec: { nodeSelector: { 'kubernetes.io/hostname': 'n-3' } } });
    const r = findNodesThatFitPod(frameworkOver(snapshot, emptyNominator), new CycleState(), selecting, snapshot, alg());
    assert.equal(r.rows, undefined);
    assert.deepEqual(r.feasible.map((n) => n.name), ['n-3']);
  });
});

describe('NodeColumns', () => {
  it('stays equal to the rows of the snapshot nodes through pod and node changes', () => {
    const cache = new SchedulerCache({ clock: new FakeClock(), logger: silentLogger() });
    const nodes = cluster(60);
    for (const n of nodes) cache.addNode(n);
    const snapshot = new Snapshot();
    cache.updateSnapshot(snapshot);
    const check = () => {
      const fresh = new NodeColumns();
      fresh.fill(snapshot.list());
      assert.equal(snapshot.columns.size, snapshot.list().length);
      assert.deepEqual([...snapshot.columns.values.subarray(0, fresh.values.length)], [...fresh.values]);
      assert.deepEqual(snapshot.columns.names.slice(0, fresh.size), fresh.names);
    };
    check();
    for (let i = 0; i < 40; i++) cache.addPod({ ...makePod(`p-${i}`, { cpu: '100m', memory: '100Mi' }), spec: { ...makePod(`p-${i}`, { cpu: '100m', memory: '100Mi' }).spec, nodeName: `n-${i % 25}` } });
    cache.updateSnapshot(snapshot);
    check();
    cache.updateNode(nodes[3], { ...nodes[3], spec: { unschedulable: true } });
    cache.removeNode(nodes[10]);
    cache.removePod({ ...makePod('p-4'), spec: { ...makePod('p-4').spec, nodeName: 'n-4' } });
    cache.updateSnapshot(snapshot);
    check();
    assert.ok(!snapshot.columns.names.slice(0, snapshot.columns.size).includes('n-10'));
  });
});
