import { spawn } from 'node:child_process';
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
import { ContainerManager, HostSupport, ImageStore } from '../oci/index.js';

/** Options of the `host` runtime. */
export interface HostRuntimeOptions {
  dataDir: string;
  logger?: Logger;
  insecureRegistries?: string[];
}

/**
 * The `host` container runtime, for machines without runc or root: every container is a plain
 * process (under the same detached shim as the `oci` runtime, so exit codes and CRI logs survive
 * a kubelet restart) whose working directory is its image's root filesystem (a copy without
 * root). No isolation at all: pods share the host's network (127.0.0.1), PID and mount
 * namespaces; no resource limits, no OOM detection; volumes are symlinks inside the root
 * filesystem; exec runs beside the container with its env, TTY is not supported.
 */
export class HostRuntime implements ContainerRuntime {
  readonly name = 'host';
  readonly version = '1.0.0';
  private readonly logger: Logger;
  private readonly support: HostSupport;
  private readonly containers: ContainerManager;
  private store?: Promise<ImageStore>;

  constructor(private readonly options: HostRuntimeOptions) {
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.support = new HostSupport(options.dataDir, this.logger);
    this.containers = this.support.containers(() => this.images());
  }

  /** The image store (the same one the `oci` runtime uses, under the node's data dir). */
  images(): Promise<ImageStore> {
    this.store ??= ImageStore.open({ dataDir: this.options.dataDir, logger: this.logger, ...(this.options.insecureRegistries ? { insecureRegistries: this.options.insecureRegistries } : {}) });
    return this.store;
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
    const record = await this.support.sandboxes.run({ ...config, hostNetwork: true });
    return { ...this.support.sandboxes.status(record), ips: ['127.0.0.1'] };
  }

  async stopPodSandbox(id: string): Promise<void> {
    for (const c of await this.containers.list({ sandboxId: id })) await this.containers.stop(c.id, 0);
    await this.support.sandboxes.stop(id);
  }

  async removePodSandbox(id: string): Promise<void> {
    for (const c of await this.containers.list({ sandboxId: id })) await this.containers.remove(c.id);
    await this.support.sandboxes.remove(id);
  }

  async listPodSandboxes(): Promise<SandboxStatus[]> {
    return (await this.support.sandboxes.list()).map((r) => ({ ...this.support.sandboxes.status(r), ips: ['127.0.0.1'] }));
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

  /** Runs the command beside the container's process, with its env and working directory. */
  async exec(id: string, options: ExecOptions): Promise<number> {
    const record = await this.containers.record(id);
    if (!record?.process || (await this.containers.status(id))?.state !== 'running') throw new RuntimeError('NotFound', `container ${id} is not running`);
    if (options.tty) throw new RuntimeError('Unsupported', 'the host runtime has no TTY support for exec');
    const child = spawn(options.command[0]!, options.command.slice(1), { cwd: record.process.cwd, env: record.process.env, stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    if (options.stdin) options.stdin.pipe(child.stdin!);
    if (options.stdout) child.stdout!.pipe(options.stdout, { end: false });
    else child.stdout!.resume();
    if (options.stderr) child.stderr!.pipe(options.stderr, { end: false });
    else child.stderr!.resume();
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    const onAbort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await new Promise<number>((resolve) => {
        child.on('error', () => resolve(127));
        child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 143)));
      });
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  async attach(id: string, options: Omit<ExecOptions, 'command'>): Promise<void> {
    await this.support.attach(this.containers, id, options);
  }

  async portForward(sandboxId: string, port: number): Promise<Socket> {
    if (!(await this.support.sandboxes.get(sandboxId))) throw new RuntimeError('NotFound', `sandbox ${sandboxId} not found`);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(socket));
      socket.once('error', (e) => reject(new RuntimeError('NotFound', `cannot connect to 127.0.0.1:${port}: ${e.message}`)));
    });
  }

  async close(options: { killAll?: boolean } = {}): Promise<void> {
    if (!options.killAll) return;
    for (const s of await this.support.sandboxes.list()) await this.removePodSandbox(s.id);
  }
}
