import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod, PodAffinityTerm } from './framework/index.js';
import { makeNode, makePod, place, type Placement } from './testing.js';

const bound = (pod: Pod, node: string): Pod => ({ ...pod, spec: { ...pod.spec, nodeName: node } });
const zone = 'topology.kubernetes.io/zone';
const host = 'kubernetes.io/hostname';
const zonedNodes = (): Node[] => [
  makeNode('a1', { labels: { [zone]: 'a' } }),
  makeNode('a2', { labels: { [zone]: 'a' } }),
  makeNode('b1', { labels: { [zone]: 'b' } }),
  makeNode('c1', { labels: { [zone]: 'c' } }),
];
const term = (labels: Record<string, string>, topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({ labelSelector: { matchLabels: labels }, topologyKey, ...extra });
const withAffinity = (name: string, labels: Record<string, string>, affinity: Pod['spec']['affinity'], namespace?: string) => makePod(name, { labels, spec: { affinity }, namespace });
const spread = (name: string, labels: Record<string, string>, maxSkew: number, topologyKey: string, extra: Record<string, unknown> = {}) =>
  makePod(name, { labels, spec: { topologySpreadConstraints: [{ maxSkew, topologyKey, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: labels }, ...extra }] } });

interface Case {
  name: string;
  pod: Pod;
  nodes: Node[];
  existing?: Pod[];
  want: Placement | ((p: Placement) => boolean);
}

const db = bound(makePod('db', { labels: { app: 'db' } }), 'b1');
const cases: Case[] = [
  {
    name: 'required affinity: same zone as the db pod',
    pod: withAffinity('p', {}, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, zone)] } }),
    nodes: zonedNodes(),
    existing: [db],
    want: { node: 'b1' },
  },
  {
    name: 'required affinity: same host',
    pod: withAffinity('p', {}, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, host)] } }),
    nodes: zonedNodes(),
    existing: [bound(makePod('db', { labels: { app: 'db' } }), 'a2')],
    want: { node: 'a2' },
  },
  {
    name: 'required affinity with no matching pod anywhere',
    pod: withAffinity('p', {}, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, zone)] } }),
    nodes: zonedNodes(),
    want: { message: "0/4 nodes are available: 4 node(s) didn't match pod affinity rules." },
  },
  {
    name: 'required affinity matching itself: the first pod of a group may go anywhere',
    pod: withAffinity('p', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, zone)] } }),
    nodes: zonedNodes(),
    want: (p) => !!p.node,
  },
  {
    name: 'required affinity only sees pods in its namespace',
    pod: withAffinity('p', {}, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, zone)] } }, 'other'),
    nodes: zonedNodes(),
    existing: [db],
    want: { message: "0/4 nodes are available: 4 node(s) didn't match pod affinity rules." },
  },
  {
    name: 'required affinity with namespaces listing the other namespace',
    pod: withAffinity('p', {}, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, zone, { namespaces: ['default'] })] } }, 'other'),
    nodes: zonedNodes(),
    existing: [db],
    want: { node: 'b1' },
  },
  {
    name: 'required affinity with an empty namespaceSelector sees every namespace',
    pod: withAffinity('p', {}, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, zone, { namespaceSelector: {} })] } }, 'other'),
    nodes: zonedNodes(),
    existing: [db],
    want: { node: 'b1' },
  },
  {
    name: 'required anti-affinity on zone: only the empty zone is left',
    pod: withAffinity('p', { app: 'web' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, zone)] } }),
    nodes: zonedNodes(),
    existing: [bound(makePod('w1', { labels: { app: 'web' } }), 'a1'), bound(makePod('w2', { labels: { app: 'web' } }), 'b1')],
    want: { node: 'c1' },
  },
  {
    name: 'required anti-affinity on hostname: the zone does not matter',
    pod: withAffinity('p', { app: 'web' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, host)] } }),
    nodes: zonedNodes().slice(0, 2),
    existing: [bound(makePod('w1', { labels: { app: 'web' } }), 'a1')],
    want: { node: 'a2' },
  },
  {
    name: 'required anti-affinity with every zone taken',
    pod: withAffinity('p', { app: 'web' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, zone)] } }),
    nodes: zonedNodes(),
    existing: ['a1', 'b1', 'c1'].map((n) => bound(makePod(`w-${n}`, { labels: { app: 'web' } }), n)),
    want: { message: "0/4 nodes are available: 4 node(s) didn't match pod anti-affinity rules." },
  },
  {
    name: "symmetry: an existing pod's required anti-affinity keeps the pod out of its zone",
    pod: makePod('p', { labels: { app: 'web' } }),
    nodes: zonedNodes().slice(0, 3),
    existing: [bound(withAffinity('lonely', {}, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, zone)] } }), 'a1')],
    want: { node: 'b1' },
  },
  {
    name: "symmetry everywhere: the existing pods' anti-affinity message",
    pod: makePod('p', { labels: { app: 'web' } }),
    nodes: zonedNodes().slice(0, 2),
    existing: [bound(withAffinity('lonely', {}, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, zone)] } }), 'a1')],
    want: { message: "0/2 nodes are available: 2 node(s) didn't satisfy existing pods anti-affinity rules." },
  },
  {
    name: 'matchLabelKeys: only pods of the same version repel',
    pod: withAffinity('p', { app: 'web', ver: '2' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, zone, { matchLabelKeys: ['ver'] })] } }),
    nodes: zonedNodes().slice(0, 3),
    existing: [bound(makePod('old', { labels: { app: 'web', ver: '1' } }), 'a1'), bound(makePod('new', { labels: { app: 'web', ver: '2' } }), 'b1')],
    want: (p) => p.node === 'a1' || p.node === 'a2',
  },
  {
    name: 'mismatchLabelKeys: pods of another tenant repel',
    pod: withAffinity('p', { tenant: 't1' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchExpressions: [{ key: 'tenant', operator: 'Exists' }] }, topologyKey: zone, mismatchLabelKeys: ['tenant'] }] } }),
    nodes: zonedNodes().slice(0, 3),
    existing: [bound(makePod('x', { labels: { tenant: 't2' } }), 'a1'), bound(makePod('y', { labels: { tenant: 't1' } }), 'b1')],
    want: { node: 'b1' },
  },
  {
    name: 'preferred affinity pulls towards the zone of the cache pod',
    pod: withAffinity('p', {}, { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term({ app: 'cache' }, zone) }] } }),
    nodes: zonedNodes(),
    existing: [bound(makePod('cache', { labels: { app: 'cache' } }), 'c1')],
    want: { node: 'c1' },
  },
  {
    name: 'preferred anti-affinity pushes away from the zones with replicas',
    pod: withAffinity('p', { app: 'web' }, { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term({ app: 'web' }, zone) }] } }),
    nodes: zonedNodes(),
    existing: [bound(makePod('w1', { labels: { app: 'web' } }), 'a1'), bound(makePod('w2', { labels: { app: 'web' } }), 'c1')],
    want: { node: 'b1' },
  },
  {
    name: 'spread maxSkew 1 over zones: the emptiest zone',
    pod: spread('p', { app: 's' }, 1, zone),
    nodes: zonedNodes(),
    existing: [bound(makePod('s1', { labels: { app: 's' } }), 'a1'), bound(makePod('s2', { labels: { app: 's' } }), 'c1')],
    want: { node: 'b1' },
  },
  {
    name: 'spread: a skew that would pass maxSkew everywhere but one zone',
    pod: spread('p', { app: 's' }, 1, zone),
    nodes: zonedNodes(),
    existing: [bound(makePod('s1', { labels: { app: 's' } }), 'a1'), bound(makePod('s2', { labels: { app: 's' } }), 'b1')],
    want: { node: 'c1' },
  },
  {
    name: 'spread: minDomains above the number of zones keeps the global minimum at 0',
    pod: spread('p', { app: 's' }, 1, zone, { minDomains: 4 }),
    nodes: zonedNodes(),
    existing: ['a1', 'b1', 'c1'].map((n) => bound(makePod(`s-${n}`, { labels: { app: 's' } }), n)),
    want: { message: "0/4 nodes are available: 4 node(s) didn't match pod topology spread constraints." },
  },
  {
    name: 'spread: minDomains met, the pod goes anywhere',
    pod: spread('p', { app: 's' }, 1, zone, { minDomains: 3 }),
    nodes: zonedNodes(),
    existing: ['a1', 'b1', 'c1'].map((n) => bound(makePod(`s-${n}`, { labels: { app: 's' } }), n)),
    want: (p) => !!p.node,
  },
  {
    name: 'spread: a node without the topology key is unresolvable',
    pod: spread('p', { app: 's' }, 1, zone),
    nodes: [makeNode('bare')],
    want: { message: "0/1 nodes are available: 1 node(s) didn't match pod topology spread constraints (missing required label)." },
  },
  {
    name: 'spread: nodeAffinityPolicy Honor ignores zones the pod cannot go to',
    pod: { ...spread('p', { app: 's' }, 1, zone), spec: { ...spread('p', { app: 's' }, 1, zone).spec, nodeSelector: { pool: 'x' } } },
    nodes: [makeNode('a1', { labels: { [zone]: 'a', pool: 'x' } }), makeNode('b1', { labels: { [zone]: 'b', pool: 'x' } }), makeNode('c1', { labels: { [zone]: 'c' } })],
    existing: [bound(makePod('s1', { labels: { app: 's' } }), 'a1')],
    want: { node: 'b1' },
  },
  {
    name: 'spread ScheduleAnyway prefers the emptier host',
    pod: makePod('p', { labels: { app: 's' }, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: host, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 's' } } }] } }),
    nodes: zonedNodes().slice(0, 2),
    existing: [bound(makePod('s1', { labels: { app: 's' } }), 'a1'), bound(makePod('s2', { labels: { app: 's' } }), 'a1')],
    want: { node: 'a2' },
  },
];

for (const c of cases) {
  test(c.name, () => {
    const got = place(c.pod, c.nodes, c.existing);
    if (typeof c.want === 'function') assert.ok(c.want(got), JSON.stringify(got));
    else assert.deepEqual(got, c.want);
  });
}

test('ten spread pods over three zones land 4/3/3', () => {
  const nodes = [makeNode('a', { labels: { [zone]: 'a' } }), makeNode('b', { labels: { [zone]: 'b' } }), makeNode('c', { labels: { [zone]: 'c' } })];
  const placed: Pod[] = [];
  for (let i = 0; i < 10; i++) {
    const pod = spread(`web-${i}`, { app: 'web' }, 1, zone);
    const got = place(pod, nodes, placed);
    assert.ok(got.node, got.message);
    placed.push(bound(pod, got.node));
  }
  const counts = ['a', 'b', 'c'].map((z) => placed.filter((p) => p.spec.nodeName === z).length).sort();
  assert.deepEqual(counts, [3, 3, 4]);
});
