import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { RuntimeError, type ImageStatus, type PullAuth, type PullProgress } from '../../types.js';
import { importArchive, type ImportOptions } from './archive-import.js';
import { BlobStore } from './blob-store.js';
import { ImageIndex, type IndexEntry } from './image-index.js';
import { diffIdsOf, pullFromRegistry } from './image-puller.js';
import { LayerStore, type LayerInfo } from './layer-store.js';
import type { ImageConfig, ImageConfigBlob, ImageManifest } from './manifest.js';
import { ProgressTracker } from './pull-progress.js';
import { formatImageReference, parseImageReference } from './reference.js';
import { RegistryClient } from './registry-client.js';
import { RootfsManager, type RootfsMode } from './rootfs.js';
import { processAlive } from '../process-alive.js';

export interface ImageStoreOptions {
  /** the node's data dir; images live in `<dataDir>/images`, container filesystems in `<dataDir>/containers` */
  dataDir: string;
  logger?: Logger;
  /** registries (host[:port]) spoken to over plain HTTP besides loopback ones */
  insecureRegistries?: string[];
  /** `auto` (default): overlayfs as root, else a copy */
  rootfsMode?: RootfsMode | 'auto';
}

/** A root filesystem made for one container. */
export interface PreparedRootfs {
  /** absolute path to use as the OCI bundle's `root.path` */
  rootfs: string;
  /** the image config's `config` (Entrypoint, Cmd, Env, WorkingDir, User …) */
  config: ImageConfig;
  /** image ID (config digest) */
  imageId: string;
  mode: RootfsMode;
}

/** Everything the store knows about one image. */
export interface ResolvedImage {
  id: string;
  entries: IndexEntry[];
  manifest: ImageManifest;
  config: ImageConfigBlob;
}

const ID_PATTERN = /^(?:sha256:)?([a-f0-9]{12,64})$/;

/**
 * The node's image store: a content-addressed blob store, unpacked layers shared by all images
 * and containers, an index of names, registry pulls, archive imports, and per-container root
 * filesystems (overlayfs over the shared layers).
 */
export class ImageStore {
  readonly root: string;
  private readonly blobs: BlobStore;
  private readonly layers: LayerStore;
  private readonly index: ImageIndex;
  private readonly rootfsManager: RootfsManager;
  private readonly client: RegistryClient;
  private readonly logger: Logger;
  private readonly pulls = new Map<string, { progress: ProgressTracker; done: Promise<ImageStatus> }>();
  private readonly blobFetches = new Map<string, Promise<unknown>>();

  private constructor(options: ImageStoreOptions) {
    this.root = join(options.dataDir, 'images');
    this.logger = options.logger ?? pino({ level: 'silent' });
    const warn = (message: string) => this.logger.warn(message);
    this.blobs = new BlobStore(this.root);
    this.layers = new LayerStore(this.root, warn);
    this.index = new ImageIndex(this.root);
    this.rootfsManager = new RootfsManager(join(options.dataDir, 'containers'), this.layers.layersDir, options.rootfsMode ?? 'auto', warn);
    this.client = new RegistryClient({ insecureRegistries: options.insecureRegistries });
  }

  /** Opens (creating the folders of) the store under `options.dataDir`. */
  static async open(options: ImageStoreOptions): Promise<ImageStore> {
    const store = new ImageStore(options);
    await store.blobs.init();
    await store.layers.init();
    return store;
  }

  /**
   * Pulls `image` (any reference a pod may name) with its layers unpacked. Concurrent pulls of
   * one reference share one download; each caller gets the progress callbacks. Failures are
   * `RuntimeError` with code `ErrImagePull`.
   */
  async pull(image: string, options: { auth?: PullAuth; onProgress?: (p: PullProgress) => void; signal?: AbortSignal } = {}): Promise<ImageStatus> {
    let ref;
    try {
      ref = parseImageReference(image);
    } catch (error) {
      throw new RuntimeError('ErrImagePull', (error as Error).message);
    }
    const key = formatImageReference(ref);
    let pull = this.pulls.get(key);
    if (!pull) {
      const progress = new ProgressTracker();
      const ctx = { client: this.client, blobs: this.blobs, layers: this.layers, fetchOnce: (digest: string, fetcher: () => Promise<unknown>) => this.fetchOnce(digest, fetcher) };
      const done = this.withLease(async () => {
        const entry = await pullFromRegistry(ctx, ref, options.auth, progress, options.signal);
        await this.index.update((images) => void images.set(entry.ref, entry));
        this.logger.info({ image: key, id: entry.config }, 'image pulled');
        return (await this.status(entry.ref))!;
      })
        .catch((error: unknown) => {
          if (error instanceof RuntimeError) throw error;
          const runtimeError = new RuntimeError('ErrImagePull', `failed to pull ${image}: ${(error as Error).message}`);
          runtimeError.cause = error;
          throw runtimeError;
        })
        .finally(() => this.pulls.delete(key));
      pull = { progress, done };
      this.pulls.set(key, pull);
    }
    pull.progress.subscribe(options.onProgress);
    return pull.done;
  }

  /**
   * Marks work that writes content before the index names it (`<root>/leases/<pid>-<n>`), so a
   * garbage collection in any process spares content written since the oldest live lease began.
   */
  private async withLease<T>(fn: () => Promise<T>): Promise<T> {
    const dir = join(this.root, 'leases');
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(file, '');
    try {
      return await fn();
    } finally {
      await rm(file, { force: true });
    }
  }

  private async oldestLease(): Promise<number | undefined> {
    const dir = join(this.root, 'leases');
    let oldest: number | undefined;
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const pid = Number(name.split('-')[0]);
      if (!processAlive(pid)) {
        await rm(join(dir, name), { force: true });
        continue;
      }
      const started = (await stat(join(dir, name)).catch(() => undefined))?.mtimeMs;
      if (started !== undefined && (oldest === undefined || started < oldest)) oldest = started;
    }
    return oldest;
  }

  private fetchOnce(digest: string, fetcher: () => Promise<unknown>): Promise<unknown> {
    let job = this.blobFetches.get(digest);
    if (!job) {
      job = fetcher().finally(() => this.blobFetches.delete(digest));
      this.blobFetches.set(digest, job);
    }
    return job;
  }

  /** Imports a `docker save` or OCI archive; resolves with the images it held. */
  async importArchive(file: string, options: ImportOptions & { onProgress?: (p: PullProgress) => void } = {}): Promise<ImageStatus[]> {
    const progress = new ProgressTracker();
    progress.subscribe(options.onProgress);
    const entries = await this.withLease(async () => {
      const found = await importArchive(file, this.blobs, this.layers, progress, { ...options, onWarning: options.onWarning ?? ((m) => this.logger.warn(m)) });
      await this.index.update((images) => {
        for (const entry of found) images.set(entry.ref, entry);
      });
      return found;
    });
    const ids = [...new Set(entries.map((e) => e.config))];
    return (await this.list()).filter((s) => ids.includes(s.id));
  }

  private async matchEntries(image: string): Promise<IndexEntry[]> {
    const entries = await this.index.read();
    try {
      const ref = parseImageReference(image);
      const key = formatImageReference(ref);
      const pinned = ref.digest && `${ref.name}@${ref.digest}`;
      const found = entries.filter((e) => e.ref === key || (pinned && (e.repoDigest === pinned || `${repositoryOf(e.ref)}@${e.manifest}` === pinned)));
      if (found.length) return found;
    } catch {
      /* not a reference: maybe an image ID */
    }
    const id = ID_PATTERN.exec(image)?.[1];
    if (!id) return [];
    const ids = new Set(entries.filter((e) => e.config.slice(7).startsWith(id)).map((e) => e.config));
    return ids.size === 1 ? entries.filter((e) => ids.has(e.config)) : [];
  }

  /** The image `image` names (a reference or an image ID, full or a prefix of 12+ hex digits). */
  async resolve(image: string): Promise<ResolvedImage | undefined> {
    const matched = await this.matchEntries(image);
    if (!matched.length) return undefined;
    const id = matched[0].config;
    const all = (await this.index.read()).filter((e) => e.config === id);
    const manifest = JSON.parse((await this.blobs.read(matched[0].manifest)).toString('utf8')) as ImageManifest;
    const config = JSON.parse((await this.blobs.read(id)).toString('utf8')) as ImageConfigBlob;
    return { id, entries: all, manifest, config };
  }

  private toStatus(id: string, entries: IndexEntry[], manifest: ImageManifest): ImageStatus {
    const repoTags = entries.filter((e) => !e.ref.includes('@') && !e.ref.startsWith('sha256:')).map((e) => e.ref);
    const repoDigests = [...new Set(entries.flatMap((e) => (e.repoDigest ? [e.repoDigest] : e.ref.includes('@') ? [e.ref.replace(/:[^/@]*@/, '@')] : [])))];
    const size = manifest.config.size + manifest.layers.reduce((sum, l) => sum + l.size, 0);
    return { id, repoTags: repoTags.sort(), repoDigests: repoDigests.sort(), size };
  }

  /** Status of one image, undefined when the store lacks it. */
  async status(image: string): Promise<ImageStatus | undefined> {
    const resolved = await this.resolve(image);
    return resolved && this.toStatus(resolved.id, resolved.entries, resolved.manifest);
  }

  /** Every image, one entry per image ID. */
  async list(): Promise<ImageStatus[]> {
    const byId = new Map<string, IndexEntry[]>();
    for (const entry of await this.index.read()) byId.set(entry.config, [...(byId.get(entry.config) ?? []), entry]);
    const out: ImageStatus[] = [];
    for (const [id, entries] of byId) {
      try {
        const manifest = JSON.parse((await this.blobs.read(entries[0].manifest)).toString('utf8')) as ImageManifest;
        out.push(this.toStatus(id, entries, manifest));
      } catch (error) {
        this.logger.warn({ id, err: error }, 'image manifest unreadable; skipped');
      }
    }
    return out.sort((a, b) => (a.repoTags[0] ?? a.id).localeCompare(b.repoTags[0] ?? b.id));
  }

  /**
   * Removes every name of the image `image` names (as CRI RemoveImage does), then collects
   * blobs and layers nothing references. Throws `RuntimeError` `ImageNotFound` when unknown.
   */
  async remove(image: string): Promise<void> {
    const matched = await this.matchEntries(image);
    if (!matched.length) throw new RuntimeError('ImageNotFound', `image "${image}" not found`);
    const id = matched[0].config;
    await this.index.update((images) => {
      for (const [ref, entry] of images) if (entry.config === id) images.delete(ref);
    });
    await this.gc();
  }

  /**
   * Deletes blobs and unpacked layers that no image and no container rootfs references, sparing
   * content a pull or import still in progress (in any process) may have written.
   */
  async gc(): Promise<{ blobs: number; layers: number }> {
    return this.index.locked(async () => {
      const since = await this.oldestLease();
      const keepBlobs = new Set<string>();
      const keepLayers = await this.rootfsManager.layersInUse();
      for (const entry of await this.index.read()) {
        keepBlobs.add(entry.manifest).add(entry.config);
        if (entry.repoDigest) keepBlobs.add(entry.repoDigest.slice(entry.repoDigest.lastIndexOf('@') + 1));
        try {
          const manifest = JSON.parse((await this.blobs.read(entry.manifest)).toString('utf8')) as ImageManifest;
          for (const layer of manifest.layers) keepBlobs.add(layer.digest);
          const config = JSON.parse((await this.blobs.read(entry.config)).toString('utf8')) as ImageConfigBlob;
          for (const diffId of diffIdsOf(config, manifest)) keepLayers.add(diffId);
        } catch (error) {
          this.logger.warn({ ref: entry.ref, err: error }, 'cannot read image while collecting garbage');
        }
      }
      const young = async (path: string) => since !== undefined && (await stat(path).catch(() => ({ mtimeMs: 0 }))).mtimeMs >= since - 1000;
      let blobs = 0;
      let layers = 0;
      for (const hex of await readdir(this.blobs.blobsDir)) {
        const digest = `sha256:${hex}`;
        if (keepBlobs.has(digest) || (await young(this.blobs.path(digest)))) continue;
        await this.blobs.remove(digest);
        blobs++;
      }
      for (const diffId of await this.layers.list()) {
        if (keepLayers.has(diffId) || (await young(join(this.layers.layersDir, diffId.slice(7), 'layer.json')))) continue;
        await this.layers.remove(diffId);
        layers++;
      }
      return { blobs, layers };
    });
  }

  /**
   * Makes the root filesystem of container `containerId` from image `image`: overlayfs with the
   * image's shared layers read-only and a per-container upper directory under
   * `<dataDir>/containers/<containerId>/` (a copy when overlayfs is unavailable). Calling it
   * again for the same container returns the existing rootfs.
   */
  async prepareRootfs(image: string, containerId: string): Promise<PreparedRootfs> {
    const resolved = await this.resolve(image);
    if (!resolved) throw new RuntimeError('ImageNotFound', `image "${image}" not found`);
    const diffIds = diffIdsOf(resolved.config, resolved.manifest);
    const layers: LayerInfo[] = [];
    for (const [i, diffId] of diffIds.entries()) layers.push(await this.layers.ensure(diffId, this.blobs.path(resolved.manifest.layers[i].digest)));
    try {
      const { rootfs, mode } = await this.rootfsManager.prepare(containerId, resolved.id, layers);
      return { rootfs, mode, imageId: resolved.id, config: resolved.config.config ?? {} };
    } catch (error) {
      const runtimeError = new RuntimeError('CreateContainerError', `cannot prepare the root filesystem of ${containerId}: ${(error as Error).message}`);
      runtimeError.cause = error;
      throw runtimeError;
    }
  }

  /** Unmounts and removes the root filesystem of `containerId` (nothing to do is fine). */
  async releaseRootfs(containerId: string): Promise<void> {
    await this.rootfsManager.release(containerId);
  }

  /** Paths `prepareRootfs` uses for a container, for callers that keep more files there. */
  containerPaths(containerId: string): { dir: string; rootfs: string } {
    const p = this.rootfsManager.paths(containerId);
    return { dir: p.dir, rootfs: p.rootfs };
  }
}

/** `name` of an index entry's `name:tag` or `name@digest` ref. */
function repositoryOf(ref: string): string {
  const at = ref.indexOf('@');
  const bare = at >= 0 ? ref.slice(0, at) : ref;
  const colon = bare.lastIndexOf(':');
  return colon > bare.lastIndexOf('/') ? bare.slice(0, colon) : bare;
}
