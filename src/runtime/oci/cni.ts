import { CommandError, runCommand } from './commands.js';
import type { PortMapping } from '../types.js';

/** Where Debian's containernetworking-plugins puts the plugins (`dpkg -L containernetworking-plugins`). */
export const DEFAULT_CNI_BIN_DIRS = ['/usr/lib/cni', '/opt/cni/bin'];

/** The pod network the `oci` runtime builds with the reference CNI plugins. */
export interface PodNetworkOptions {
  /** network name, also host-local's store folder name */
  name: string;
  /** Linux bridge the pods hang off */
  bridge: string;
  /** the node's pod CIDR, e.g. 10.42.0.0/24 */
  subnet: string;
  /** host-local IPAM's dataDir */
  ipamDataDir: string;
  /** add the portmap plugin (hostPort) */
  portMap: boolean;
  /** let the bridge plugin masquerade (an iptables chain per pod); off when one nftables rule does it for the subnet */
  ipMasq?: boolean;
  /** replace another IPv4 address the bridge has (a pod CIDR that changed) instead of failing */
  forceAddress?: boolean;
}

/** One plugin's result (CNI spec 1.0.0 / 0.4.0). */
export interface CniResult {
  cniVersion?: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { address: string; gateway?: string; interface?: number; version?: string }[];
  routes?: unknown[];
  dns?: unknown;
}

/** A CNI plugin failed; `message` carries its error document's `msg` and `details`. */
export class CniError extends Error {
  constructor(
    readonly plugin: string,
    message: string,
  ) {
    super(`CNI plugin ${plugin}: ${message}`);
    this.name = 'CniError';
  }
}

/** The network configuration list (loopback runs on its own first). */
export function podNetworkConfList(o: PodNetworkOptions): { cniVersion: string; name: string; plugins: Record<string, unknown>[] } {
  const plugins: Record<string, unknown>[] = [
    {
      type: 'bridge',
      bridge: o.bridge,
      isGateway: true,
      ipMasq: o.ipMasq ?? true,
      hairpinMode: true,
      ...(o.forceAddress ? { forceAddress: true } : {}),
      ipam: { type: 'host-local', ranges: [[{ subnet: o.subnet }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: o.ipamDataDir },
    },
  ];
  if (o.portMap) plugins.push({ type: 'portmap', capabilities: { portMappings: true }, snat: true });
  return { cniVersion: '0.4.0', name: o.name, plugins };
}

/** What a CNI invocation is about. */
export interface CniTarget {
  containerId: string;
  netnsPath: string;
  ifName: string;
  binDir: string;
}

async function invoke(plugin: string, command: 'ADD' | 'DEL' | 'CHECK', target: CniTarget, netConf: Record<string, unknown>): Promise<CniResult> {
  let text: string;
  try {
    const env = {
      CNI_COMMAND: command,
      CNI_CONTAINERID: target.containerId,
      CNI_NETNS: target.netnsPath,
      CNI_IFNAME: target.ifName,
      CNI_PATH: target.binDir,
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    };
    text = (await runCommand(`${target.binDir}/${plugin}`, [], { env, input: JSON.stringify(netConf) })).stdout;
  } catch (error) {
    if (!(error instanceof CommandError)) throw new CniError(plugin, (error as Error).message);
    let message = error.stderr.trim() || (error.code === null || error.code < 0 ? error.message : `exit ${error.code}`);
    try {
      const doc = JSON.parse(error.stdout) as { msg?: string; details?: string };
      message = [doc.msg, doc.details].filter(Boolean).join(': ') || message;
    } catch {
      /* not a CNI error document */
    }
    throw new CniError(plugin, message);
  }
  try {
    return text.trim() ? (JSON.parse(text) as CniResult) : {};
  } catch {
    throw new CniError(plugin, `unreadable result: ${text.slice(0, 200)}`);
  }
}

function runtimeConfigFor(plugin: Record<string, unknown>, portMappings: PortMapping[]): Record<string, unknown> | undefined {
  const caps = plugin.capabilities as Record<string, boolean> | undefined;
  if (!caps?.portMappings || !portMappings.length) return undefined;
  return {
    portMappings: portMappings.map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol.toLowerCase(), ...(p.hostIP ? { hostIP: p.hostIP } : {}) })),
  };
}

/** CNI ADD of loopback (beside the others: it only touches `lo`), and each plugin of `list` in order with the previous result; resolves with the last result. */
export async function cniAdd(list: ReturnType<typeof podNetworkConfList>, target: CniTarget, portMappings: PortMapping[]): Promise<CniResult> {
  const loopback = invoke('loopback', 'ADD', { ...target, ifName: 'lo' }, { cniVersion: list.cniVersion, name: 'loopback', type: 'loopback' });
  let prev: CniResult | undefined;
  try {
    for (const plugin of list.plugins) {
      const runtimeConfig = runtimeConfigFor(plugin, portMappings);
      const conf = { ...plugin, cniVersion: list.cniVersion, name: list.name, ...(prev ? { prevResult: prev } : {}), ...(runtimeConfig ? { runtimeConfig } : {}) };
      prev = await invoke(plugin.type as string, 'ADD', target, conf);
    }
  } finally {
    await loopback.catch(() => undefined);
  }
  await loopback;
  return prev ?? {};
}

/** CNI DEL of each plugin in reverse order; every plugin is tried, the first failure is thrown after. */
export async function cniDel(list: ReturnType<typeof podNetworkConfList>, target: CniTarget, portMappings: PortMapping[], prevResult?: CniResult): Promise<void> {
  let first: unknown;
  for (const plugin of [...list.plugins].reverse()) {
    const runtimeConfig = runtimeConfigFor(plugin, portMappings);
    const conf = { ...plugin, cniVersion: list.cniVersion, name: list.name, ...(prevResult ? { prevResult } : {}), ...(runtimeConfig ? { runtimeConfig } : {}) };
    await invoke(plugin.type as string, 'DEL', target, conf).catch((e: unknown) => (first ??= e));
  }
  if (first) throw first;
}

/** IPv4 addresses (without prefix length) of a CNI result, IPv4 first. */
export function resultIps(result: CniResult): string[] {
  const ips = (result.ips ?? []).map((ip) => ip.address.split('/')[0]);
  return ips.sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')));
}
