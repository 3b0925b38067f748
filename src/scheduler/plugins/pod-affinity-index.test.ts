import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock, silentLogger } from '../../client/index.js';
import { SchedulerCache } from '../cache/index.js';
import { CycleState, Snapshot, type Handle, type Pod, type PodAffinityTerm } from '../framework/index.js';
import { makeNode, makePod } from '../testing.js';
import { InterPodAffinity } from './inter-pod-affinity.js';
import { podAffinityTerms, termMatches, type AffinityTerm } from './pod-affinity-terms.js';

function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const zone = 'topology.kubernetes.io/zone';
const host = 'kubernetes.io/hostname';

function randomPod(r: () => number, name: string): Pod {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const labels: Record<string, string> = { app: pick(['a', 'b', 'c']) };
  if (r() < 0.3) labels.tier = pick(['x', 'y']);
  const term = (): PodAffinityTerm => ({ labelSelector: { matchLabels: { app: pick(['a', 'b', 'c']) } }, topologyKey: pick([zone, host, 'rack']), ...(r() < 0.2 ? { namespaces: ['default', 'other'] } : {}) });
  const affinity: NonNullable<Pod['spec']['affinity']> = {};
  if (r() < 0.3) affinity.podAntiAffinity = { requiredDuringSchedulingIgnoredDuringExecution: [term()] };
  if (r() < 0.2) affinity.podAffinity = { requiredDuringSchedulingIgnoredDuringExecution: [term()] };
  if (r() < 0.3) affinity.podAffinity = { ...affinity.podAffinity, preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1 + Math.floor(r() * 10), podAffinityTerm: term() }] };
  if (r() < 0.3) affinity.podAntiAffinity = { ...affinity.podAntiAffinity, preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1 + Math.floor(r() * 10), podAffinityTerm: term() }] };
  return makePod(name, { labels, namespace: pick(['default', 'default', 'other']), spec: Object.keys(affinity).length ? { affinity } : {} });
}

function plugin(snapshot: () => Snapshot): InterPodAffinity {
  return new InterPodAffinity({}, { snapshot, logger: silentLogger() } as unknown as Handle);
}

/** Filter and Score of every node for `pod`, with PreFilter over `nodes` (the snapshot's own list uses the index; a copy walks the pods). */
function decisions(p: InterPodAffinity, snapshot: Snapshot, pod: Pod, viaIndex: boolean): string[] {
  const state = new CycleState();
  const nodes = snapshot.list();
  const pre = p.preFilter(state, pod, viaIndex ? nodes : nodes.slice());
  const out = [`prefilter ${pre.status.codeName()}`];
  if (pre.status.isSuccess()) for (const n of nodes) out.push(`${n.name} ${p.filter(state, pod, n).codeName()} ${p.filter(state, pod, n).message()}`);
  if (!viaIndex) return [...out, ...referenceScores(snapshot, pod)];
  const ps = p.preScore(state, pod, nodes);
  out.push(`prescore ${ps.codeName()}`);
  if (ps.isSuccess()) for (const n of nodes) out.push(`${n.name} score ${p.score(state, pod, n).score}`);
  return out;
}

/** PreScore and Score by walking every pod of every node (the plugin's meaning, with hardPodAffinityWeight 1). */
function referenceScores(snapshot: Snapshot, pod: Pod): string[] {
  const nsLabels = () => undefined;
  const terms = podAffinityTerms(pod);
  const topologyScore = new Map<string, Map<string, number>>();
  const add = (key: string, value: string, w: number) => {
    let m = topologyScore.get(key);
    if (!m) topologyScore.set(key, (m = new Map()));
    m.set(value, (m.get(value) ?? 0) + w);
  };
  const scoreTerms = (list: AffinityTerm[], target: Pod, labels: Record<string, string>, sign: number) => {
    for (const t of list) if (labels[t.topologyKey] !== undefined && termMatches(t, target, nsLabels)) add(t.topologyKey, labels[t.topologyKey], sign * t.weight);
  };
  for (const n of snapshot.list()) {
    const labels = n.node!.metadata.labels!;
    for (const pi of n.pods) {
      scoreTerms(terms.preferredAffinity, pi.pod, labels, 1);
      scoreTerms(terms.preferredAntiAffinity, pi.pod, labels, -1);
      const et = podAffinityTerms(pi.pod);
      scoreTerms(et.requiredAffinity, pod, labels, 1);
      scoreTerms(et.preferredAffinity, pod, labels, 1);
      scoreTerms(et.preferredAntiAffinity, pod, labels, -1);
    }
  }
  if (topologyScore.size === 0) return ['prescore Skip'];
  const out = ['prescore Success'];
  for (const n of snapshot.list()) {
    let score = 0;
    for (const [key, byValue] of topologyScore) score += byValue.get(n.node!.metadata.labels![key]) ?? 0;
    out.push(`${n.name} score ${score}`);
  }
  return out;
}

test('InterPodAffinity decides alike with its index kept up to date and with the pods walked or indexed afresh', () => {
  const r = rng(42);
  const cache = new SchedulerCache({ clock: new FakeClock(), logger: silentLogger() });
  const nodeNames = Array.from({ length: 8 }, (_, i) => `n${i}`);
  const labelsOf = (i: number) => ({ [zone]: `z${i % 3}`, ...(r() < 0.7 ? { rack: `r${i % 2}` } : {}) });
  for (const [i, name] of nodeNames.entries()) cache.addNode(makeNode(name, { labels: labelsOf(i) }));
  const snapshot = new Snapshot();
  const incremental = plugin(() => snapshot);
  const placed: Pod[] = [];
  for (let step = 0; step < 300; step++) {
    const op = r();
    if (op < 0.55 || placed.length === 0) {
      const pod = { ...randomPod(r, `p${step}`), spec: { ...randomPod(r, `p${step}`).spec, nodeName: nodeNames[Math.floor(r() * nodeNames.length)] } };
      cache.addPod(pod);
      placed.push(pod);
    } else if (op < 0.9) {
      const [pod] = placed.splice(Math.floor(r() * placed.length), 1);
      cache.removePod(pod);
    } else {
      const i = Math.floor(r() * nodeNames.length);
      cache.updateNode(makeNode(nodeNames[i]), makeNode(nodeNames[i], { labels: labelsOf(i) }));
    }
    cache.updateSnapshot(snapshot);
    const incoming = randomPod(r, `in${step}`);
    const fresh = Snapshot.of(snapshot.list());
    const want = decisions(plugin(() => fresh), fresh, incoming, false);
    assert.deepEqual(decisions(incremental, snapshot, incoming, true), want, `step ${step}`);
    assert.deepEqual(decisions(plugin(() => fresh), fresh, incoming, true), want, `step ${step} (fresh index)`);
  }
});
