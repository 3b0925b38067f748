import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock, silentLogger } from '../../client/index.js';
import { SchedulerCache } from '../cache/index.js';
import { CycleState, defaultProfile, FitError, Framework, Snapshot, type Pod } from '../framework/index.js';
import { Nominator } from '../queue/index.js';
import { schedulePod } from '../schedule-pod.js';
import { makeNode, makePod } from '../testing.js';
import { inTreeRegistry } from './index.js';

const bound = (pod: Pod, node: string): Pod => ({ ...pod, spec: { ...pod.spec, nodeName: node } });
const prio = (name: string, priority: number, cpu: string, extra: Partial<Pod['spec']> = {}) => makePod(name, { cpu, spec: { priority, ...extra } });

/** Runs a cycle and, when nothing fits, PostFilter: the nominated node, the victims (Preempted events) and the message. */
async function preempt(pod: Pod, nodes: ReturnType<typeof makeNode>[], existing: Pod[]) {
  const registry = inTreeRegistry();
  const cache = new SchedulerCache({ clock: new FakeClock(), logger: silentLogger() });
  for (const n of nodes) cache.addNode(n);
  for (const p of existing) cache.addPod(p);
  const snapshot = new Snapshot();
  cache.updateSnapshot(snapshot);
  const preempted: string[] = [];
  const fwk = new Framework(defaultProfile(undefined, registry), registry, {
    logger: silentLogger(),
    clock: new FakeClock(),
    snapshot: () => snapshot,
    nominator: new Nominator(),
    eventRecorder: (regarding, _type, reason, _action, message) => {
      if (reason === 'Preempted') preempted.push(`${regarding.metadata.name}: ${message}`);
    },
  });
  const state = new CycleState();
  try {
    return { node: schedulePod(fwk, state, pod, snapshot, { nextStartNodeIndex: 0, random: () => 0.99 }).suggestedHost };
  } catch (err) {
    if (!(err instanceof FitError)) throw err;
    const { result, status } = await fwk.runPostFilterPlugins(state, pod, err.diagnosis.nodeToStatus);
    if (!status.isSuccess()) err.diagnosis.postFilterMsg = status.message();
    return { nominated: result?.nominatedNodeName, preempted: preempted.sort(), message: new FitError(pod, err.numAllNodes, err.diagnosis).message };
  }
}

test('preemption evicts the lowest-priority pods that make room, on the cheapest node', async () => {
  const nodes = [makeNode('n1', { cpu: '4' }), makeNode('n2', { cpu: '4' })];
  const existing = [
    bound(prio('n1-mid', 500, '2'), 'n1'),
    bound(prio('n1-low', 100, '2'), 'n1'),
    bound(prio('n2-high', 900, '2'), 'n2'),
    bound(prio('n2-mid', 500, '2'), 'n2'),
  ];
  const got = await preempt(prio('p', 1000, '2'), nodes, existing);
  assert.equal(got.nominated, 'n1');
  assert.deepEqual(got.preempted, ['n1-low: Preempted by pod uid-p on node n1']);
});

test('preemption keeps pods the preemptor does not need gone', async () => {
  const nodes = [makeNode('n1', { cpu: '4' })];
  const existing = [bound(prio('a', 1, '1'), 'n1'), bound(prio('b', 2, '1'), 'n1'), bound(prio('c', 3, '1'), 'n1'), bound(prio('d', 4, '1'), 'n1')];
  const got = await preempt(prio('p', 10, '2'), nodes, existing);
  assert.equal(got.nominated, 'n1');
  assert.deepEqual(got.preempted, ['a: Preempted by pod uid-p on node n1', 'b: Preempted by pod uid-p on node n1']);
});

test('no victims: pods of equal or higher priority stay', async () => {
  const nodes = [makeNode('n1', { cpu: '2' }), makeNode('n2', { cpu: '2' }), makeNode('n3', { cpu: '2' })];
  const existing = nodes.map((n) => bound(prio(`x-${n.metadata.name}`, 1000, '2'), n.metadata.name!));
  const got = await preempt(prio('p', 1000, '1'), nodes, existing);
  assert.deepEqual(got.preempted, []);
  assert.equal(got.message, '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.');
});

test('preemptionPolicy Never does not preempt', async () => {
  const nodes = [makeNode('n1', { cpu: '2' })];
  const got = await preempt(prio('p', 1000, '2', { preemptionPolicy: 'Never' }), nodes, [bound(prio('low', 1, '2'), 'n1')]);
  assert.deepEqual(got.preempted, []);
  assert.equal(got.nominated, undefined);
  assert.equal(got.message, '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
});

test('nodes where preemption cannot help are named so', async () => {
  const nodes = [makeNode('n1', { cpu: '2', labels: { pool: 'a' } }), makeNode('n2', { cpu: '2', labels: { pool: 'b' } })];
  const got = await preempt(prio('p', 1000, '2', { nodeSelector: { pool: 'a' } }), nodes, [bound(prio('x', 1000, '2'), 'n1')]);
  assert.equal(
    got.message,
    "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
  );
});
