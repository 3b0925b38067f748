import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { masqueradePresent, OciRuntime, removeMasquerade } from '../../../src/runtime/index.js';
import { startRegistry, type RunningRegistry } from './registry.js';
import { buildTestImage, pushTestImage, type TestImage } from './test-image.js';

const run = promisify(execFile);

/**
 * Why the kubelet e2e tests on runc cannot run here (not root, or runc, the CNI plugins,
 * docker-registry, skopeo or umoci missing: `scripts/setup.sh --system` installs them), or false.
 */
export function kubeletE2eSkip(): string | false {
  if (process.getuid?.() !== 0) return 'needs root';
  for (const tool of ['runc', 'skopeo', 'umoci']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      return `needs ${tool} (scripts/setup.sh --system)`;
    }
  }
  if (!existsSync('/usr/lib/cni/bridge') && !existsSync('/opt/cni/bin/bridge')) return 'needs the CNI plugins (containernetworking-plugins)';
  if (!existsSync(process.env.REGISTRY_BINARY ?? '/usr/bin/docker-registry')) return 'needs docker-registry';
  return false;
}

/** A throwaway registry on loopback serving the busybox test image. */
export interface ImageRegistry {
  registry: RunningRegistry;
  /** `127.0.0.1:<port>/test/busybox:1` */
  image: string;
  stop(): Promise<void>;
}

/** Starts a registry and pushes the busybox test image to it. */
export async function startImageRegistry(): Promise<ImageRegistry> {
  const registry = await startRegistry();
  let built: TestImage | undefined;
  try {
    built = await buildTestImage();
    await pushTestImage(built, registry.host, 'test/busybox:1');
  } catch (error) {
    await registry.stop();
    throw error;
  } finally {
    await built?.remove();
  }
  return { registry, image: `${registry.host}/test/busybox:1`, stop: () => registry.stop() };
}

/** Pod network settings unique to one test file, so files running at once do not share a bridge or subnet. */
export function podNetworkFor(fileIndex: number): { bridge: string; clusterCidr: string; flags: string[] } {
  const suffix = Math.random().toString(16).slice(2, 6);
  const bridge = `skk${fileIndex}${suffix}`;
  const clusterCidr = `10.${180 + fileIndex}.0.0/16`;
  return { bridge, clusterCidr, flags: ['--cni-bridge', bridge] };
}

/** What of a node's pods is still on the machine: network namespaces, cgroups, mounts, its bridge and masquerade table. */
export interface NodeLeftovers {
  netns: string[];
  cgroups: string[];
  mounts: string[];
  bridge: boolean;
  nftTable: boolean;
}

async function podUidsOf(dataDir: string): Promise<string[]> {
  const uids = new Set<string>();
  for (const kind of ['sandboxes', 'containers']) {
    for (const id of await readdir(join(dataDir, kind)).catch(() => [] as string[])) {
      const file = join(dataDir, kind, id, kind === 'sandboxes' ? 'sandbox.json' : 'container.json');
      const text = await readFile(file, 'utf8').catch(() => '');
      const uid = /"io\.kubernetes\.pod\.uid":"([^"]+)"/.exec(text)?.[1];
      if (uid) uids.add(uid);
    }
  }
  return [...uids];
}

/** Lists what the node's pods left behind; `uids` are the pod UIDs it ran. */
export async function nodeLeftovers(dataDir: string, bridge: string, uids: string[], sandboxIds: string[]): Promise<NodeLeftovers> {
  const netnsList = (await run('ip', ['netns', 'list']).catch(() => ({ stdout: '' }))).stdout;
  const netns = sandboxIds.map((id) => `skiff-${id.slice(0, 24)}`).filter((n) => netnsList.includes(n));
  const cgroups: string[] = [];
  for (const h of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
    for (const uid of uids) if (existsSync(join('/sys/fs/cgroup', h, 'skiff', `pod${uid}`))) cgroups.push(`${h}/skiff/pod${uid}`);
  }
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '').filter((p) => p.startsWith(dataDir) || netns.some((n) => p.endsWith(`/${n}`)));
  const bridgeThere = await run('ip', ['link', 'show', bridge]).then(() => true, () => false);
  return { netns, cgroups, mounts, bridge: bridgeThere, nftTable: await masqueradePresent(bridge) };
}

/**
 * Removes everything the node's containers hold (runc containers, shims, network namespaces,
 * cgroups, overlay and tmpfs mounts) through the oci runtime on its data dir, then its bridge and
 * its masquerade table.
 * Call it after the kubelet process was killed. Answers what could not be removed.
 */
export async function cleanupNode(dataDir: string, bridge: string): Promise<NodeLeftovers> {
  const uids = await podUidsOf(dataDir);
  const sandboxIds = await readdir(join(dataDir, 'sandboxes')).catch(() => [] as string[]);
  const runtime = new OciRuntime({ dataDir, bridge });
  await runtime.close({ killAll: true }).catch(() => undefined);
  for (const id of await readdir(join(dataDir, 'containers')).catch(() => [] as string[])) {
    if (/^[a-f0-9]{32}$/.test(id)) await runtime.removeContainer(id).catch(() => undefined);
  }
  for (const path of (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '').filter((p) => p.startsWith(dataDir)).reverse()) {
    await run('umount', ['-l', path]).catch(() => undefined);
  }
  await run('ip', ['link', 'delete', bridge]).catch(() => undefined);
  await removeMasquerade(bridge);
  for (let i = 0; i < 20; i++) {
    const left = await nodeLeftovers(dataDir, bridge, uids, sandboxIds);
    if (!left.netns.length && !left.cgroups.length && !left.mounts.length && !left.bridge && !left.nftTable) return left;
    await sleep(100);
  }
  return nodeLeftovers(dataDir, bridge, uids, sandboxIds);
}

/** Polls `fn` until it answers something truthy; throws with `what` (and the last value) after `ms`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false | null>, ms = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
