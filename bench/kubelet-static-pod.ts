/**
 * Static pods on the real stack: `skiff server` with its agent on the oci runtime, the busybox
 * test image already pulled. For `--pods 20` files written one after another into the manifest
 * folder: file written → its container running (its `state.json` says running, written once runc started it; target
 * p99 < 150 ms), and → its mirror pod seen by a watch (target < 300 ms after the container runs).
 * Each file is removed and its pod gone before the next.
 *
 * Usage: node dist/bench/kubelet-static-pod.js [--pods 20]
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../src/api/index.js';
import { Client, fromKubeconfigPath, Informer } from '../src/client/index.js';
import { startCluster, type RunningCluster } from '../test/e2e/lib/cluster.js';
import { cleanupNode, kubeletE2eSkip, podNetworkFor, startImageRegistry, waitFor, type ImageRegistry } from '../test/e2e/lib/kubelet-node.js';
import { BenchArgs } from './lib/args.js';
import { printHeader } from './lib/machine.js';
import { latencySummary, percentile, verdict } from './lib/stats.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
const nodeName = 'bench-static';

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** performance.now() when a running container of pod `<name>-<node>` first appears in the data dir. */
async function containerRunning(dataDir: string, podName: string, known: Set<string>): Promise<number> {
  for (;;) {
    for (const id of list(join(dataDir, 'containers'))) {
      if (known.has(id) || !/^[a-f0-9]{32}$/.test(id)) continue;
      try {
        const record = readFileSync(join(dataDir, 'containers', id, 'container.json'), 'utf8');
        const state = readFileSync(join(dataDir, 'containers', id, 'state.json'), 'utf8');
        if (record.includes(`"io.kubernetes.pod.name":"${podName}"`) && state.includes('"running"')) {
          known.add(id);
          return performance.now();
        }
      } catch {
        // not written yet
      }
    }
    await sleep(1);
  }
}

async function main(): Promise<void> {
  const args = new BenchArgs(process.argv.slice(2));
  const pods = args.number('pods', 20);
  printHeader('kubelet static pods on runc + CNI');
  const skip = kubeletE2eSkip();
  if (skip) {
    out(`skipped: ${skip}`);
    return;
  }
  const net = podNetworkFor(8);
  let registry: ImageRegistry | undefined;
  let cluster: RunningCluster | undefined;
  try {
    registry = await startImageRegistry();
    cluster = await startCluster({ agent: true, extraArgs: ['--cluster-cidr', net.clusterCidr, ...net.flags, '--node-name', nodeName, '--kubelet-port', '0', '--log-level', 'warn'] });
    const dataDir = cluster.dataDir;
    const client = new Client(fromKubeconfigPath(cluster.kubeconfig));
    const mirrors = new Map<string, number>();
    const informer = new Informer<KubeObject>(client.resource<KubeObject>('pods'), { namespace: 'default' });
    informer.addEventHandler({ onAdd: (p) => void (mirrors.has(p.metadata.name!) || mirrors.set(p.metadata.name!, performance.now())) });
    const stop = new AbortController();
    informer.start(stop.signal);
    await informer.waitForSync(stop.signal);
    const manifest = (name: string) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: registry!.image, command: ['sleep', '3600'] }] } });
    const known = new Set<string>();
    writeFileSync(join(dataDir, 'manifests', 'warm-up.json'), manifest('warm-up'));
    await containerRunning(dataDir, `warm-up-${nodeName}`, known);
    await waitFor('the warm-up mirror', async () => mirrors.has(`warm-up-${nodeName}`), 30_000, 5);
    rmSync(join(dataDir, 'manifests', 'warm-up.json'));
    const toRunning: number[] = [];
    const toMirror: number[] = [];
    const mirrorAfterRunning: number[] = [];
    for (let i = 0; i < pods; i++) {
      const name = `static-${i}`;
      const file = join(dataDir, 'manifests', `${name}.json`);
      await waitFor('the previous pod gone', async () => list(join(dataDir, 'sandboxes')).length === 0, 30_000, 5);
      const t0 = performance.now();
      writeFileSync(file, manifest(name));
      const running = await containerRunning(dataDir, `${name}-${nodeName}`, known);
      await waitFor(`mirror ${name}`, async () => mirrors.has(`${name}-${nodeName}`), 30_000, 1);
      toRunning.push(running - t0);
      toMirror.push(mirrors.get(`${name}-${nodeName}`)! - t0);
      mirrorAfterRunning.push(mirrors.get(`${name}-${nodeName}`)! - running);
      rmSync(file);
    }
    out(`\n## ${pods} static pod files written one after another (image present)`);
    out(`file written → container running: ${latencySummary(toRunning)}   target p99 < 150 ms ${verdict(percentile(toRunning, 99) < 150)}`);
    out(`file written → mirror pod seen by a watch: ${latencySummary(toMirror)}`);
    out(`container running → mirror pod seen (negative: the mirror came first): ${latencySummary(mirrorAfterRunning)}   target < 300 ms ${verdict(Math.max(...mirrorAfterRunning) < 300)}`);
    stop.abort();
  } finally {
    await cluster?.kill('SIGKILL');
    if (cluster) await cleanupNode(cluster.dataDir, net.bridge);
    await cluster?.stop();
    await registry?.stop();
  }
}

await main();
