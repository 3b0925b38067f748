import { FakeClock, silentLogger } from '../client/index.js';
import { SchedulerCache } from './cache/index.js';
import { CycleState, defaultProfile, FitError, Framework, Snapshot, type Node, type Pod, type Profile } from './framework/index.js';
import { inTreeRegistry } from './plugins/index.js';
import { Nominator } from './queue/index.js';
import { schedulePod } from './schedule-pod.js';

/** A node for tests: cpu, memory and pods capacity, labels, taints. */
export function makeNode(name: string, opts: { cpu?: string; memory?: string; pods?: number; labels?: Record<string, string>; taints?: NonNullable<Node['spec']>['taints']; unschedulable?: boolean; images?: Array<{ names: string[]; sizeBytes: number }> } = {}): Node {
  const allocatable = { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: String(opts.pods ?? 110) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: { taints: opts.taints, unschedulable: opts.unschedulable },
    status: { capacity: allocatable, allocatable, images: opts.images },
  };
}

/** A pending pod for tests; `spec` fields are merged over one container requesting `cpu`/`memory`. */
export function makePod(name: string, opts: { cpu?: string; memory?: string; spec?: Partial<Pod['spec']>; labels?: Record<string, string>; namespace?: string } = {}): Pod {
  const requests: Record<string, string> = {};
  if (opts.cpu) requests.cpu = opts.cpu;
  if (opts.memory) requests.memory = opts.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.namespace ?? 'default', uid: `uid-${name}`, labels: opts.labels },
    spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests } }], ...opts.spec },
  };
}

/** The outcome of placing one pod: the chosen node or the FailedScheduling message. */
export interface Placement {
  node?: string;
  message?: string;
}

/** Runs one scheduling cycle of the real plugins over the given nodes and already-placed pods. */
export function place(pod: Pod, nodes: Node[], existing: Pod[] = [], profile?: Profile): Placement {
  const registry = inTreeRegistry();
  const cache = new SchedulerCache({ clock: new FakeClock(), logger: silentLogger() });
  for (const n of nodes) cache.addNode(n);
  for (const p of existing) cache.addPod(p);
  const snapshot = new Snapshot();
  cache.updateSnapshot(snapshot);
  const fwk = new Framework(profile ?? defaultProfile(undefined, registry), registry, {
    logger: silentLogger(),
    clock: new FakeClock(),
    snapshot: () => snapshot,
    nominator: new Nominator(),
  });
  const gate = fwk.runPreEnqueuePlugins(pod);
  if (!gate.isSuccess()) return { message: gate.message() };
  try {
    const r = schedulePod(fwk, new CycleState(), pod, snapshot, { nextStartNodeIndex: 0, random: () => 0.99 });
    return { node: r.suggestedHost };
  } catch (err) {
    if (err instanceof FitError) return { message: err.message };
    throw err;
  }
}
