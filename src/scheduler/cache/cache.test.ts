import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock, silentLogger } from '../../client/index.js';
import { Snapshot, type Pod } from '../framework/index.js';
import { makeNode, makePod } from '../testing.js';
import { SchedulerCache } from './cache.js';

function antiPod(name: string, node: string): Pod {
  return makePod(name, {
    labels: { color: 'green' },
    spec: { nodeName: node, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { color: 'green' } }, topologyKey: 'kubernetes.io/hostname' }] } } },
  });
}

function affinityPod(name: string, node: string): Pod {
  return makePod(name, { spec: { nodeName: node, affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname' } }] } } } });
}

const names = (s: Snapshot) => ({
  all: s.nodeInfoList.map((n) => n.name),
  affinity: s.havePodsWithAffinityList.map((n) => n.name),
  anti: s.havePodsWithRequiredAntiAffinityList.map((n) => n.name),
});

test('the snapshot keeps its affinity lists in node order as pods with affinity come and go, the same as lists rebuilt from scratch', () => {
  const cache = new SchedulerCache({ clock: new FakeClock(), logger: silentLogger() });
  for (let i = 0; i < 8; i++) cache.addNode(makeNode(`n${i}`));
  const snapshot = new Snapshot();
  cache.updateSnapshot(snapshot);
  const steps: Array<() => void> = [
    () => cache.addPod(antiPod('a5', 'n5')),
    () => cache.addPod(antiPod('a1', 'n1')),
    () => cache.addPod(affinityPod('f3', 'n3')),
    () => cache.addPod(makePod('plain', { spec: { nodeName: 'n3' } })),
    () => cache.addPod(antiPod('a7', 'n7')),
    () => cache.addPod(antiPod('a0', 'n0')),
    () => cache.removePod(antiPod('a5', 'n5')),
    () => cache.assumePod(antiPod('a4', 'n4')),
    () => cache.forgetPod(antiPod('a4', 'n4')),
    () => cache.addPod(affinityPod('f1', 'n1')),
    () => cache.removePod(antiPod('a1', 'n1')),
    () => cache.removePod(affinityPod('f3', 'n3')),
  ];
  for (const step of steps) {
    step();
    cache.updateSnapshot(snapshot);
    for (const n of snapshot.nodeInfoList) assert.equal(n, snapshot.get(n.name));
    assert.deepEqual(names(snapshot), names(Snapshot.of(snapshot.nodeInfoList)));
    for (const n of snapshot.havePodsWithRequiredAntiAffinityList) assert.equal(n, snapshot.get(n.name), `${n.name} is the snapshot's current NodeInfo`);
    for (const n of snapshot.havePodsWithAffinityList) assert.equal(n, snapshot.get(n.name), `${n.name} is the snapshot's current NodeInfo`);
  }
  assert.deepEqual(names(snapshot), { all: ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'], affinity: ['n0', 'n1', 'n7'], anti: ['n0', 'n7'] });
});
