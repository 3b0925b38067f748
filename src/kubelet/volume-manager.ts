import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Mount } from '../runtime/index.js';
import { podFieldValue, resourceFieldValue, type ConfigLookup, type EnvContext } from './env.js';
import type { Container, DownwardAPIFile, KeyToPath, Pod, Volume } from './pod-types.js';

/** A volume could not be set up (event `FailedMount`; the pod stays ContainerCreating). */
export class VolumeError extends Error {
  readonly code = 'FailedMount';
}

/** Where a pod's volume lives on the host. */
export interface VolumeHostPath {
  hostPath: string;
  readOnly: boolean;
  medium?: 'Memory';
}

type Files = Map<string, { content: Buffer; mode: number }>;

/**
 * Makes each pod's volumes under `<root>/<uid>/volumes/<plugin>/<name>`: emptyDir folders,
 * hostPath as is, and configMap, secret, downwardAPI and projected volumes as files swapped in
 * atomically (a `..data` symlink to a timestamped folder, as upstream's AtomicWriter).
 * Service account token projections are skipped: there is no token controller yet.
 */
export class VolumeManager {
  constructor(
    private readonly root: string,
    private readonly lookup: ConfigLookup,
  ) {}

  /** Sets up (or refreshes) every volume of `pod`; answers the host path of each by name. */
  async setUp(pod: Pod, ctx: EnvContext): Promise<Map<string, VolumeHostPath>> {
    const uid = pod.metadata.uid!;
    const out = new Map<string, VolumeHostPath>();
    for (const v of pod.spec.volumes ?? []) {
      if (v.hostPath) {
        if (v.hostPath.type === 'DirectoryOrCreate') await mkdir(v.hostPath.path, { recursive: true });
        out.set(v.name, { hostPath: v.hostPath.path, readOnly: false });
        continue;
      }
      if (v.emptyDir) {
        const dir = join(this.root, uid, 'volumes', 'kubernetes.io~empty-dir', v.name);
        await mkdir(dir, { recursive: true, mode: 0o777 });
        out.set(v.name, { hostPath: dir, readOnly: false, ...(v.emptyDir.medium === 'Memory' ? { medium: 'Memory' as const } : {}) });
        continue;
      }
      const plugin = v.configMap ? 'configmap' : v.secret ? 'secret' : v.downwardAPI ? 'downward-api' : v.projected ? 'projected' : undefined;
      if (!plugin) continue;
      const dir = join(this.root, uid, 'volumes', `kubernetes.io~${plugin}`, v.name);
      await writeAtomically(dir, await this.files(pod, v, ctx));
      out.set(v.name, { hostPath: dir, readOnly: true });
    }
    return out;
  }

  /** Removes everything the pod's volumes left on the host (not hostPath contents). */
  async tearDown(uid: string): Promise<void> {
    await rm(join(this.root, uid), { recursive: true, force: true });
  }

  private async files(pod: Pod, v: Volume, ctx: EnvContext): Promise<Files> {
    const files: Files = new Map();
    const ns = pod.metadata.namespace ?? 'default';
    const add = async (kind: 'configmap' | 'secret', name: string, items: KeyToPath[] | undefined, optional: boolean | undefined, mode: number) => {
      const data = kind === 'configmap' ? await this.lookup.configMap(ns, name) : await this.lookup.secret(ns, name);
      if (!data) {
        if (optional) return;
        throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : ${kind} "${name}" not found`);
      }
      const chosen = items?.length ? items : Object.keys(data).map((key) => ({ key, path: key }) as KeyToPath);
      for (const item of chosen) {
        const value = data[item.key];
        if (value === undefined) {
          if (optional) continue;
          throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : configmap references non-existent config key: ${item.key}`);
        }
        files.set(item.path, { content: Buffer.from(value), mode: item.mode ?? mode });
      }
    };
    const downward = (items: DownwardAPIFile[] | undefined, mode: number) => {
      for (const item of items ?? []) {
        const value = item.fieldRef
          ? podFieldValue(pod, item.fieldRef.fieldPath, ctx)
          : item.resourceFieldRef
            ? resourceFieldValue(pod, item.resourceFieldRef.containerName ?? pod.spec.containers[0]!.name, item.resourceFieldRef, ctx)
            : '';
        files.set(item.path, { content: Buffer.from(value), mode: item.mode ?? mode });
      }
    };
    if (v.configMap) await add('configmap', v.configMap.name, v.configMap.items, v.configMap.optional, v.configMap.defaultMode ?? 0o644);
    if (v.secret) await add('secret', v.secret.secretName, v.secret.items, v.secret.optional, v.secret.defaultMode ?? 0o644);
    if (v.downwardAPI) downward(v.downwardAPI.items, v.downwardAPI.defaultMode ?? 0o644);
    for (const s of v.projected?.sources ?? []) {
      const mode = v.projected?.defaultMode ?? 0o644;
      if (s.configMap) await add('configmap', s.configMap.name, s.configMap.items, s.configMap.optional, mode);
      if (s.secret) await add('secret', s.secret.name, s.secret.items, s.secret.optional, mode);
      if (s.downwardAPI) downward(s.downwardAPI.items, mode);
    }
    return files;
  }
}

/** Mounts of one container: its volumeMounts resolved against the pod's volumes. */
export function containerMounts(container: Container, volumes: ReadonlyMap<string, VolumeHostPath>): Mount[] {
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const v = volumes.get(vm.name);
    if (!v) continue;
    mounts.push({
      containerPath: vm.mountPath,
      hostPath: vm.subPath ? join(v.hostPath, vm.subPath) : v.hostPath,
      readOnly: v.readOnly || vm.readOnly === true,
      ...(v.medium ? { medium: v.medium } : {}),
    });
  }
  return mounts;
}

async function sameContent(dir: string, files: Files): Promise<boolean> {
  try {
    for (const [path, f] of files) if (!(await readFile(join(dir, '..data', path))).equals(f.content)) return false;
    const top = (await readdir(dir)).filter((n) => !n.startsWith('..'));
    const wanted = new Set([...files.keys()].map((p) => p.split('/')[0]!));
    return top.length === wanted.size && top.every((n) => wanted.has(n));
  } catch {
    return false;
  }
}

async function writeAtomically(dir: string, files: Files): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (await sameContent(dir, files)) return;
  const stamp = `..${new Date().toISOString().replace(/[-:.]/g, '_')}_${process.hrtime.bigint()}`;
  const target = join(dir, stamp);
  for (const [path, f] of files) {
    await mkdir(dirname(join(target, path)), { recursive: true });
    await writeFile(join(target, path), f.content, { mode: f.mode });
  }
  await mkdir(target, { recursive: true });
  const old = await readdir(dir);
  await symlink(stamp, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  const wanted = new Set([...files.keys()].map((p) => p.split('/')[0]!));
  for (const name of wanted) {
    if (!old.includes(name)) await symlink(join('..data', name), join(dir, name));
  }
  for (const name of old) {
    if (name === '..data' || name === stamp) continue;
    if (name.startsWith('..') || !wanted.has(name)) await rm(join(dir, name), { recursive: true, force: true });
  }
}
