import assert from 'node:assert/strict';
import { test } from 'node:test';
import { numFeasibleNodesToFind } from './cache/index.js';
import { parseSchedulerConfiguration } from './config.js';
import { Framework, Snapshot } from './framework/index.js';
import { inTreeRegistry } from './plugins/index.js';
import { Nominator } from './queue/index.js';
import { FakeClock, silentLogger } from '../client/index.js';

const registry = inTreeRegistry();
const build = (text: string) =>
  parseSchedulerConfiguration(text).profiles.map((p) => {
    p.plugins.multiPoint!.enabled = p.plugins.multiPoint!.enabled!.filter((r) => registry.has(r.name));
    return new Framework(p, registry, { logger: silentLogger(), clock: new FakeClock(), snapshot: () => new Snapshot(), nominator: new Nominator() });
  });

test('a configuration with two profiles, a disabled score plugin, a weight and MostAllocated', () => {
  const [a, b] = build(`
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 30
profiles:
  - schedulerName: default-scheduler
  - schedulerName: packer
    plugins:
      score:
        disabled: [{ name: NodeResourcesBalancedAllocation }]
        enabled: [{ name: NodeAffinity, weight: 7 }]
    pluginConfig:
      - name: NodeResourcesFit
        args: { scoringStrategy: { type: MostAllocated } }
`);
  assert.deepEqual(a.scorePlugins.map((p) => p.name), ['TaintToleration', 'NodeAffinity', 'NodeResourcesFit', 'PodTopologySpread', 'InterPodAffinity', 'NodeResourcesBalancedAllocation', 'ImageLocality']);
  assert.deepEqual(Object.fromEntries(a.scoreWeights), { TaintToleration: 3, NodeAffinity: 2, NodeResourcesFit: 1, PodTopologySpread: 2, InterPodAffinity: 2, NodeResourcesBalancedAllocation: 1, ImageLocality: 1 });
  assert.deepEqual(b.scorePlugins.map((p) => p.name), ['NodeAffinity', 'TaintToleration', 'NodeResourcesFit', 'PodTopologySpread', 'InterPodAffinity', 'ImageLocality']);
  assert.equal(b.scoreWeights.get('NodeAffinity'), 7);
  assert.equal(parseSchedulerConfiguration('apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\npercentageOfNodesToScore: 30').percentageOfNodesToScore, 30);
});

test('`*` disables every default at a point', () => {
  const [f] = build('apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles: [{plugins: {filter: {disabled: [{name: "*"}], enabled: [{name: NodeName}]}}}]');
  assert.deepEqual(f.filterPlugins.map((p) => p.name), ['NodeName']);
});

test('bad configurations are refused with the field at fault', () => {
  const bad: Array<[string, RegExp]> = [
    ['apiVersion: v1\nkind: KubeSchedulerConfiguration', /apiVersion: Unsupported value: "v1"/],
    ['apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\npercentageOfNodesToScore: 101', /percentageOfNodesToScore: Invalid value: 101/],
    ['apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles: [{schedulerName: a}, {schedulerName: a}]', /profiles\[1\]\.schedulerName: Duplicate value: "a"/],
    ['apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles: [{plugins: {filters: {}}}]', /profiles\[0\]\.plugins\.filters: unknown extension point/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseSchedulerConfiguration(text), re);
  assert.throws(() => build('apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles: [{plugins: {filter: {enabled: [{name: Nope}]}}}]'), /plugin "Nope" does not exist/);
  assert.throws(
    () => build('apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: Bogus}}}]}]'),
    /scoringStrategy.type: Unsupported value: "Bogus"/,
  );
});

test('adaptive percentageOfNodesToScore', () => {
  assert.equal(numFeasibleNodesToFind(50), 50);
  assert.equal(numFeasibleNodesToFind(500), 230);
  assert.equal(numFeasibleNodesToFind(5000), 500);
  assert.equal(numFeasibleNodesToFind(6000), 300);
  assert.equal(numFeasibleNodesToFind(1000, 5), 100);
  assert.equal(numFeasibleNodesToFind(1000, 100), 1000);
});
