import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { LayerInfo } from './layer-store.js';

import { runCommand as run } from '../commands.js';

/** overlayfs takes its options in one page */
const MAX_MOUNT_OPTIONS = 4000;

/** How a container's root filesystem was made. */
export type RootfsMode = 'overlay' | 'copy';

/** What `<data-dir>/containers/<id>/rootfs.json` records. */
export interface RootfsRecord {
  imageId: string;
  /** diff IDs, bottom layer first */
  layers: string[];
  mode: RootfsMode;
}

/** True when `path` is a mount point (per /proc/self/mountinfo). */
export async function isMountPoint(path: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  return info.split('\n').some((line) => line.split(' ')[4]?.replace(/\\040/g, ' ') === path);
}

/**
 * Container root filesystems under `<containersDir>/<id>/`: `rootfs` (the mount point),
 * `rootfs-upper` and `rootfs-work` (overlayfs), `rootfs.json`. Overlay mounts the image's layers
 * read-only below a per-container upper directory; `copy` (no root, or overlayfs refused)
 * copies the layers into `rootfs`, applying whiteouts.
 */
export class RootfsManager {
  constructor(
    private readonly containersDir: string,
    private readonly layersDir: string,
    private readonly preferred: RootfsMode | 'auto',
    private readonly onWarning: (message: string) => void,
  ) {}

  paths(containerId: string): { dir: string; rootfs: string; upper: string; work: string; record: string } {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(containerId)) throw new Error(`invalid container id "${containerId}"`);
    const dir = join(this.containersDir, containerId);
    return { dir, rootfs: join(dir, 'rootfs'), upper: join(dir, 'rootfs-upper'), work: join(dir, 'rootfs-work'), record: join(dir, 'rootfs.json') };
  }

  /** The record of a prepared rootfs, if any. */
  async record(containerId: string): Promise<RootfsRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.paths(containerId).record, 'utf8')) as RootfsRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Diff IDs used by any prepared rootfs (garbage collection keeps them). */
  async layersInUse(): Promise<Set<string>> {
    const used = new Set<string>();
    const ids = await readdir(this.containersDir).catch(() => [] as string[]);
    for (const id of ids) {
      const rec = await this.record(id).catch(() => undefined);
      for (const layer of rec?.layers ?? []) used.add(layer);
    }
    return used;
  }

  /** Image IDs used by any prepared rootfs. */
  async imagesInUse(): Promise<Set<string>> {
    const used = new Set<string>();
    for (const id of await readdir(this.containersDir).catch(() => [] as string[])) {
      const rec = await this.record(id).catch(() => undefined);
      if (rec) used.add(rec.imageId);
    }
    return used;
  }

  /** Makes (or finds, after a restart) the root filesystem of `containerId`. */
  async prepare(containerId: string, imageId: string, layers: LayerInfo[]): Promise<{ rootfs: string; mode: RootfsMode }> {
    const p = this.paths(containerId);
    const existing = await this.record(containerId);
    if (existing && (existing.mode === 'copy' || (await isMountPoint(p.rootfs)))) return { rootfs: p.rootfs, mode: existing.mode };
    await mkdir(p.rootfs, { recursive: true });
    let mode: RootfsMode = this.preferred === 'auto' ? (process.getuid?.() === 0 && layers.length > 0 ? 'overlay' : 'copy') : this.preferred;
    if (mode === 'overlay') {
      try {
        await this.mountOverlay(p, layers);
      } catch (error) {
        this.onWarning(`overlayfs mount failed for container ${containerId}, copying the image instead: ${(error as Error).message}`);
        mode = 'copy';
      }
    }
    if (mode === 'copy') await this.copyLayers(p.rootfs, layers);
    await writeFile(p.record, JSON.stringify({ imageId, layers: layers.map((l) => l.diffId), mode } satisfies RootfsRecord));
    return { rootfs: p.rootfs, mode };
  }

  private async mountOverlay(p: { rootfs: string; upper: string; work: string }, layers: LayerInfo[]): Promise<void> {
    await mkdir(p.upper, { recursive: true });
    await rm(p.work, { recursive: true, force: true });
    await mkdir(p.work, { recursive: true });
    const lower = [...layers].reverse().map((l) => relative(this.layersDir, l.dir)).join(':');
    const options = `lowerdir=${lower},upperdir=${p.upper},workdir=${p.work}`;
    if (options.length > MAX_MOUNT_OPTIONS) throw new Error(`too many layers (${layers.length}) for one overlayfs mount`);
    try {
      await run('mount', ['-t', 'overlay', 'overlay', '-o', options, p.rootfs], { cwd: this.layersDir });
    } catch (error) {
      throw new Error(((error as { stderr?: string }).stderr || (error as Error).message).trim());
    }
  }

  private async copyLayers(rootfs: string, layers: LayerInfo[]): Promise<void> {
    for (const layer of layers) {
      for (const dir of layer.opaqueDirs) {
        const target = join(rootfs, dir);
        for (const name of await readdir(target).catch(() => [] as string[])) await rm(join(target, name), { recursive: true, force: true });
      }
      for (const path of layer.whiteouts) await rm(join(rootfs, path), { recursive: true, force: true });
      await run('cp', ['-a', '--reflink=auto', `${layer.dir}/.`, `${rootfs}/`]);
      if (layer.overlayWhiteouts) for (const path of layer.whiteouts) await rm(join(rootfs, path), { recursive: true, force: true });
    }
  }

  /** Unmounts and removes what `prepare` made; a container that has none is fine. */
  async release(containerId: string): Promise<void> {
    const p = this.paths(containerId);
    if (await isMountPoint(p.rootfs)) {
      try {
        await run('umount', [p.rootfs]);
      } catch {
        await run('umount', ['-l', p.rootfs]);
      }
    }
    for (const path of [p.rootfs, p.upper, p.work, p.record]) await rm(path, { recursive: true, force: true });
    await rmdir(p.dir).catch(() => undefined);
  }
}
