import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { RuntimeError, type SandboxConfig, type SandboxStatus } from '../types.js';
import { runCommand as run } from './commands.js';
import { cniAdd, cniDel, podNetworkConfList, resultIps, type CniResult, type CniTarget } from './cni.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { ensureMasquerade, masqueradePresent } from './masquerade.js';
import { hostsFile, resolvConfFile } from './sandbox-files.js';

const NETNS_DIR = '/var/run/netns';

/** What `<data-dir>/sandboxes/<id>/sandbox.json` records. */
export interface SandboxRecord {
  id: string;
  config: SandboxConfig;
  state: 'creating' | 'ready' | 'notready';
  createdAt: number;
  /** named network namespace (`ip netns`), absent for hostNetwork pods or once torn down */
  netns?: string;
  network?: ReturnType<typeof podNetworkConfList>;
  cniResult?: CniResult;
  ips: string[];
}

/** Options of the sandbox manager. */
export interface SandboxManagerOptions {
  dataDir: string;
  logger: Logger;
  cniBinDir: string;
  /** bridge name, `skiff0` unless told */
  bridge: string;
  /** CNI network name (host-local keeps its allocations under this name) */
  networkName: string;
  /** pod CIDR used when the SandboxConfig names none */
  defaultPodCIDR: string;
  portMap: boolean;
  /** one nftables masquerade rule per pod subnet (`masquerade.ts`) instead of the bridge plugin's per-pod ipMasq chains */
  nftMasquerade?: () => Promise<boolean>;
}

/** Pod sandboxes of the `oci` runtime: a named network namespace with CNI networking, and the pod's /etc files. */
export class SandboxManager {
  readonly root: string;
  private readonly ipamDir: string;
  /** sandbox records by id, as last written by this instance or read from the folder */
  private readonly records = new Map<string, SandboxRecord>();
  /** subnets whose masquerade rule was written, when it was last seen in place, and the update in progress */
  private readonly masqueraded = new Set<string>();
  private masqueradeCheckedAt = 0;
  private masqueradeQueue: Promise<boolean> = Promise.resolve(true);

  constructor(private readonly o: SandboxManagerOptions) {
    this.root = join(o.dataDir, 'sandboxes');
    this.ipamDir = join(o.dataDir, 'cni', 'networks');
  }

  /** Paths of a sandbox's files. */
  paths(id: string): { dir: string; record: string; hosts: string; resolvConf: string; hostname: string } {
    if (!/^[a-f0-9]{8,64}$/.test(id)) throw new RuntimeError('NotFound', `invalid sandbox id "${id}"`);
    const dir = join(this.root, id);
    return { dir, record: join(dir, 'sandbox.json'), hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf'), hostname: join(dir, 'hostname') };
  }

  /** `/var/run/netns/<name>` of a sandbox, undefined for hostNetwork. */
  netnsPath(record: SandboxRecord): string | undefined {
    return record.netns ? join(NETNS_DIR, record.netns) : undefined;
  }

  async get(id: string): Promise<SandboxRecord | undefined> {
    const known = this.records.get(id);
    if (known) return known;
    const record = await readJsonFile<SandboxRecord>(this.paths(id).record).catch(() => undefined);
    if (record) this.records.set(id, record);
    return record;
  }

  private async save(record: SandboxRecord): Promise<void> {
    this.records.set(record.id, record);
    await writeJsonFile(this.paths(record.id).record, record);
  }

  /** Creates the network namespace, runs CNI ADD and writes /etc files; undoes it all on failure. */
  async run(config: SandboxConfig): Promise<SandboxRecord> {
    const id = randomBytes(16).toString('hex');
    const p = this.paths(id);
    await mkdir(p.dir, { recursive: true });
    const record: SandboxRecord = { id, config, state: 'creating', createdAt: Date.now(), ips: [] };
    try {
      if (!config.hostNetwork) {
        record.netns = `skiff-${id.slice(0, 24)}`;
        const subnet = config.podCIDR || this.o.defaultPodCIDR;
        const otherSubnetInUse = (await this.list()).some((s) => s.state === 'ready' && s.network && subnetOf(s.network) !== subnet);
        record.network = podNetworkConfList({
          name: this.o.networkName,
          bridge: this.o.bridge,
          subnet,
          ipamDataDir: this.ipamDir,
          portMap: this.o.portMap && config.portMappings.length > 0,
          forceAddress: !otherSubnetInUse,
          ipMasq: !(await this.masquerade(subnet)),
        });
        await this.save(record);
        await run('ip', ['netns', 'add', record.netns]);
        record.cniResult = await cniAdd(record.network, this.target(record), config.portMappings);
        record.ips = resultIps(record.cniResult);
      } else {
        record.ips = [hostIPv4()];
      }
      const hostHosts = config.hostNetwork ? await readFile('/etc/hosts', 'utf8').catch(() => '') : undefined;
      await writeFile(p.hosts, hostsFile(config, record.ips, hostHosts));
      await writeFile(p.resolvConf, resolvConfFile(config.dns, await readFile('/etc/resolv.conf', 'utf8').catch(() => '')));
      await writeFile(p.hostname, `${config.hostname}\n`);
      record.state = 'ready';
      await this.save(record);
      return record;
    } catch (error) {
      await this.teardown(record).catch((e: unknown) => this.o.logger.warn({ sandbox: id, err: e }, 'cleanup of a failed sandbox failed'));
      await rm(p.dir, { recursive: true, force: true });
      this.records.delete(id);
      throw new RuntimeError('SandboxError', `failed to set up the sandbox of pod ${config.namespace}/${config.name}: ${(error as Error).message}`);
    }
  }

  /**
   * Makes sure the nftables masquerade rules cover `subnet` (and every subnet pods got before):
   * written when a subnet is new, and again when the table has gone (an `nft flush ruleset`),
   * which is looked at no more than every 10 s. Updates run one at a time. False when the bridge
   * plugin must masquerade instead.
   */
  private masquerade(subnet: string): Promise<boolean> {
    const step = async (): Promise<boolean> => {
      if (!(await this.o.nftMasquerade?.())) return false;
      const known = this.masqueraded.has(subnet);
      if (known && Date.now() - this.masqueradeCheckedAt < 10_000) return true;
      try {
        if (!known || !(await masqueradePresent(this.o.bridge))) {
          this.masqueraded.add(subnet);
          await ensureMasquerade(this.o.bridge, [...this.masqueraded]);
        }
        this.masqueradeCheckedAt = Date.now();
        return true;
      } catch (error) {
        this.o.logger.warn({ err: error, subnet }, 'cannot install the nftables masquerade rule; the bridge plugin masquerades per pod');
        return false;
      }
    };
    const next = this.masqueradeQueue.then(step, step);
    this.masqueradeQueue = next;
    return next;
  }

  /** CNI DEL and removal of the network namespace; the record stays (notready). */
  async stop(id: string): Promise<void> {
    const record = await this.get(id);
    if (!record) return;
    await this.teardown(record);
    record.state = 'notready';
    delete record.netns;
    await this.save(record);
  }

  /** Stops the sandbox and removes its files and the pod's cgroup folders. */
  async remove(id: string): Promise<void> {
    const record = await this.get(id);
    if (record) await this.stop(id);
    await rm(this.paths(id).dir, { recursive: true, force: true });
    this.records.delete(id);
    if (record?.config.cgroupParent && !(await this.list()).some((s) => s.config.cgroupParent === record.config.cgroupParent)) {
      await removeCgroupTree(record.config.cgroupParent);
    }
  }

  /** Sandboxes in the folder (one readdir; records are read once and then kept). */
  async list(): Promise<SandboxRecord[]> {
    const ids = new Set((await readdir(this.root).catch(() => [] as string[])).filter((id) => /^[a-f0-9]{32}$/.test(id)));
    for (const id of this.records.keys()) if (!ids.has(id)) this.records.delete(id);
    const out: SandboxRecord[] = [];
    for (const id of ids) {
      const record = await this.get(id);
      if (record && record.state !== 'creating') out.push(record);
    }
    return out;
  }

  /** The CRI view of a sandbox. */
  status(record: SandboxRecord): SandboxStatus {
    return { id: record.id, podUid: record.config.podUid, state: record.state === 'ready' ? 'ready' : 'notready', ips: [...record.ips], createdAt: record.createdAt, labels: { ...record.config.labels } };
  }

  /**
   * Removes what a crash left behind: sandboxes whose creation never finished, and host-local IP
   * allocations held for sandboxes this data dir no longer has.
   */
  async cleanupOrphans(): Promise<void> {
    for (const id of await readdir(this.root).catch(() => [] as string[])) {
      if (!/^[a-f0-9]{32}$/.test(id)) continue;
      const record = await this.get(id);
      if (record?.state !== 'creating') continue;
      this.o.logger.info({ sandbox: id }, 'removing a sandbox whose creation was interrupted');
      await this.teardown(record).catch((e: unknown) => this.o.logger.warn({ sandbox: id, err: e }, 'orphan sandbox teardown failed'));
      await rm(this.paths(id).dir, { recursive: true, force: true });
      this.records.delete(id);
    }
    const known = new Set((await this.list()).filter((s) => s.netns).map((s) => s.id));
    const allocations = join(this.ipamDir, this.o.networkName);
    for (const name of await readdir(allocations).catch(() => [] as string[])) {
      if (!/^[0-9.]+$|:/.test(name)) continue;
      const owner = (await readFile(join(allocations, name), 'utf8').catch(() => '')).split(/\r?\n/)[0]?.trim();
      if (owner && !known.has(owner)) {
        this.o.logger.info({ ip: name, sandbox: owner }, 'releasing an IP held by a sandbox that no longer exists');
        await rm(join(allocations, name), { force: true });
      }
    }
  }

  private target(record: SandboxRecord): CniTarget {
    return { containerId: record.id, netnsPath: join(NETNS_DIR, record.netns!), ifName: 'eth0', binDir: this.o.cniBinDir };
  }

  private async teardown(record: SandboxRecord): Promise<void> {
    if (!record.netns) return;
    let failure: unknown;
    if (record.network) {
      await cniDel(record.network, this.target(record), record.config.portMappings, record.cniResult).catch((e: unknown) => (failure = e));
    }
    await run('ip', ['netns', 'delete', record.netns]).catch((e: { stderr?: string }) => {
      if (!/No such file/.test(e.stderr ?? '')) failure ??= e;
    });
    if (failure) this.o.logger.warn({ sandbox: record.id, err: failure }, 'sandbox network teardown incomplete');
  }
}

function subnetOf(network: NonNullable<SandboxRecord['network']>): string | undefined {
  const ipam = network.plugins[0]?.ipam as { ranges?: { subnet: string }[][] } | undefined;
  return ipam?.ranges?.[0]?.[0]?.subnet;
}

/** Removes a cgroup folder (and nothing else) from every hierarchy; busy or missing folders are left. */
export async function removeCgroup(path: string): Promise<void> {
  for (const hierarchy of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
    await rmdir(join('/sys/fs/cgroup', hierarchy, path)).catch(() => undefined);
  }
}

/**
 * Removes a pod's cgroup folder with the folders of its containers beneath it, from every
 * hierarchy. A container killed a moment ago can keep its folder busy for a few milliseconds,
 * so a busy folder is retried briefly; one with live processes is left. Only `/skiff/<pod>`
 * folders are touched.
 */
export async function removeCgroupTree(path: string): Promise<void> {
  if (!/^\/skiff\/[^/]+$/.test(path)) return;
  const removeTree = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) await removeTree(join(dir, entry.name));
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await rmdir(dir);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EBUSY') return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  for (const hierarchy of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
    await removeTree(join('/sys/fs/cgroup', hierarchy, path));
  }
}

function hostIPv4(): string {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (/^(skiff|veth|cni)/.test(name)) continue;
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
