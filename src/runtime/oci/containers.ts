import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { access, appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { RuntimeError, runtimeLabels, type ContainerConfig, type ContainerStatus, type SandboxConfig } from '../types.js';
import type { ImageStore } from './images/index.js';
import { runCommand as run, startShim } from './commands.js';
import { conmonExit, conmonFiles, createUnderConmon } from './conmon.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { hostProcess } from './host-process.js';
import { buildOciSpec } from './oci-spec.js';
import { passwdLookup } from './passwd.js';
import type { Runc } from './runc.js';
import { removeCgroup, type SandboxManager } from './sandboxes.js';
import { shimPaths, type ShimConfig, type ShimState } from './shim-protocol.js';
import { processAlive } from './process-alive.js';

const ID = /^[a-f0-9]{32}$/;

/** What `<data-dir>/containers/<id>/container.json` records (labels persisted for adoption). */
export interface ContainerRecord {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  image: string;
  imageId: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  logPath: string;
  createdAt: number;
  cgroupsPath: string;
  tty: boolean;
  stdin: boolean;
  stopSignal?: string;
  /** the plain process the `host` runtime runs instead of an OCI bundle */
  process?: HostProcess;
}

/** A container of the `host` runtime: a plain process in the container's folder. */
export interface HostProcess {
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/** Options of the container manager. */
export interface ContainerManagerOptions {
  dataDir: string;
  logger: Logger;
  runc: Runc;
  sandboxes: SandboxManager;
  images: () => Promise<ImageStore>;
  /** `host`: plain processes (see `hostProcess`), no runc, no cgroups, no namespaces */
  mode?: 'oci' | 'host';
  /** absolute paths of conmon and runc: containers without a TTY or stdin then run under conmon instead of our shim */
  conmon?: { conmon: string; runc: string };
}

/** Containers of the `oci` runtime: OCI bundles run by runc under a detached shim each. */
export class ContainerManager {
  readonly root: string;
  /** container records (written once at create) by id, kept in step with the folder on each list */
  private readonly records = new Map<string, ContainerRecord>();
  private loaded?: Promise<void>;
  /** final states of exited containers (the shim writes nothing after them) */
  private readonly finished = new Map<string, ShimState>();

  constructor(private readonly o: ContainerManagerOptions) {
    this.root = join(o.dataDir, 'containers');
  }

  /** The container's folder (also its OCI bundle, beside the image store's rootfs) and files. */
  paths(id: string): { dir: string; record: string; spec: string; stdin: string } & ReturnType<typeof shimPaths> {
    if (!ID.test(id)) throw new RuntimeError('NotFound', `invalid container id "${id}"`);
    const dir = join(this.root, id);
    return { dir, record: join(dir, 'container.json'), spec: join(dir, 'config.json'), stdin: join(dir, 'stdin'), ...shimPaths(dir) };
  }

  async record(id: string): Promise<ContainerRecord | undefined> {
    if (!ID.test(id)) return undefined;
    await this.load();
    const known = this.records.get(id);
    if (known) return known;
    const record = await readJsonFile<ContainerRecord>(this.paths(id).record).catch(() => undefined);
    if (record) this.records.set(id, record);
    return record;
  }

  /** Reads the records of the containers folder once; later calls only wait for that. */
  private load(): Promise<void> {
    this.loaded ??= this.sync();
    return this.loaded;
  }

  /** Brings the records in step with the containers folder (another runtime instance may have added or removed some). */
  private async sync(): Promise<void> {
    const ids = new Set((await readdir(this.root).catch(() => [] as string[])).filter((id) => ID.test(id)));
    for (const id of this.records.keys()) {
      if (!ids.has(id)) {
        this.records.delete(id);
        this.finished.delete(id);
      }
    }
    for (const id of ids) {
      if (this.records.has(id)) continue;
      const record = await readJsonFile<ContainerRecord>(this.paths(id).record).catch(() => undefined);
      if (record) this.records.set(id, record);
    }
  }

  async create(sandboxId: string, config: ContainerConfig, sandboxConfig: SandboxConfig): Promise<string> {
    const sandbox = await this.o.sandboxes.get(sandboxId);
    if (!sandbox) throw new RuntimeError('NotFound', `sandbox ${sandboxId} not found`);
    if (sandbox.state !== 'ready') throw new RuntimeError('CreateContainerError', `sandbox ${sandboxId} is not ready`);
    const id = randomBytes(16).toString('hex');
    const p = this.paths(id);
    const store = await this.o.images();
    try {
      const prepared = await store.prepareRootfs(config.image, id);
      await mkdir(p.dir, { recursive: true });
      for (const m of config.mounts) if (m.medium === 'Memory') await this.ensureTmpfs(sandboxId, m.hostPath);
      const host = this.o.mode === 'host';
      const cgroupsPath = host ? '' : `${sandboxConfig.cgroupParent || sandbox.config.cgroupParent || `/skiff/pod${sandbox.config.podUid}`}/${id}`;
      const plain = host ? await hostProcess(config, prepared.config, prepared.rootfs, sandbox.config.hostname) : undefined;
      if (!host) await writeJsonFile(p.spec, buildOciSpec({
        config,
        sandbox: sandbox.config,
        image: prepared.config,
        rootfs: prepared.rootfs,
        netnsPath: this.o.sandboxes.netnsPath(sandbox),
        etc: this.o.sandboxes.paths(sandboxId),
        cgroupsPath,
        resolveUser: await passwdLookup(prepared.rootfs),
      }));
      if (config.stdin) await run('mkfifo', ['-m', '600', p.stdin]);
      const record: ContainerRecord = {
        id,
        sandboxId,
        name: config.name,
        attempt: config.attempt,
        image: config.image,
        imageId: prepared.imageId,
        labels: { ...config.labels },
        annotations: { ...config.annotations },
        logPath: config.logPath,
        createdAt: Date.now(),
        cgroupsPath,
        tty: config.tty,
        stdin: config.stdin,
        ...(prepared.config.StopSignal ? { stopSignal: prepared.config.StopSignal } : {}),
        ...(plain ? { process: plain } : {}),
      };
      await writeJsonFile(p.record, record);
      await this.load();
      this.records.set(id, record);
      return id;
    } catch (error) {
      await store.releaseRootfs(id).catch(() => undefined);
      await rm(p.dir, { recursive: true, force: true });
      if (error instanceof RuntimeError) throw error;
      throw new RuntimeError('CreateContainerError', `cannot create container ${config.name}: ${(error as Error).message}`);
    }
  }

  /**
   * Starts the container under conmon (`runc create`, then `runc start`) or, for a TTY, stdin or
   * the `host` runtime, under our shim (through the command helper, which keeps one started
   * ahead of need), which runs `runc run`; resolves once the container's process exists.
   */
  async start(id: string): Promise<void> {
    const record = await this.record(id);
    if (!record) throw new RuntimeError('NotFound', `container ${id} not found`);
    const p = this.paths(id);
    if (await readJsonFile<ShimState>(p.state)) throw new RuntimeError('RunContainerError', `container ${id} was already started`);
    if (this.o.conmon && !record.process && !record.tty && !record.stdin) return this.startUnderConmon(record, this.o.conmon);
    const shim: ShimConfig = {
      id,
      bundle: p.dir,
      runcRoot: this.o.runc.root,
      runcBinary: this.o.runc.binary,
      logPath: record.logPath,
      cgroupsPath: record.cgroupsPath,
      tty: record.tty,
      ...(record.stdin ? { stdinFifo: p.stdin } : {}),
      ...(record.process ? { process: record.process } : {}),
    };
    await writeJsonFile(p.config, shim);
    const answer = await startShim(p.dir, p.shimLog).catch((e: Error) => JSON.stringify({ error: e.message }));
    let message: { pid?: number; error?: string };
    try {
      message = JSON.parse(answer) as typeof message;
    } catch {
      message = { error: `the shim failed: ${(await readFile(p.shimLog, 'utf8').catch(() => '')).trim().slice(-500) || 'no output'}` };
      await writeJsonFile(p.state, { state: 'exited', shimPid: 0, startedAt: Date.now(), finishedAt: Date.now(), exitCode: 128, reason: 'StartError', message: message.error } satisfies ShimState);
    }
    if (message.error) throw new RuntimeError('RunContainerError', message.error);
  }

  private async startUnderConmon(record: ContainerRecord, tools: { conmon: string; runc: string }): Promise<void> {
    const p = this.paths(record.id);
    try {
      const { pid, conmonPid } = await createUnderConmon({ ...tools, runcRoot: this.o.runc.root, id: record.id, name: record.name, dir: p.dir, logPath: record.logPath, shimLog: p.shimLog });
      const startedAt = Date.now();
      await this.o.runc.start(record.id);
      await writeJsonFile(p.state, { state: 'running', shimPid: conmonPid, pid, startedAt, monitor: 'conmon' } satisfies ShimState);
    } catch (error) {
      const message = (error as Error).message;
      await this.o.runc.delete(record.id).catch(() => undefined);
      const now = Date.now();
      const failed: ShimState = { state: 'exited', shimPid: 0, startedAt: now, finishedAt: now, exitCode: 128, reason: 'StartError', message };
      await writeJsonFile(p.state, failed);
      this.finished.set(record.id, failed);
      throw new RuntimeError('RunContainerError', message);
    }
  }

  /**
   * The state of a container conmon created whose start was not recorded (this process ended
   * between `runc start` and writing `state.json`, or is writing it right now): running once runc
   * says it started, else still created.
   */
  private async startedUnderConmon(id: string): Promise<ShimState | undefined> {
    const runc = await this.o.runc.state(id);
    if (!runc || runc.status === 'created' || runc.status === 'creating') return undefined;
    const p = this.paths(id);
    const shimPid = Number((await readFile(conmonFiles(p.dir).conmonPid, 'utf8').catch(() => '')).trim()) || 0;
    const state: ShimState = { state: 'running', shimPid, pid: runc.pid, startedAt: Date.now(), monitor: 'conmon' };
    await writeJsonFile(p.state, state);
    return state;
  }

  /** Stop signal (the image's StopSignal or SIGTERM), then SIGKILL after `timeoutSeconds`. */
  async stop(id: string, timeoutSeconds: number): Promise<void> {
    const record = await this.record(id);
    if (!record || (await this.status(id))?.state !== 'running') return;
    if (timeoutSeconds > 0) {
      await this.kill(record, record.stopSignal ?? 'SIGTERM');
      if (await this.waitExited(id, timeoutSeconds * 1000)) return;
    }
    await this.kill(record, 'SIGKILL');
    if (!(await this.waitExited(id, 10_000))) throw new RuntimeError('NotFound', `container ${id} did not stop after SIGKILL`);
  }

  /** Kills a running container, deletes it in runc, releases its rootfs and removes its files. */
  async remove(id: string): Promise<void> {
    const record = await this.record(id);
    if (!record) return;
    await this.stop(id, 0);
    if (!record.process) {
      await this.o.runc.delete(id);
      await removeCgroup(record.cgroupsPath);
    }
    await (await this.o.images()).releaseRootfs(id);
    await rm(this.paths(id).dir, { recursive: true, force: true });
    this.records.delete(id);
    this.finished.delete(id);
  }

  async list(filter: { sandboxId?: string; podUid?: string } = {}): Promise<ContainerStatus[]> {
    await this.load();
    await this.sync();
    const out: ContainerStatus[] = [];
    for (const record of [...this.records.values()]) {
      if (filter.sandboxId && record.sandboxId !== filter.sandboxId) continue;
      if (filter.podUid && record.labels[runtimeLabels.podUid] !== filter.podUid) continue;
      const status = await this.status(record.id);
      if (status) out.push(status);
    }
    return out;
  }

  async status(id: string): Promise<ContainerStatus | undefined> {
    const record = await this.record(id);
    if (!record) return undefined;
    const p = this.paths(id);
    let state = this.finished.get(id) ?? (await readJsonFile<ShimState>(p.state).catch(() => undefined));
    if (!state && this.o.conmon && existsSync(conmonFiles(p.dir).conmonPid)) state = await this.startedUnderConmon(id);
    if (!state && !(await access(p.record).then(() => true, () => false))) {
      this.records.delete(id);
      return undefined;
    }
    if (state?.state === 'running' && state.monitor === 'conmon') {
      const final = conmonExit(p.dir, state, record.cgroupsPath);
      if (final) {
        state = final;
        await writeJsonFile(p.state, final);
      }
    }
    if (state?.state === 'running' && !processAlive(state.shimPid)) {
      state = (await readJsonFile<ShimState>(p.state)) ?? state;
      if (state.monitor === 'conmon') state = conmonExit(p.dir, state, record.cgroupsPath) ?? state;
      const alive = record.process ? state.pid !== undefined && processAlive(state.pid) : (await this.o.runc.state(id))?.status === 'running';
      if (state.state === 'running' && !alive) {
        state = { ...state, state: 'exited', finishedAt: Date.now(), exitCode: 255, reason: 'Error', message: 'the container shim ended before the container; exit code unknown' };
        await writeJsonFile(p.state, state);
      }
    }
    if (state?.state === 'exited') this.finished.set(id, state);
    const base = {
      id,
      sandboxId: record.sandboxId,
      name: record.name,
      attempt: record.attempt,
      createdAt: record.createdAt,
      image: record.image,
      imageId: record.imageId,
      labels: { ...record.labels },
      annotations: { ...record.annotations },
      logPath: record.logPath,
    };
    if (!state) return { ...base, state: 'created' };
    return {
      ...base,
      state: state.state,
      ...(state.startedAt !== undefined ? { startedAt: state.startedAt } : {}),
      ...(state.finishedAt !== undefined ? { finishedAt: state.finishedAt } : {}),
      ...(state.exitCode !== undefined ? { exitCode: state.exitCode } : {}),
      ...(state.reason ? { reason: state.reason } : {}),
      ...(state.message ? { message: state.message } : {}),
    };
  }

  /** The host PID of a running container's init process. */
  async pid(id: string): Promise<number | undefined> {
    const state = await readJsonFile<ShimState>(this.paths(id).state).catch(() => undefined);
    return state?.state === 'running' ? state.pid : undefined;
  }

  /** Unmounts the tmpfs folders (emptyDir medium Memory) the sandbox's containers used. */
  async releaseTmpfs(sandboxId: string): Promise<void> {
    const list = join(this.o.sandboxes.paths(sandboxId).dir, 'tmpfs-mounts');
    for (const path of (await readFile(list, 'utf8').catch(() => '')).split('\n').filter(Boolean)) {
      await run('umount', ['-l', path]).catch(() => undefined);
    }
  }

  private async ensureTmpfs(sandboxId: string, path: string): Promise<void> {
    const info = await readFile('/proc/self/mountinfo', 'utf8');
    if (info.split('\n').some((l) => l.split(' ')[4] === path)) return;
    await mkdir(path, { recursive: true });
    await run('mount', ['-t', 'tmpfs', '-o', 'mode=1777', 'tmpfs', path]);
    await appendFile(join(this.o.sandboxes.paths(sandboxId).dir, 'tmpfs-mounts'), `${path}\n`);
  }

  private async kill(record: ContainerRecord, signal: string): Promise<void> {
    if (!record.process) return this.o.runc.kill(record.id, signal);
    const pid = await this.pid(record.id);
    try {
      if (pid) process.kill(-pid, signal as NodeJS.Signals);
    } catch {
      /* already gone */
    }
  }

  private async waitExited(id: string, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      if ((await this.status(id))?.state !== 'running') return true;
      if (Date.now() >= deadline) return false;
      await sleep(10);
    }
  }
}
