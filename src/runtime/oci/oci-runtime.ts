import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import {
  RuntimeError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStatus,
  type ExecOptions,
  type ImageRef,
  type ImageStatus,
  type PullAuth,
  type PullProgress,
  type SandboxConfig,
  type SandboxStatus,
} from '../types.js';
import { DEFAULT_CNI_BIN_DIRS } from './cni.js';
import { ContainerManager } from './containers.js';
import { attachContainer, runcExec } from './exec.js';
import { ImageStore } from './images/index.js';
import { findOnPath } from '../find-on-path.js';
import { nftAvailable } from './masquerade.js';
import { Runc, runcVersion } from './runc.js';
import { SandboxManager } from './sandboxes.js';

/** Options of the `oci` runtime. */
export interface OciRuntimeOptions {
  /** the node's data dir: sandboxes, containers, images and CNI state live below it */
  dataDir: string;
  logger?: Logger;
  /** runc's state root, `/run/skiff/runc` unless told */
  runcRoot?: string;
  /** folder of the CNI plugins; the first of /usr/lib/cni, /opt/cni/bin that exists */
  cniBinDir?: string;
  /** Linux bridge of the pod network, `skiff0` unless told */
  bridge?: string;
  /** pod CIDR when a SandboxConfig names none, `10.42.0.0/24` unless told */
  defaultPodCIDR?: string;
  /** registries spoken to over plain HTTP besides loopback ones */
  insecureRegistries?: string[];
  /** who watches containers: conmon when installed (`auto`, the default), or always Skiff's own shim */
  monitor?: 'auto' | 'shim';
}

/**
 * The `oci` container runtime: pods are named network namespaces wired with the reference CNI
 * plugins (bridge, host-local, portmap), containers are runc containers on overlayfs root
 * filesystems from the image store, each run in the foreground by a detached shim that keeps
 * the exit code, OOM kill and CRI log. All state lives in files under the data dir, so a new
 * instance (a restarted kubelet) sees and controls what an earlier one started.
 */
export class OciRuntime implements ContainerRuntime {
  readonly name = 'oci';
  /** runc's version (what the Node's containerRuntimeVersion shows after `oci://`) */
  readonly version: string;
  private readonly logger: Logger;
  private readonly runc: Runc;
  private readonly sandboxes: SandboxManager;
  private readonly containers: ContainerManager;
  private store?: Promise<ImageStore>;
  private ready?: Promise<void>;
  private nft?: Promise<boolean>;
  /** what watches containers without a TTY or stdin: conmon when installed, else Skiff's shim */
  readonly monitor: 'conmon' | 'shim';

  constructor(private readonly options: OciRuntimeOptions) {
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.runc = new Runc(options.runcRoot ?? '/run/skiff/runc');
    this.version = runcVersion();
    this.sandboxes = new SandboxManager({
      dataDir: options.dataDir,
      logger: this.logger,
      cniBinDir: options.cniBinDir ?? DEFAULT_CNI_BIN_DIRS.find((d) => existsSync(`${d}/bridge`)) ?? DEFAULT_CNI_BIN_DIRS[0],
      bridge: options.bridge ?? 'skiff0',
      networkName: 'skiff',
      defaultPodCIDR: options.defaultPodCIDR ?? '10.42.0.0/24',
      portMap: true,
      nftMasquerade: () => (this.nft ??= nftAvailable()),
    });
    const conmon = options.monitor === 'shim' ? undefined : findOnPath('conmon');
    const runcPath = findOnPath('runc');
    this.monitor = conmon && runcPath ? 'conmon' : 'shim';
    this.containers = new ContainerManager({
      dataDir: options.dataDir,
      logger: this.logger,
      runc: this.runc,
      sandboxes: this.sandboxes,
      images: () => this.images(),
      ...(conmon && runcPath ? { conmon: { conmon, runc: runcPath } } : {}),
    });
  }

  /** The image store the runtime delegates image work to (opened on first use). */
  images(): Promise<ImageStore> {
    this.store ??= ImageStore.open({ dataDir: this.options.dataDir, logger: this.logger, ...(this.options.insecureRegistries ? { insecureRegistries: this.options.insecureRegistries } : {}) });
    return this.store;
  }

  /** Enables bridge netfilter, removes what a crash left; runs once, before the first sandbox work. */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      await writeFile('/proc/sys/net/bridge/bridge-nf-call-iptables', '1').catch((e: unknown) =>
        this.logger.warn({ err: e }, 'cannot set net.bridge.bridge-nf-call-iptables=1 (br_netfilter missing?): hostPort hairpin may not work'),
      );
      await this.sandboxes.cleanupOrphans().catch((e: unknown) => this.logger.warn({ err: e }, 'orphan cleanup failed'));
    })();
    return this.ready;
  }

  async pullImage(ref: ImageRef, auth: PullAuth | undefined, onProgress?: (p: PullProgress) => void, signal?: AbortSignal): Promise<ImageStatus> {
    return (await this.images()).pull(ref.image, { ...(auth ? { auth } : {}), ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) });
  }

  async imageStatus(ref: ImageRef): Promise<ImageStatus | undefined> {
    return (await this.images()).status(ref.image);
  }

  async listImages(): Promise<ImageStatus[]> {
    return (await this.images()).list();
  }

  async removeImage(ref: ImageRef): Promise<void> {
    await (await this.images()).remove(ref.image);
  }

  async runPodSandbox(config: SandboxConfig): Promise<SandboxStatus> {
    await this.init();
    const record = await this.sandboxes.run(config);
    this.logger.debug({ sandbox: record.id, pod: `${config.namespace}/${config.name}`, ips: record.ips }, 'sandbox ready');
    return this.sandboxes.status(record);
  }

  /** Kills every container of the sandbox, then tears its network down (CNI DEL, namespace removed). */
  async stopPodSandbox(id: string): Promise<void> {
    await this.init();
    for (const c of await this.containers.list({ sandboxId: id })) await this.containers.stop(c.id, 0);
    await this.sandboxes.stop(id);
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.init();
    for (const c of await this.containers.list({ sandboxId: id })) await this.containers.remove(c.id);
    await this.containers.releaseTmpfs(id);
    await this.sandboxes.remove(id);
  }

  async listPodSandboxes(): Promise<SandboxStatus[]> {
    return (await this.sandboxes.list()).map((r) => this.sandboxes.status(r));
  }

  async createContainer(sandboxId: string, config: ContainerConfig, sandbox: SandboxConfig): Promise<string> {
    return this.containers.create(sandboxId, config, sandbox);
  }

  async startContainer(id: string): Promise<void> {
    await this.containers.start(id);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await this.containers.stop(id, timeoutSeconds);
  }

  async removeContainer(id: string): Promise<void> {
    await this.containers.remove(id);
  }

  async listContainers(filter?: { sandboxId?: string; podUid?: string }): Promise<ContainerStatus[]> {
    return this.containers.list(filter);
  }

  async containerStatus(id: string): Promise<ContainerStatus | undefined> {
    return /^[a-f0-9]{32}$/.test(id) ? this.containers.status(id) : undefined;
  }

  async exec(id: string, options: ExecOptions): Promise<number> {
    if ((await this.containerStatus(id))?.state !== 'running') throw new RuntimeError('NotFound', `container ${id} is not running`);
    return runcExec(this.runc, id, options);
  }

  /** Follows the container's output from now on and feeds its stdin (when created with `stdin`). */
  async attach(id: string, options: Omit<ExecOptions, 'command'>): Promise<void> {
    const record = await this.containers.record(id);
    if (!record) throw new RuntimeError('NotFound', `container ${id} not found`);
    if (options.stdin && !record.stdin) throw new RuntimeError('Unsupported', `container ${record.name} was not created with stdin`);
    await attachContainer(record.logPath, record.stdin ? this.containers.paths(id).stdin : undefined, options, async () => (await this.containers.status(id))?.state === 'running');
  }

  /** A TCP connection to the pod's IP (through the bridge) on `port`; 127.0.0.1 for hostNetwork pods. */
  async portForward(sandboxId: string, port: number): Promise<Socket> {
    const record = await this.sandboxes.get(sandboxId);
    if (!record || record.state !== 'ready') throw new RuntimeError('NotFound', `sandbox ${sandboxId} not found or not ready`);
    const host = record.config.hostNetwork ? '127.0.0.1' : record.ips[0];
    if (!host) throw new RuntimeError('NotFound', `sandbox ${sandboxId} has no IP`);
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once('connect', () => resolve(socket));
      socket.once('error', (e) => reject(new RuntimeError('NotFound', `cannot connect to ${host}:${port}: ${e.message}`)));
    });
  }

  /** Containers keep running under their shims unless `killAll`, which removes every sandbox. */
  async close(options: { killAll?: boolean } = {}): Promise<void> {
    if (!options.killAll) return;
    for (const s of await this.sandboxes.list()) await this.removePodSandbox(s.id);
  }
}
