import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { KubeObject } from '../api/index.js';
import { ApiServer, allResources } from '../apiserver/index.js';
import { Client, InProcessTransport, SharedInformerFactory } from '../client/index.js';
import { MemoryStore } from '../store/index.js';
import { runController } from './controller.js';
import { NodeIpamController } from './node-ipam.js';

type Node = KubeObject & { spec?: { podCIDR?: string } };

/**
 * Creates the nodes (name → podCIDR or none) on a fresh API server, runs the controller for
 * `clusterCidr`, and answers the nodes' podCIDRs, in name order, once `wanted` have one (or after
 * about 2 s) and `settleMs` more have passed.
 */
async function podCidrsAfterIpam(nodes: [string, string?][], clusterCidr: string, wanted: number, settleMs = 0): Promise<(string | undefined)[]> {
  const logger = pino({ level: 'silent' });
  const api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger });
  await api.start();
  const client = new Client(new InProcessTransport(api.handle, { name: 'admin', groups: ['system:masters'] }));
  const stop = new AbortController();
  try {
    const resource = client.resource<Node>('nodes');
    for (const [name, podCIDR] of nodes) await resource.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name }, ...(podCIDR ? { spec: { podCIDR } } : {}) });
    const informers = new SharedInformerFactory(client);
    informers.start(stop.signal);
    void runController(new NodeIpamController(client, informers, logger, clusterCidr), { logger, signal: stop.signal });
    const cidrs = async () => (await resource.list()).items.map((n) => n.spec?.podCIDR);
    for (let i = 0; i < 200 && (await cidrs()).filter(Boolean).length < wanted; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, settleMs));
    return await cidrs();
  } finally {
    stop.abort();
    api.stop();
  }
}

describe('node IPAM controller', () => {
  it('gives each node its own /24 from the cluster CIDR', async () => {
    const cidrs = await podCidrsAfterIpam([['a', '10.42.0.0/24'], ['b'], ['c']], '10.42.0.0/16', 3);
    assert.equal(cidrs[0], '10.42.0.0/24');
    assert.deepEqual(new Set(cidrs.slice(1)), new Set(['10.42.1.0/24', '10.42.2.0/24']));
  });

  it('hands out no more /24s than the cluster CIDR holds', async () => {
    const cidrs = await podCidrsAfterIpam([['a', '10.42.0.0/24'], ['outside', '10.99.0.0/24'], ['b'], ['c'], ['d']], '10.42.0.0/23', 3, 100);
    assert.deepEqual(cidrs.filter(Boolean).sort(), ['10.42.0.0/24', '10.42.1.0/24', '10.99.0.0/24']);
  });

  it('refuses a cluster CIDR that is not IPv4', () => {
    const logger = pino({ level: 'silent' });
    assert.throws(() => new NodeIpamController({} as Client, {} as SharedInformerFactory, logger, 'fd00::/8'), /--cluster-cidr must be an IPv4 CIDR/);
  });
});
