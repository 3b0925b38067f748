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
  /** each node's podCIDR as the informer last showed it, and how many nodes show each CIDR */
  private readonly nodeCidr = new Map<string, string>();
  private readonly refs = new Map<string, number>();
  /** distinct CIDRs of the cluster range in use (shown by a node or allocated here) */
  private inRangeUsed = 0;

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
      this.track(n.metadata.name!, n.spec?.podCIDR);
      if (!n.spec?.podCIDR) enqueue(n.metadata.name!);
    };
    this.informer.addEventHandler({ onAdd: onNode, onUpdate: (_o, n) => onNode(n as Node), onDelete: (n) => this.track(n.metadata.name!, undefined) });
    this.informer.start(signal);
    await this.informer.waitForSync(signal);
  }

  async reconcile(name: string, signal: AbortSignal): Promise<Result | void> {
    const nodes = this.client.resource<Node>('nodes');
    const cached = this.informer?.store.getByName(undefined, name) as Node | undefined;
    if (cached?.spec?.podCIDR) return;
    if (cached && this.inRangeUsed >= this.count) return this.exhausted(name);
    let node: Node;
    try {
      node = await nodes.get(undefined, name, { signal });
    } catch (error) {
      if (error instanceof ApiError && error.reason === 'NotFound') return;
      throw error;
    }
    if (node.spec?.podCIDR) return;
    for (let i = 0; i < this.count && this.inRangeUsed < this.count; i++) {
      const cidr = `${ipv4String((this.base + i * 256) >>> 0)}/24`;
      if (this.refs.has(cidr) || this.allocated.has(cidr)) continue;
      await nodes.patch(undefined, name, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'merge', { fieldManager: 'node-ipam-controller', signal });
      if (!this.refs.has(cidr) && !this.allocated.has(cidr)) this.inRangeUsed++;
      this.allocated.add(cidr);
      this.logger.info({ node: name, podCIDR: cidr }, 'pod CIDR allocated');
      return;
    }
    return this.exhausted(name);
  }

  private exhausted(name: string): Result {
    this.logger.warn({ node: name }, 'no pod CIDR left in --cluster-cidr');
    return { requeueAfter: 60_000 };
  }

  /** Keeps the counts of CIDRs in use in step with what the informer shows a node has. */
  private track(name: string, cidr: string | undefined): void {
    const before = this.nodeCidr.get(name);
    if (before === cidr) return;
    if (before !== undefined) {
      const n = (this.refs.get(before) ?? 1) - 1;
      if (n > 0) this.refs.set(before, n);
      else {
        this.refs.delete(before);
        if (!this.allocated.has(before) && this.inRange(before)) this.inRangeUsed--;
      }
      this.nodeCidr.delete(name);
    }
    if (cidr !== undefined) {
      if (!this.refs.has(cidr) && !this.allocated.has(cidr) && this.inRange(cidr)) this.inRangeUsed++;
      this.refs.set(cidr, (this.refs.get(cidr) ?? 0) + 1);
      this.nodeCidr.set(name, cidr);
    }
  }

  private inRange(cidr: string): boolean {
    const network = parseIpv4Network(cidr);
    if (!network || network.bits !== 24) return false;
    const offset = (network.base - this.base) >>> 0;
    return offset % 256 === 0 && offset / 256 < this.count;
  }
}
