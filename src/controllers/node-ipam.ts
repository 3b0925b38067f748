import type { Logger } from 'pino';
import { ApiError, ipv4String, parseIpv4Network, type Ipv4Network, type KubeObject } from '../api/index.js';
import type { Client, SharedInformerFactory } from '../client/index.js';
import type { Reconciler, Result } from './controller.js';

interface Node extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[] };
}

function parseClusterCidr(cidr: string): Ipv4Network {
  const network = parseIpv4Network(cidr);
  if (!network) throw new Error(`--cluster-cidr must be an IPv4 CIDR such as 10.42.0.0/16, got ${cidr}`);
  if (network.bits > 24) throw new Error(`--cluster-cidr ${cidr}: need a valid IPv4 range of /24 or larger`);
  return network;
}

/**
 * Gives each Node a /24 `spec.podCIDR` from `--cluster-cidr` (upstream's node IPAM controller,
 * range allocator), keeping what nodes already have.
 */
export class NodeIpamController implements Reconciler {
  readonly name = 'node-ipam';
  private readonly base: number;
  private readonly count: number;
  private informer?: ReturnType<SharedInformerFactory['informerFor']>;
  /** handed out by this process, which the informer may not show yet */
  private readonly allocated = new Set<string>();

  constructor(
    private readonly client: Client,
    private readonly informers: SharedInformerFactory,
    private readonly logger: Logger,
    clusterCidr = '10.42.0.0/16',
  ) {
    const { base, bits } = parseClusterCidr(clusterCidr);
    this.base = base;
    this.count = 2 ** (24 - bits);
  }

  async start(enqueue: (key: string) => void, signal: AbortSignal): Promise<void> {
    this.informer = this.informers.informerFor('nodes');
    const onNode = (n: Node) => {
      if (!n.spec?.podCIDR) enqueue(n.metadata.name!);
    };
    this.informer.addEventHandler({ onAdd: onNode, onUpdate: (_o, n) => onNode(n as Node) });
    this.informer.start(signal);
    await this.informer.waitForSync(signal);
  }

  async reconcile(name: string, signal: AbortSignal): Promise<Result | void> {
    const nodes = this.client.resource<Node>('nodes');
    let node: Node;
    try {
      node = await nodes.get(undefined, name, { signal });
    } catch (error) {
      if (error instanceof ApiError && error.reason === 'NotFound') return;
      throw error;
    }
    if (node.spec?.podCIDR) return;
    const used = new Set((this.informer?.store.list() ?? []).map((n) => (n as Node).spec?.podCIDR).filter(Boolean));
    for (const cidr of this.allocated) used.add(cidr);
    for (let i = 0; i < this.count; i++) {
      const cidr = `${ipv4String((this.base + i * 256) >>> 0)}/24`;
      if (used.has(cidr)) continue;
      await nodes.patch(undefined, name, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'merge', { fieldManager: 'node-ipam-controller', signal });
      this.allocated.add(cidr);
      this.logger.info({ node: name, podCIDR: cidr }, 'pod CIDR allocated');
      return;
    }
    this.logger.warn({ node: name }, 'no pod CIDR left in --cluster-cidr');
    return { requeueAfter: 60_000 };
  }
}
