import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { DigestMismatchError } from './blob-store.js';
import { unpackLayer, type UnpackResult } from './layer-unpack.js';

/** What is kept beside an unpacked layer's files. */
export interface LayerInfo extends UnpackResult {
  diffId: string;
  /** `<layers>/<hex>/fs`: the layer's files, an overlayfs lower directory */
  dir: string;
}

async function sniff(path: string): Promise<'gzip' | 'zstd' | 'tar'> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && buffer.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'tar';
  } finally {
    await file.close();
  }
}

async function* decompressed(path: string): AsyncGenerator<Uint8Array> {
  const kind = await sniff(path);
  if (kind === 'tar') {
    yield* createReadStream(path);
    return;
  }
  if (kind === 'gzip') {
    yield* createReadStream(path).pipe(createGunzip());
    return;
  }
  const child = spawn('zstd', ['-dcq', '--', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new Error('this layer is zstd-compressed and needs the zstd program (apt-get install zstd)') : error));
    child.once('close', (code) => resolve(code ?? 1));
  });
  try {
    yield* child.stdout;
    const code = await exited;
    if (code !== 0) throw new Error(`zstd failed to decompress the layer: ${stderr.trim()}`);
  } finally {
    if (child.exitCode === null) child.kill();
    await exited.catch(() => undefined);
  }
}

/** Unpacked layers under `<root>/layers/<diffID hex>/`, shared by every image and container. */
export class LayerStore {
  readonly layersDir: string;
  private readonly inflight = new Map<string, Promise<LayerInfo>>();

  constructor(root: string, private readonly onWarning?: (message: string) => void) {
    this.layersDir = join(root, 'layers');
  }

  async init(): Promise<void> {
    await mkdir(this.layersDir, { recursive: true });
  }

  private hex(diffId: string): string {
    const [algo, hex] = diffId.split(':');
    if (algo !== 'sha256' || !/^[a-f0-9]{64}$/.test(hex ?? '')) throw new Error(`unsupported diff ID "${diffId}"`);
    return hex;
  }

  /** The layer's files directory (whether or not it is unpacked yet). */
  dir(diffId: string): string {
    return join(this.layersDir, this.hex(diffId), 'fs');
  }

  /** The unpacked layer, or undefined when it is not (completely) unpacked. */
  async get(diffId: string): Promise<LayerInfo | undefined> {
    try {
      const meta = JSON.parse(await readFile(join(this.layersDir, this.hex(diffId), 'layer.json'), 'utf8')) as UnpackResult;
      return { ...meta, diffId, dir: this.dir(diffId) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * Unpacks the (gzip, zstd or plain) layer blob at `blobPath` once; concurrent calls for the
   * same diff ID share the work, and another process unpacking it too is harmless (the first
   * rename wins). The uncompressed content must hash to `diffId`.
   */
  async ensure(diffId: string, blobPath: string): Promise<LayerInfo> {
    const existing = await this.get(diffId);
    if (existing) return existing;
    let job = this.inflight.get(diffId);
    if (!job) {
      job = this.unpack(diffId, blobPath).finally(() => this.inflight.delete(diffId));
      this.inflight.set(diffId, job);
    }
    return job;
  }

  private async unpack(diffId: string, blobPath: string): Promise<LayerInfo> {
    const tmp = join(this.layersDir, `.tmp-${randomBytes(8).toString('hex')}`);
    try {
      await mkdir(join(tmp, 'fs'), { recursive: true });
      const hash = createHash('sha256');
      async function* hashed(): AsyncGenerator<Uint8Array> {
        for await (const chunk of decompressed(blobPath)) {
          hash.update(chunk);
          yield chunk;
        }
      }
      const result = await unpackLayer(hashed(), join(tmp, 'fs'), { onWarning: this.onWarning });
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== diffId) throw new DigestMismatchError(diffId, actual, 'uncompressed layer (diff ID)');
      await writeFile(join(tmp, 'layer.json'), JSON.stringify(result));
      try {
        await rename(tmp, join(this.layersDir, this.hex(diffId)));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
        await rm(tmp, { recursive: true, force: true });
      }
      return (await this.get(diffId))!;
    } catch (error) {
      await rm(tmp, { recursive: true, force: true });
      throw error;
    }
  }

  /** Diff IDs of every unpacked layer. */
  async list(): Promise<string[]> {
    const names = await readdir(this.layersDir).catch(() => [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  async remove(diffId: string): Promise<void> {
    const dir = join(this.layersDir, this.hex(diffId));
    const doomed = join(this.layersDir, `.tmp-rm-${randomBytes(8).toString('hex')}`);
    try {
      await rename(dir, doomed);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    await rm(doomed, { recursive: true, force: true });
  }
}
