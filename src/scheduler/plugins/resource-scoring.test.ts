import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState, NodeInfo } from '../framework/index.js';
import { makeNode, makePod } from '../testing.js';
import { fitsRequest } from './node-resources-fit.js';
import { NodeResourcesBalancedAllocation } from './node-resources-balanced-allocation.js';
import { NodeResourcesFit } from './node-resources-fit.js';
import { podRequests } from './resource-allocation.js';

function nodeWith(cpu: string, memory: string, pods: number, existing: Array<[string, string]>, extra?: Record<string, string>): NodeInfo {
  const node = makeNode('n', { cpu, memory, pods });
  if (extra) Object.assign(node.status!.allocatable!, extra);
  return new NodeInfo(node, existing.map(([c, m], i) => makePod(`e${i}`, { cpu: c, memory: m, spec: { nodeName: 'n' } })));
}

test('NodeResourcesFit Filter: fits, too many pods, insufficient and unresolvable resources, extended resources', () => {
  const fit = new NodeResourcesFit();
  const cases: Array<{ node: NodeInfo; pod: ReturnType<typeof makePod>; want: string }> = [
    { node: nodeWith('1', '1Gi', 10, [['500m', '256Mi']]), pod: makePod('p', { cpu: '500m', memory: '512Mi' }), want: 'Success' },
    { node: nodeWith('1', '1Gi', 10, [['600m', '256Mi']]), pod: makePod('p', { cpu: '500m', memory: '512Mi' }), want: 'Unschedulable: Insufficient cpu' },
    { node: nodeWith('1', '1Gi', 1, [['100m', '1Mi']]), pod: makePod('p', { cpu: '100m' }), want: 'Unschedulable: Too many pods' },
    { node: nodeWith('1', '1Gi', 10, []), pod: makePod('p', { cpu: '2', memory: '2Gi' }), want: 'UnschedulableAndUnresolvable: Insufficient cpu, Insufficient memory' },
    { node: nodeWith('1', '1Gi', 10, []), pod: makePod('p', {}), want: 'Success' },
    {
      node: nodeWith('4', '8Gi', 10, [], { 'example.com/gpu': '1' }),
      pod: makePod('p', { spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { 'example.com/gpu': '2' } } }] } }),
      want: 'UnschedulableAndUnresolvable: Insufficient example.com/gpu',
    },
  ];
  for (const c of cases) {
    const s = fit.filter(new CycleState(), c.pod, c.node);
    assert.equal(s.isSuccess() ? 'Success' : `${s.codeName()}: ${s.message()}`, c.want);
    assert.equal(fitsRequest(podRequests(c.pod).plain, c.node).length === 0, c.want === 'Success');
  }
});

test('NodeResourcesFit and BalancedAllocation Score: least allocated and the spread of the used fractions', () => {
  const node = nodeWith('4', '8Gi', 110, [['1', '2Gi']]);
  const pod = makePod('p', { cpu: '1', memory: '1Gi' });
  // cpu (1+1)/4 used, memory (2+1)/8 used: least allocated ((4-2)/4*100 + (8-3)/8*100) / 2
  assert.equal(new NodeResourcesFit().score(new CycleState(), pod, node).score, Math.trunc((50 + 62) / 2));
  // std of [0.5, 0.375] is 0.0625
  assert.equal(new NodeResourcesBalancedAllocation().score(new CycleState(), pod, node).score, 93);

  const three = nodeWith('4', '8Gi', 110, [['1', '2Gi']], { 'example.com/gpu': '4' });
  const gpuPod = makePod('g', { spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '1', memory: '1Gi', 'example.com/gpu': '1' } } }] } });
  const balanced = new NodeResourcesBalancedAllocation({ resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'example.com/gpu', weight: 1 }] });
  const f = [0.5, 0.375, 0.25];
  const mean = (f[0] + f[1] + f[2]) / 3;
  const std = Math.sqrt(f.reduce((a, x) => a + (x - mean) ** 2, 0) / 3);
  assert.equal(balanced.score(new CycleState(), gpuPod, three).score, Math.trunc((1 - std) * 100));
  // a pod without the extended resource: that resource is left out, as upstream
  assert.equal(balanced.score(new CycleState(), pod, three).score, 93);
});
