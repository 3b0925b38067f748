import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { KubeObject } from '../../api/index.js';
import { ApiServer, allResources } from '../../apiserver/index.js';
import { Client, FakeClock, InProcessTransport, settle } from '../../client/index.js';
import { SimRuntime, type SimBehavior, type ContainerConfig, type SandboxConfig } from '../../runtime/index.js';
import { MemoryStore } from '../../store/index.js';
import { Kubelet, type KubeletOptions } from '../kubelet.js';
import type { Pod } from '../pod-types.js';

/** A kubelet on the sim runtime and a fake clock, beside a real API server on a memory store. */
export interface Harness {
  clock: FakeClock;
  api: ApiServer;
  admin: Client;
  runtime: SimRuntime;
  kubelet: Kubelet;
  dataDir: string;
  /** clock times at which each container (by name) was started */
  starts: Map<string, number[]>;
  pod(name: string, namespace?: string): Promise<Pod>;
  /** advances the clock in steps until `check` holds (or throws after `maxMs` of fake time) */
  until(check: () => Promise<boolean> | boolean, opts?: { stepMs?: number; maxMs?: number; what?: string }): Promise<void>;
  /** starts (or restarts) the kubelet */
  startKubelet(extra?: Partial<KubeletOptions>): Promise<Kubelet>;
  stopKubelet(): void;
  close(): Promise<void>;
}

/** Builds a harness; `behavior` decides how containers run (default: until stopped). */
export async function harness(options: { behavior?: (c: ContainerConfig, s: SandboxConfig) => SimBehavior; withApi?: boolean; kubelet?: Partial<KubeletOptions> } = {}): Promise<Harness> {
  const clock = new FakeClock();
  const logger = pino({ level: process.env.KUBELET_TEST_LOG ?? 'silent' });
  const api = new ApiServer({ store: new MemoryStore(), resources: allResources, logger, now: () => new Date(clock.now()) });
  await api.start();
  const admin = new Client(new InProcessTransport(api.handle, { name: 'admin', groups: ['system:masters', 'system:authenticated'] }));
  const nodeClient = new Client(new InProcessTransport(api.handle, { name: 'system:node:node1', groups: ['system:nodes', 'system:authenticated'] }));
  const runtime = new SimRuntime({ now: () => clock.now(), behavior: options.behavior });
  const starts = new Map<string, number[]>();
  const names = new Map<string, string>();
  const create = runtime.createContainer.bind(runtime);
  runtime.createContainer = async (sandboxId, config, sandbox) => {
    const id = await create(sandboxId, config, sandbox);
    names.set(id, config.name);
    return id;
  };
  const start = runtime.startContainer.bind(runtime);
  runtime.startContainer = async (id) => {
    await start(id);
    const name = names.get(id)!;
    starts.set(name, [...(starts.get(name) ?? []), clock.now()]);
  };
  const dataDir = await mkdtemp(join(tmpdir(), 'kubelet-test-'));
  let stop = new AbortController();
  const h: Harness = {
    clock,
    api,
    admin,
    runtime,
    kubelet: undefined as unknown as Kubelet,
    dataDir,
    starts,
    pod: (name, namespace = 'default') => admin.resource<Pod>('pods').get(namespace, name),
    async until(check, opts = {}) {
      const step = opts.stepMs ?? 500;
      const max = opts.maxMs ?? 120_000;
      for (let t = 0; t <= max; t += step) {
        // real time for the kubelet's file and API work to finish before the fake clock moves on;
        // 1 ms was too little on a loaded machine (a restart then looked 5 fake seconds late)
        await new Promise((r) => setTimeout(r, 5));
        await settle();
        if (await check()) return;
        await clock.advance(step);
      }
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}`);
    },
    async startKubelet(extra = {}) {
      stop = new AbortController();
      h.kubelet = new Kubelet({
        nodeName: 'node1',
        runtime,
        client: options.withApi === false ? undefined : nodeClient,
        dataDir,
        logger,
        clock,
        machine: { internalIP: '192.168.1.10', cpus: 4, memoryBytes: 8 * 1024 ** 3 },
        ...options.kubelet,
        ...extra,
      });
      await h.kubelet.start(stop.signal);
      return h.kubelet;
    },
    stopKubelet() {
      stop.abort();
    },
    async close() {
      stop.abort();
      await runtime.close();
      api.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  await h.startKubelet();
  return h;
}

/** A pod bound to node1. */
export function podOn(name: string, spec: Record<string, unknown>, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: 'node1', ...spec }, ...extra };
}

/** The `state` key of a container status (`running`, `waiting` …) and its reason. */
export function stateOf(pod: Pod, name: string): string {
  const s = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find((c) => c.name === name);
  if (!s) return 'none';
  if (s.state.running) return 'running';
  if (s.state.terminated) return `terminated:${s.state.terminated.reason}`;
  return `waiting:${s.state.waiting?.reason}`;
}
