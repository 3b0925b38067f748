import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withFileLock } from './file-lock.js';

/** One name the store knows an image by. */
export interface IndexEntry {
  /** `name:tag` or `name@sha256:…` */
  ref: string;
  /** digest of the (platform) image manifest stored in blobs */
  manifest: string;
  /** digest of the image config: the image ID */
  config: string;
  /** `name@sha256:<digest the registry served>` when pulled from a registry */
  repoDigest?: string;
  /** when the entry was written, ms since the epoch */
  created: number;
}

interface IndexFile {
  version: 1;
  images: Record<string, IndexEntry>;
}

/**
 * References → manifests, in `<root>/index.json`. Every change is a read-modify-write under
 * `<root>/index.lock` and lands with an atomic rename, so a CLI and a running node can share it.
 */
export class ImageIndex {
  private readonly file: string;
  private readonly lockFile: string;

  constructor(private readonly root: string) {
    this.file = join(root, 'index.json');
    this.lockFile = join(root, 'index.lock');
  }

  /** The entries as stored now. */
  async read(): Promise<IndexEntry[]> {
    return Object.values((await this.load()).images);
  }

  /** Applies `change` to the entries under the lock and writes the result atomically. */
  async update<T>(change: (images: Map<string, IndexEntry>) => T | Promise<T>): Promise<T> {
    return this.locked(async () => {
      const current = await this.load();
      const images = new Map(Object.entries(current.images));
      const result = await change(images);
      const next: IndexFile = { version: 1, images: Object.fromEntries([...images].sort(([a], [b]) => a.localeCompare(b))) };
      const tmp = join(this.root, `.index-${randomBytes(6).toString('hex')}.json`);
      await writeFile(tmp, JSON.stringify(next, null, 2) + '\n');
      await rename(tmp, this.file);
      return result;
    });
  }

  /** Runs `fn` under the index lock (also used to keep garbage collection away from writers). */
  locked<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.lockFile, fn);
  }

  private async load(): Promise<IndexFile> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as IndexFile;
      return { version: 1, images: parsed.images ?? {} };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, images: {} };
      throw error;
    }
  }
}
