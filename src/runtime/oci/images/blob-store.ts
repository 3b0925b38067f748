import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Content whose sha256 is not the digest it was fetched or named by; the file is discarded. */
export class DigestMismatchError extends Error {
  readonly code = 'DigestMismatch';
  constructor(readonly expected: string, readonly actual: string, readonly what: string) {
    super(`digest mismatch for ${what}: expected ${expected}, got ${actual}`);
    this.name = 'DigestMismatchError';
  }
}

/** Content-addressed blobs under `<root>/blobs/sha256/<hex>`, written through a temp file and a rename. */
export class BlobStore {
  readonly blobsDir: string;
  readonly tmpDir: string;

  constructor(readonly root: string) {
    this.blobsDir = join(root, 'blobs', 'sha256');
    this.tmpDir = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
  }

  /** Path of a blob by digest (`sha256:<hex>`). */
  path(digest: string): string {
    const [algo, hex] = digest.split(':');
    if (algo !== 'sha256' || !/^[a-f0-9]{64}$/.test(hex ?? '')) throw new Error(`unsupported digest "${digest}"`);
    return join(this.blobsDir, hex);
  }

  /** Size of a stored blob, or undefined when absent. */
  async size(digest: string): Promise<number | undefined> {
    try {
      return (await stat(this.path(digest))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async read(digest: string): Promise<Buffer> {
    return readFile(this.path(digest));
  }

  /**
   * Streams `source` to disk, hashing as it goes. With `expected`, a different sha256 throws
   * `DigestMismatchError` and nothing is kept. Resolves with the digest and size written.
   */
  async ingest(source: AsyncIterable<Uint8Array>, options: { expected?: string; what?: string; onBytes?: (n: number) => void } = {}): Promise<{ digest: string; size: number }> {
    const tmp = join(this.tmpDir, `blob-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const file = await open(tmp, 'w', 0o644);
    try {
      try {
        for await (const chunk of source) {
          hash.update(chunk);
          size += chunk.length;
          await file.write(chunk);
          options.onBytes?.(chunk.length);
        }
      } finally {
        await file.close();
      }
      const digest = `sha256:${hash.digest('hex')}`;
      if (options.expected && options.expected !== digest) throw new DigestMismatchError(options.expected, digest, options.what ?? 'blob');
      await rename(tmp, this.path(digest));
      return { digest, size };
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  /** Stores a small blob held in memory. */
  async put(data: Uint8Array, expected?: string): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    if (expected && expected !== digest) throw new DigestMismatchError(expected, digest, 'blob');
    if ((await this.size(digest)) === data.length) return digest;
    const tmp = join(this.tmpDir, `blob-${randomBytes(8).toString('hex')}`);
    await writeFile(tmp, data, { mode: 0o644 });
    await rename(tmp, this.path(digest));
    return digest;
  }

  async remove(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }
}

/** `sha256:<hex>` of a buffer. */
export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
