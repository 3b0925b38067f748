import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { KubeObject } from '../api/index.js';
import { ApiServer, allResources } from '../apiserver/index.js';
import { Client, InProcessTransport, SharedInformerFactory } from '../client/index.js';
import { MemoryStore } from '../store/index.js';
import { runController } from './controller.js';
import { NodeIpamController } from './node-ipam.js';

describe('node IPAM controller', () => {
  it('gives each node its own /24 from the cluster CIDR', async () => {
    const logger = pino({ level: 'silent' });
    const api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger });
    await api.start();
    const client = new Client(new InProcessTransport(api.handle, { name: 'admin', groups: ['system:masters'] }));
    const stop = new AbortController();
    try {
      const nodes = client.resource<KubeObject & { spec?: { podCIDR?: string } }>('nodes');
      await nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'a' }, spec: { podCIDR: '10.42.0.0/24' } });
      await nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'b' } });
      await nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'c' } });
      const informers = new SharedInformerFactory(client);
      informers.start(stop.signal);
      void runController(new NodeIpamController(client, informers, logger, '10.42.0.0/16'), { logger, signal: stop.signal });
      let cidrs: (string | undefined)[] = [];
      for (let i = 0; i < 200 && cidrs.filter(Boolean).length < 3; i++) {
        await new Promise((r) => setTimeout(r, 10));
        cidrs = (await nodes.list()).items.map((n) => n.spec?.podCIDR);
      }
      assert.equal(cidrs[0], '10.42.0.0/24');
      assert.deepEqual(new Set(cidrs.slice(1)), new Set(['10.42.1.0/24', '10.42.2.0/24']));
    } finally {
      stop.abort();
      api.stop();
    }
  });

  it('hands out no more /24s than the cluster CIDR holds', async () => {
    const logger = pino({ level: 'silent' });
    const api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger });
    await api.start();
    const client = new Client(new InProcessTransport(api.handle, { name: 'admin', groups: ['system:masters'] }));
    const stop = new AbortController();
    try {
      const nodes = client.resource<KubeObject & { spec?: { podCIDR?: string } }>('nodes');
      await nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'a' }, spec: { podCIDR: '10.42.0.0/24' } });
      await nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'outside' }, spec: { podCIDR: '10.99.0.0/24' } });
      for (const name of ['b', 'c', 'd']) await nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name } });
      const informers = new SharedInformerFactory(client);
      informers.start(stop.signal);
      void runController(new NodeIpamController(client, informers, logger, '10.42.0.0/23'), { logger, signal: stop.signal });
      let cidrs: (string | undefined)[] = [];
      for (let i = 0; i < 200 && cidrs.filter(Boolean).length < 3; i++) {
        await new Promise((r) => setTimeout(r, 10));
        cidrs = (await nodes.list()).items.map((n) => n.spec?.podCIDR);
      }
      await new Promise((r) => setTimeout(r, 100));
      cidrs = (await nodes.list()).items.map((n) => n.spec?.podCIDR);
      assert.deepEqual(cidrs.filter(Boolean).sort(), ['10.42.0.0/24', '10.42.1.0/24', '10.99.0.0/24']);
    } finally {
      stop.abort();
      api.stop();
    }
  });

  it('refuses a cluster CIDR that is not IPv4', () => {
    const logger = pino({ level: 'silent' });
    assert.throws(() => new NodeIpamController({} as Client, {} as SharedInformerFactory, logger, 'fd00::/8'), /--cluster-cidr must be an IPv4 CIDR/);
  });
});
