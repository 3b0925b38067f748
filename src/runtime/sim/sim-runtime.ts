import { createHash, randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Socket } from 'node:net';
import {
  RuntimeError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStatus,
  type ExecOptions,
  type ImageRef,
  type ImageStatus,
  type SandboxConfig,
  type SandboxStatus,
} from '../types.js';
import { simBehaviorFromEnv } from './env-behavior.js';

/** How a simulated container behaves once started. */
export interface SimBehavior {
  /** exit with this code after `runMs` (undefined: run until stopped) */
  exitCode?: number;
  runMs?: number;
  /** exit reason to report (e.g. 'OOMKilled') */
  reason?: string;
  /** exit code of every exec in this container */
  execExitCode?: number;
  /** what every exec writes to its stdout (an exec with stdin also echoes it, as `cat`) */
  execOutput?: string;
  /** lines written to the container's CRI log (stdout) once started */
  logLines?: string[];
  /** write one of `logLines` per interval instead of all at once */
  logIntervalMs?: number;
}

export interface SimRuntimeOptions {
  /** images that exist in simulated registries; any image is pullable when absent */
  pullable?: (image: string) => boolean;
  /** decides how each container behaves (default: from its `SKIFF_SIM_*` environment, see `simBehaviorFromEnv`) */
  behavior?: (config: ContainerConfig, sandbox: SandboxConfig) => SimBehavior;
  now?: () => number;
  /** IPs handed to sandboxes: `10.42.0.<n>` unless told */
  ipPrefix?: string;
}

interface SimContainer {
  status: ContainerStatus;
  behavior: SimBehavior;
  timer?: NodeJS.Timeout;
  logTimer?: NodeJS.Timeout;
}

/**
 * A runtime with no processes: sandboxes get made-up IPs, containers move through their states
 * on timers. For kubelet unit tests and scale work.
 */
export class SimRuntime implements ContainerRuntime {
  readonly name = 'sim';
  readonly version = '1.0.0';
  private readonly images = new Map<string, ImageStatus>();
  private readonly sandboxes = new Map<string, SandboxStatus>();
  private readonly containers = new Map<string, SimContainer>();
  private nextIp = 2;
  private readonly now: () => number;

  constructor(private readonly options: SimRuntimeOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async pullImage(ref: ImageRef): Promise<ImageStatus> {
    if (this.options.pullable && !this.options.pullable(ref.image)) {
      throw new RuntimeError('ErrImagePull', `failed to pull and unpack image "${ref.image}": not found`);
    }
    const id = `sha256:${createHash('sha256').update(ref.image).digest('hex')}`;
    const status: ImageStatus = { id, repoDigests: [`${ref.image.split(':')[0]}@${id}`], repoTags: [ref.image], size: 1024 };
    this.images.set(ref.image, status);
    return status;
  }

  async imageStatus(ref: ImageRef): Promise<ImageStatus | undefined> {
    return this.images.get(ref.image);
  }

  async listImages(): Promise<ImageStatus[]> {
    return [...this.images.values()];
  }

  async removeImage(ref: ImageRef): Promise<void> {
    this.images.delete(ref.image);
  }

  async runPodSandbox(config: SandboxConfig): Promise<SandboxStatus> {
    const id = randomUUID().replace(/-/g, '');
    const ip = config.hostNetwork ? '127.0.0.1' : `${this.options.ipPrefix ?? '10.42.0.'}${this.nextIp++}`;
    const status: SandboxStatus = { id, podUid: config.podUid, state: 'ready', ips: [ip], createdAt: this.now(), labels: { ...config.labels } };
    this.sandboxes.set(id, status);
    return status;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sandbox = this.sandboxes.get(id);
    if (!sandbox) return;
    for (const c of this.containers.values()) if (c.status.sandboxId === id) this.exit(c, 137, 'Error');
    sandbox.state = 'notready';
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.stopPodSandbox(id);
    for (const [cid, c] of this.containers) if (c.status.sandboxId === id) this.containers.delete(cid);
    this.sandboxes.delete(id);
  }

  async listPodSandboxes(): Promise<SandboxStatus[]> {
    return [...this.sandboxes.values()];
  }

  async createContainer(sandboxId: string, config: ContainerConfig, sandbox: SandboxConfig): Promise<string> {
    if (!this.sandboxes.has(sandboxId)) throw new RuntimeError('NotFound', `sandbox ${sandboxId} not found`);
    const image = this.images.get(config.image);
    if (!image) throw new RuntimeError('ImageNotFound', `image ${config.image} not present`);
    const id = randomUUID().replace(/-/g, '');
    const behavior = this.options.behavior?.(config, sandbox) ?? simBehaviorFromEnv(config);
    this.containers.set(id, {
      behavior,
      status: {
        id,
        sandboxId,
        name: config.name,
        attempt: config.attempt,
        state: 'created',
        createdAt: this.now(),
        image: config.image,
        imageId: image.id,
        labels: { ...config.labels },
        annotations: { ...config.annotations },
        logPath: config.logPath,
      },
    });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.get(id);
    if (c.status.state !== 'created') throw new RuntimeError('RunContainerError', `container ${id} is ${c.status.state}`);
    c.status.state = 'running';
    c.status.startedAt = this.now();
    if (c.behavior.exitCode !== undefined) {
      c.timer = setTimeout(() => this.exit(c, c.behavior.exitCode!, c.behavior.reason), c.behavior.runMs ?? 0);
      c.timer.unref?.();
    }
    if (c.behavior.logLines?.length) await this.writeLog(c, c.behavior.logLines);
  }

  async stopContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (c && c.status.state === 'running') this.exit(c, 137, 'Error');
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (c?.timer) clearTimeout(c.timer);
    this.containers.delete(id);
  }

  async listContainers(filter: { sandboxId?: string; podUid?: string } = {}): Promise<ContainerStatus[]> {
    return [...this.containers.values()]
      .map((c) => c.status)
      .filter((s) => (!filter.sandboxId || s.sandboxId === filter.sandboxId) && (!filter.podUid || s.labels['io.kubernetes.pod.uid'] === filter.podUid))
      .map((s) => ({ ...s }));
  }

  async containerStatus(id: string): Promise<ContainerStatus | undefined> {
    const c = this.containers.get(id);
    return c ? { ...c.status } : undefined;
  }

  async exec(id: string, options: ExecOptions): Promise<number> {
    const c = this.get(id);
    if (c.status.state !== 'running') throw new RuntimeError('NotFound', `container ${id} is not running`);
    if (c.behavior.execOutput !== undefined) options.stdout?.write(c.behavior.execOutput);
    if (options.stdin) await echo(options, () => c.status.state === 'running');
    return c.behavior.execExitCode ?? 0;
  }

  /** Echoes stdin to stdout until stdin ends, the container exits or the caller leaves. */
  async attach(id: string, options: Omit<ExecOptions, 'command'>): Promise<void> {
    const c = this.get(id);
    if (options.stdin) await echo(options, () => c.status.state === 'running');
  }

  async portForward(): Promise<Socket> {
    throw new RuntimeError('Unsupported', 'the sim runtime has no network');
  }

  async close(): Promise<void> {
    for (const c of this.containers.values()) {
      if (c.timer) clearTimeout(c.timer);
      if (c.logTimer) clearTimeout(c.logTimer);
    }
  }

  /** Test hook: make a running container exit now (crash, OOM kill). */
  kill(id: string, exitCode: number, reason?: string): void {
    this.exit(this.get(id), exitCode, reason);
  }

  private exit(c: SimContainer, exitCode: number, reason?: string): void {
    if (c.status.state !== 'running') return;
    if (c.timer) clearTimeout(c.timer);
    if (c.logTimer) clearTimeout(c.logTimer);
    c.status.state = 'exited';
    c.status.exitCode = exitCode;
    c.status.finishedAt = this.now();
    c.status.reason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
  }

  /** Appends CRI records (`<time> stdout F <line>`), all at once or one per `logIntervalMs`. */
  private async writeLog(c: SimContainer, lines: string[]): Promise<void> {
    const path = c.status.logPath;
    await mkdir(dirname(path), { recursive: true });
    const record = (line: string) => `${new Date(this.now()).toISOString().replace('Z', '000000Z')} stdout F ${line}\n`;
    const interval = c.behavior.logIntervalMs;
    if (!interval) return appendFile(path, lines.map(record).join(''));
    let next = 0;
    const tick = () => {
      if (c.status.state !== 'running' || next >= lines.length) return;
      void appendFile(path, record(lines[next++]!)).then(() => {
        c.logTimer = setTimeout(tick, interval);
        c.logTimer.unref?.();
      });
    };
    tick();
  }

  private get(id: string): SimContainer {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `container ${id} not found`);
    return c;
  }
}

/** Copies stdin to stdout (a TTY's Ctrl-D ends it, as a terminal would) until it ends or `running` turns false. */
function echo(options: Pick<ExecOptions, 'stdin' | 'stdout' | 'signal' | 'tty'>, running: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const stdin = options.stdin!;
    const done = () => {
      clearInterval(watch);
      stdin.off('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = Buffer.from(chunk);
      const eot = options.tty ? bytes.indexOf(4) : -1;
      options.stdout?.write(eot >= 0 ? bytes.subarray(0, eot) : bytes);
      if (eot >= 0) done();
    };
    const watch = setInterval(() => {
      if (!running()) done();
    }, 100);
    stdin.on('data', onData);
    stdin.once('end', done);
    options.signal?.addEventListener('abort', done, { once: true });
  });
}
