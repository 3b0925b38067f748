import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultProfile, type Node, type NodeSelectorRequirement, type Pod } from './framework/index.js';
import { inTreeRegistry } from './plugins/index.js';
import { makeNode, makePod, place, type Placement } from './testing.js';

const affinity = (...exprs: NodeSelectorRequirement[]): Partial<Pod['spec']> => ({
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs }] } } },
});
const bound = (pod: Pod, node: string): Pod => ({ ...pod, spec: { ...pod.spec, nodeName: node } });
const affinityMsg = "node(s) didn't match Pod's node affinity/selector";
const zoned = [makeNode('a', { labels: { zone: 'z1', gen: '3' } }), makeNode('b', { labels: { zone: 'z2', gen: '5' } }), makeNode('c', { labels: {} })];

interface Case {
  name: string;
  pod: Pod;
  nodes: Node[];
  existing?: Pod[];
  want: Placement;
}

const cases: Case[] = [
  { name: 'fits only where cpu is left', pod: makePod('p', { cpu: '2' }), nodes: [makeNode('small', { cpu: '1' }), makeNode('big', { cpu: '4' })], want: { node: 'big' } },
  { name: 'insufficient cpu everywhere', pod: makePod('p', { cpu: '8' }), nodes: [makeNode('a', { cpu: '4' }), makeNode('b', { cpu: '4' })], want: { message: '0/2 nodes are available: 2 Insufficient cpu.' } },
  {
    name: 'existing pods use the cpu',
    pod: makePod('p', { cpu: '2' }),
    nodes: [makeNode('a', { cpu: '4' }), makeNode('b', { cpu: '4' })],
    existing: [bound(makePod('x', { cpu: '3' }), 'a')],
    want: { node: 'b' },
  },
  { name: 'insufficient memory and cpu', pod: makePod('p', { cpu: '8', memory: '16Gi' }), nodes: [makeNode('a')], want: { message: '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.' } },
  { name: 'too many pods', pod: makePod('p'), nodes: [makeNode('a', { pods: 1 })], existing: [bound(makePod('x'), 'a')], want: { message: '0/1 nodes are available: 1 Too many pods.' } },
  {
    name: 'the largest init container counts',
    pod: makePod('p', { cpu: '1', spec: { initContainers: [{ name: 'i', resources: { requests: { cpu: '3' } } }] } }),
    nodes: [makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '3' })],
    want: { node: 'b' },
  },
  {
    name: 'sidecars add to the containers',
    pod: makePod('p', { cpu: '1500m', spec: { initContainers: [{ name: 's', restartPolicy: 'Always', resources: { requests: { cpu: '1' } } }] } }),
    nodes: [makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '3' })],
    want: { node: 'b' },
  },
  { name: 'overhead counts', pod: makePod('p', { cpu: '1', spec: { overhead: { cpu: '1500m' } } }), nodes: [makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '3' })], want: { node: 'b' } },
  { name: 'nodeSelector', pod: makePod('p', { spec: { nodeSelector: { zone: 'z2' } } }), nodes: zoned, want: { node: 'b' } },
  { name: 'nodeSelector matching nothing', pod: makePod('p', { spec: { nodeSelector: { zone: 'z9' } } }), nodes: zoned, want: { message: `0/3 nodes are available: 3 ${affinityMsg}.` } },
  { name: 'affinity In', pod: makePod('p', { spec: affinity({ key: 'zone', operator: 'In', values: ['z1'] }) }), nodes: zoned, want: { node: 'a' } },
  { name: 'affinity NotIn', pod: makePod('p', { spec: affinity({ key: 'zone', operator: 'NotIn', values: ['z1', 'z2'] }) }), nodes: zoned, want: { node: 'c' } },
  { name: 'affinity Exists', pod: makePod('p', { spec: affinity({ key: 'gen', operator: 'Exists' }, { key: 'zone', operator: 'In', values: ['z2'] }) }), nodes: zoned, want: { node: 'b' } },
  { name: 'affinity DoesNotExist', pod: makePod('p', { spec: affinity({ key: 'zone', operator: 'DoesNotExist' }) }), nodes: zoned, want: { node: 'c' } },
  { name: 'affinity Gt', pod: makePod('p', { spec: affinity({ key: 'gen', operator: 'Gt', values: ['4'] }) }), nodes: zoned, want: { node: 'b' } },
  { name: 'affinity Lt', pod: makePod('p', { spec: affinity({ key: 'gen', operator: 'Lt', values: ['4'] }) }), nodes: zoned, want: { node: 'a' } },
  {
    name: 'affinity matchFields metadata.name',
    pod: makePod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] }] } } } } }),
    nodes: zoned,
    want: { node: 'c' },
  },
  {
    name: 'affinity terms are ORed',
    pod: makePod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z9'] }] }, { matchExpressions: [{ key: 'gen', operator: 'In', values: ['5'] }] }],
            },
          },
        },
      },
    }),
    nodes: zoned,
    want: { node: 'b' },
  },
  {
    name: 'preferred terms: the higher weight wins',
    pod: makePod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
              { weight: 60, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] } },
            ],
          },
        },
      },
    }),
    nodes: zoned,
    want: { node: 'b' },
  },
  {
    name: 'NoSchedule taint not tolerated',
    pod: makePod('p'),
    nodes: [makeNode('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] })],
    want: { message: '0/1 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }.' },
  },
  {
    name: 'NoSchedule taint tolerated with Exists',
    pod: makePod('p', { spec: { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] } }),
    nodes: [makeNode('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] })],
    want: { node: 'cp' },
  },
  {
    name: 'NoExecute taint filters; an Equal toleration with the value admits',
    pod: makePod('p', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu' }] } }),
    nodes: [makeNode('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }), makeNode('b', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] })],
    want: { node: 'a' },
  },
  {
    name: 'PreferNoSchedule taint steers away',
    pod: makePod('p'),
    nodes: [makeNode('b', {}), makeNode('a', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] })],
    want: { node: 'b' },
  },
  {
    name: 'host port taken',
    pod: makePod('p', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] } }),
    nodes: [makeNode('a'), makeNode('b')],
    existing: [bound(makePod('x', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] } }), 'a')],
    want: { node: 'b' },
  },
  {
    name: 'host port taken everywhere',
    pod: makePod('p', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }] }] } }),
    nodes: [makeNode('a')],
    existing: [bound(makePod('x', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }] }] } }), 'a')],
    want: { message: "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports." },
  },
  { name: 'scheduling gates keep the pod out', pod: makePod('p', { spec: { schedulingGates: [{ name: 'a' }, { name: 'b' }] } }), nodes: [makeNode('a')], want: { message: 'waiting for scheduling gates: [a b]' } },
  { name: 'spec.nodeName', pod: makePod('p', { spec: { nodeName: 'b' } }), nodes: [makeNode('a'), makeNode('b')], want: { node: 'b' } },
  { name: 'cordoned node', pod: makePod('p'), nodes: [makeNode('a', { unschedulable: true })], want: { message: '0/1 nodes are available: 1 node(s) were unschedulable.' } },
  {
    name: 'cordoned node tolerated',
    pod: makePod('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } }),
    nodes: [makeNode('a', { unschedulable: true })],
    want: { node: 'a' },
  },
  {
    name: 'LeastAllocated prefers the emptier node',
    pod: makePod('p', { cpu: '1', memory: '1Gi' }),
    nodes: [makeNode('a'), makeNode('b')],
    existing: [bound(makePod('x', { cpu: '2', memory: '4Gi' }), 'a')],
    want: { node: 'b' },
  },
  {
    name: 'mixed reasons, sorted with counts',
    pod: makePod('p', { cpu: '3', spec: { nodeSelector: { pool: 'x' } } }),
    nodes: [
      makeNode('n1', { cpu: '2', labels: { pool: 'x' } }),
      makeNode('n2', { cpu: '2', labels: { pool: 'x' } }),
      makeNode('n3'),
      makeNode('n4'),
      makeNode('n5'),
    ],
    want: { message: `0/5 nodes are available: 2 Insufficient cpu, 3 ${affinityMsg}.` },
  },
];

for (const c of cases) {
  test(`placement: ${c.name}`, () => {
    assert.deepEqual(place(c.pod, c.nodes, c.existing), c.want);
  });
}

test('placement: MostAllocated prefers the fuller node', () => {
  const profile = defaultProfile(undefined, inTreeRegistry());
  profile.pluginConfig.NodeResourcesFit = { scoringStrategy: { type: 'MostAllocated' } };
  profile.plugins.score = { disabled: [{ name: 'NodeResourcesBalancedAllocation' }] };
  const got = place(makePod('p', { cpu: '1', memory: '1Gi' }), [makeNode('a'), makeNode('b')], [bound(makePod('x', { cpu: '2', memory: '4Gi' }), 'a')], profile);
  assert.deepEqual(got, { node: 'a' });
});

test('placement: ImageLocality prefers the node with the image', () => {
  const images = [{ names: ['registry.example/big:1'], sizeBytes: 900 * 1024 * 1024 }];
  const pod = makePod('p', { spec: { containers: [{ name: 'c', image: 'registry.example/big:1' }] } });
  assert.deepEqual(place(pod, [makeNode('a'), makeNode('b', { images })]), { node: 'b' });
});
