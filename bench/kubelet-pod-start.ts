/**
 * Pod start-up on the real stack: `skiff server` with its agent on the oci runtime (runc, CNI,
 * overlayfs), the busybox test image in a loopback registry, pulled once before measuring.
 *
 * 1. `--pods 30` pods one after another: create (POST, and `kubectl apply` for `--kubectl 10` more)
 *    → phase Running seen by an informer's watch; p50/p99 (targets p50 < 150 ms, p99 < 300 ms).
 * 2. `--burst 100` pods created together (16 in flight): time until all Running (target < 10 s);
 *    RSS of the server process (API server + controllers + scheduler + kubelet) with them running
 *    (target < 200 MB), and the command helper and per-container conmon (or shim and runc) processes beside it.
 *
 * Usage: node dist/bench/kubelet-pod-start.js [--pods 30] [--kubectl 10] [--burst 100]
 * Needs root, runc, the CNI plugins, docker-registry, skopeo and umoci (scripts/setup.sh --system).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { KubeObject } from '../src/api/index.js';
import { Client, fromKubeconfigPath, Informer } from '../src/client/index.js';
import { startCluster, type RunningCluster } from '../test/e2e/lib/cluster.js';
import { kubectl } from '../test/e2e/lib/kubectl.js';
import { cleanupNode, kubeletE2eSkip, podNetworkFor, startImageRegistry, waitFor, type ImageRegistry } from '../test/e2e/lib/kubelet-node.js';
import { BenchArgs } from './lib/args.js';
import { runCount } from './lib/closed-loop.js';
import { printHeader } from './lib/machine.js';
import { processMemory } from './lib/skiff-server.js';
import { latencySummary, percentile, verdict } from './lib/stats.js';

interface Pod extends KubeObject {
  spec: { nodeName?: string } & Record<string, unknown>;
  status?: { phase?: string };
}

const out = (line: string) => process.stdout.write(`${line}\n`);

/** The pid of the `skiff server` whose command line names `dataDir`. */
function serverPid(dataDir: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = safeCmdline(entry);
    if (cmd.includes(' server ') && cmd.includes(dataDir)) return Number(entry);
  }
  throw new Error(`no skiff server process for ${dataDir}`);
}

function safeCmdline(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function readdirSafe(dir: string): Promise<string[]> {
  try {
    return Promise.resolve(readdirSync(dir));
  } catch {
    return Promise.resolve([]);
  }
}

/** Pids of the processes whose command line matches. */
function pidsMatching(match: (cmd: string) => boolean): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e) && match(safeCmdline(e))).map(Number);
}

function parentPid(pid: number): number {
  return Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

/** Count and summed VmRSS (KiB) of processes. */
function memoryOf(pids: number[]): { count: number; rssKiB: number } {
  return { count: pids.length, rssKiB: pids.reduce((sum, pid) => sum + processMemory(pid).rssKiB, 0) };
}

async function main(): Promise<void> {
  const args = new BenchArgs(process.argv.slice(2));
  const pods = args.number('pods', 30);
  const viaKubectl = args.number('kubectl', 10);
  const burst = args.number('burst', 100);
  printHeader('kubelet pod start-up on runc + CNI');
  const skip = kubeletE2eSkip();
  if (skip) {
    out(`skipped: ${skip}`);
    return;
  }
  const net = podNetworkFor(9);
  let registry: ImageRegistry | undefined;
  let cluster: RunningCluster | undefined;
  try {
    registry = await startImageRegistry();
    cluster = await startCluster({ agent: true, extraArgs: ['--cluster-cidr', net.clusterCidr, ...net.flags, '--node-name', 'bench', '--kubelet-port', '0', '--log-level', 'warn'] });
    const client = new Client(fromKubeconfigPath(cluster.kubeconfig));
    const resource = client.resource<Pod>('pods');
    const running = new Map<string, number>();
    const bound = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    const informer = new Informer<Pod>(resource, { namespace: 'default' });
    const seen = (p: Pod) => {
      if (p.spec.nodeName && !bound.has(p.metadata.name!)) bound.set(p.metadata.name!, performance.now());
      if (p.status?.phase !== 'Running' || running.has(p.metadata.name!)) return;
      running.set(p.metadata.name!, performance.now());
      waiters.get(p.metadata.name!)?.();
    };
    informer.addEventHandler({ onAdd: seen, onUpdate: (_o, p) => seen(p) });
    const stop = new AbortController();
    informer.start(stop.signal);
    await informer.waitForSync(stop.signal);
    const podOf = (name: string): Pod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: registry!.image, command: ['sleep', '3600'] }] },
    });
    const untilRunning = (name: string) =>
      new Promise<number>((resolve) => {
        if (running.has(name)) return resolve(running.get(name)!);
        waiters.set(name, () => resolve(running.get(name)!));
      });

    await resource.create('default', podOf('warm-up'));
    await untilRunning('warm-up');
    out(`node ready, image pulled; server pid ${serverPid(cluster.dataDir)}`);

    const create: number[] = [];
    const toBound: number[] = [];
    for (let i = 0; i < pods; i++) {
      const name = `seq-${i}`;
      const t0 = performance.now();
      await resource.create('default', podOf(name));
      create.push((await untilRunning(name)) - t0);
      toBound.push((bound.get(name) ?? Number.NaN) - t0);
    }
    const apply: number[] = [];
    for (let i = 0; i < viaKubectl; i++) {
      const name = `apply-${i}`;
      const t0 = performance.now();
      const r = await kubectl('1.33', ['apply', '-f', '-'], { kubeconfig: cluster.kubeconfig, input: JSON.stringify(podOf(name)) });
      if (r.code !== 0) throw new Error(r.stderr);
      apply.push((await untilRunning(name)) - t0);
    }
    out(`\n## one pod at a time (${pods} created by POST, ${viaKubectl} by kubectl 1.33 apply), to Running seen by a watch`);
    out(`POST → Running:  ${latencySummary(create)}   target p50 < 150 ms ${verdict(percentile(create, 50) < 150)}, p99 < 300 ms ${verdict(percentile(create, 99) < 300)}`);
    out(`  of which POST → bound (scheduler, seen by the watch): ${latencySummary(toBound)}; bound → Running (kubelet, runtime, status write): ${latencySummary(create.map((c, i) => c - toBound[i]!))}`);
    if (apply.length) out(`kubectl apply → Running (includes kubectl's own start, ~100 ms): ${latencySummary(apply)}`);

    const clear = await kubectl('1.33', ['delete', 'pods', '--all', '--grace-period=0', '--force'], { kubeconfig: cluster.kubeconfig, timeoutMs: 120_000 });
    if (clear.code !== 0) throw new Error(clear.stderr);
    await waitFor('the node empty', async () => (await client.resource<Pod>('pods').list('default')).items.length === 0 && (await readdirSafe(`${cluster!.dataDir}/sandboxes`)).length === 0, 120_000, 200);
    const t0 = performance.now();
    await runCount(burst, 16, async (i) => {
      await resource.create('default', podOf(`burst-${i}`));
    });
    const created = performance.now() - t0;
    await Promise.all(Array.from({ length: burst }, (_, i) => untilRunning(`burst-${i}`)));
    const all = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 5000));
    const server = processMemory(serverPid(cluster.dataDir));
    const dataDir = cluster.dataDir;
    const conmons = memoryOf(pidsMatching((cmd) => cmd.startsWith('/usr/bin/conmon ') || cmd.startsWith('conmon ') ? cmd.includes(dataDir) : false));
    const runcPids = pidsMatching((cmd) => cmd.startsWith('runc ') && cmd.includes(dataDir));
    const shims = memoryOf([...new Set(runcPids.map(parentPid))]);
    const runcs = memoryOf(runcPids);
    const helpers = memoryOf(pidsMatching((cmd) => cmd.includes('command-helper.js')).filter((pid) => parentPid(pid) === serverPid(dataDir)));
    out(`\n## ${burst} pods created together (16 in flight) on an emptied node`);
    out(`all created in ${created.toFixed(0)} ms, all Running after ${all.toFixed(0)} ms   target < 10 s ${verdict(all < 10_000)}`);
    out(`server process (API server, store, scheduler, controllers, kubelet) VmRSS ${(server.rssKiB / 1024).toFixed(0)} MB, peak ${(server.hwmKiB / 1024).toFixed(0)} MB   target < 200 MB ${verdict(server.rssKiB / 1024 < 200)}`);
    const mb = (kib: number) => (kib / 1024).toFixed(0);
    out(`beside it: the runtime's command helper ${mb(helpers.rssKiB)} MB; ${conmons.count} conmon processes, VmRSS ${mb(conmons.rssKiB)} MB summed; ${shims.count} Skiff shim processes (TTY/stdin containers, or no conmon), ${mb(shims.rssKiB)} MB summed, with ${runcs.count} foreground runc processes, ${mb(runcs.rssKiB)} MB`);
    stop.abort();
    await waitFor('pods deleted', async () => {
      const r = await kubectl('1.33', ['delete', 'pods', '--all', '--grace-period=0', '--force', '--wait=false'], { kubeconfig: cluster!.kubeconfig });
      return r.code === 0;
    });
  } finally {
    await cluster?.kill(process.env.SKIFF_SERVER_NODE_ARGS ? 'SIGTERM' : 'SIGKILL');
    if (cluster) await cleanupNode(cluster.dataDir, net.bridge);
    await cluster?.stop();
    await registry?.stop();
  }
}

await main();
