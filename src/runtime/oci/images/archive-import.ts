import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { BlobStore } from './blob-store.js';
import type { IndexEntry } from './image-index.js';
import type { LayerStore } from './layer-store.js';
import { checkManifest, manifestKind, mediaTypes, selectPlatform, ManifestError, type ImageConfigBlob, type ImageIndex, type ImageManifest } from './manifest.js';
import { diffIdsOf } from './image-puller.js';
import type { ProgressTracker } from './pull-progress.js';
import { formatImageReference, parseImageReference } from './reference.js';
import { readTar } from './tar-reader.js';

const IN_MEMORY_LIMIT = 4 << 20;

interface ArchiveFiles {
  memory: Map<string, Buffer>;
  stored: Map<string, { digest: string; size: number }>;
  links: Map<string, string>;
}

/** Options of an archive import. */
export interface ImportOptions {
  /** repository for OCI archives whose `org.opencontainers.image.ref.name` is only a tag */
  baseName?: string;
  onWarning?: (message: string) => void;
}

async function* archiveStream(file: string, progress: ProgressTracker): AsyncGenerator<Uint8Array> {
  const head = await open(file, 'r');
  const { buffer } = await head.read(Buffer.alloc(2), 0, 2, 0);
  await head.close();
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of createReadStream(file)) {
      progress.advance((chunk as Buffer).length);
      yield chunk as Buffer;
    }
  }
  yield* buffer[0] === 0x1f && buffer[1] === 0x8b ? Readable.from(counted()).pipe(createGunzip()) : counted();
}

async function readArchive(file: string, blobs: BlobStore, progress: ProgressTracker): Promise<ArchiveFiles> {
  const files: ArchiveFiles = { memory: new Map(), stored: new Map(), links: new Map() };
  for await (const entry of readTar(archiveStream(file, progress))) {
    const path = posix.normalize(entry.header.path).replace(/^(\.\/|\/)+/, '');
    if (entry.header.type === 'symlink' || entry.header.type === 'link') {
      const target = entry.header.type === 'symlink' ? posix.join(posix.dirname(path), entry.header.linkPath) : posix.normalize(entry.header.linkPath);
      files.links.set(path, target.replace(/^(\.\/|\/)+/, ''));
      continue;
    }
    if (entry.header.type !== 'file') continue;
    const named = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(path);
    if (named || entry.header.size > IN_MEMORY_LIMIT) {
      files.stored.set(path, await blobs.ingest(entry.body(), { expected: named ? `sha256:${named[1]}` : undefined, what: `${path} in ${file}` }));
    } else {
      const parts: Buffer[] = [];
      for await (const chunk of entry.body()) parts.push(chunk);
      files.memory.set(path, Buffer.concat(parts));
    }
  }
  return files;
}

function resolvePath(files: ArchiveFiles, path: string): string {
  let current = posix.normalize(path).replace(/^(\.\/|\/)+/, '');
  for (let hops = 0; files.links.has(current) && hops < 16; hops++) current = files.links.get(current)!;
  return current;
}

/** Puts an archive member into the blob store (if it is not there yet) and returns its digest. */
async function memberBlob(files: ArchiveFiles, blobs: BlobStore, path: string): Promise<{ digest: string; size: number }> {
  const real = resolvePath(files, path);
  const stored = files.stored.get(real);
  if (stored) return stored;
  const data = files.memory.get(real);
  if (!data) throw new ManifestError(`archive lacks ${path}`);
  const digest = await blobs.put(data);
  files.stored.set(real, { digest, size: data.length });
  return { digest, size: data.length };
}

async function layerMediaType(blobs: BlobStore, digest: string): Promise<string> {
  const file = await open(blobs.path(digest), 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) return mediaTypes.ociLayerGzip;
    if (bytesRead === 4 && buffer.readUInt32LE(0) === 0xfd2fb528) return mediaTypes.ociLayerZstd;
    return mediaTypes.ociLayer;
  } finally {
    await file.close();
  }
}

async function unpackImage(blobs: BlobStore, layers: LayerStore, manifest: ImageManifest): Promise<void> {
  const config = JSON.parse((await blobs.read(manifest.config.digest)).toString('utf8')) as ImageConfigBlob;
  const diffIds = diffIdsOf(config, manifest);
  for (const [i, layer] of manifest.layers.entries()) {
    if ((await blobs.size(layer.digest)) === undefined) throw new ManifestError(`archive lacks layer ${layer.digest}`);
    await layers.ensure(diffIds[i], blobs.path(layer.digest));
  }
}

async function importDockerSave(files: ArchiveFiles, blobs: BlobStore, layers: LayerStore): Promise<IndexEntry[]> {
  const items = JSON.parse(files.memory.get('manifest.json')!.toString('utf8')) as { Config: string; RepoTags?: string[] | null; Layers: string[] }[];
  const entries: IndexEntry[] = [];
  for (const item of items) {
    const config = await memberBlob(files, blobs, item.Config);
    const layerDescs = [];
    for (const path of item.Layers) {
      const blob = await memberBlob(files, blobs, path);
      layerDescs.push({ mediaType: await layerMediaType(blobs, blob.digest), ...blob });
    }
    const manifest: ImageManifest = { schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: { mediaType: mediaTypes.ociConfig, ...config }, layers: layerDescs };
    const manifestDigest = await blobs.put(Buffer.from(JSON.stringify(manifest)));
    await unpackImage(blobs, layers, manifest);
    const tags = item.RepoTags ?? [];
    const refs = tags.length ? tags.map((t) => formatImageReference(parseImageReference(t))) : [config.digest];
    for (const ref of refs) entries.push({ ref, manifest: manifestDigest, config: config.digest, created: Date.now() });
  }
  return entries;
}

async function importOciLayout(files: ArchiveFiles, blobs: BlobStore, layers: LayerStore, options: ImportOptions): Promise<IndexEntry[]> {
  const index = JSON.parse(files.memory.get('index.json')!.toString('utf8')) as ImageIndex;
  const entries: IndexEntry[] = [];
  for (const desc of index.manifests ?? []) {
    let manifestDigest = desc.digest;
    let doc = JSON.parse((await blobs.read(manifestDigest)).toString('utf8')) as ImageManifest | ImageIndex;
    if (manifestKind(doc, desc.mediaType) === 'index') {
      manifestDigest = selectPlatform(doc as ImageIndex).digest;
      doc = JSON.parse((await blobs.read(manifestDigest)).toString('utf8')) as ImageManifest;
    }
    const manifest = checkManifest(doc as ImageManifest);
    await unpackImage(blobs, layers, manifest);
    const name = desc.annotations?.['io.containerd.image.name'] ?? desc.annotations?.['org.opencontainers.image.ref.name'];
    let ref: string = manifest.config.digest;
    if (name && /[/:@]/.test(name)) ref = formatImageReference(parseImageReference(name));
    else if (name && options.baseName) ref = formatImageReference(parseImageReference(`${options.baseName}:${name}`));
    else options.onWarning?.(`image ${manifest.config.digest} has ${name ? `only the tag "${name}"` : 'no name'} in the archive; give --base-name to name it`);
    const repoDigest = desc.digest !== manifestDigest && ref !== manifest.config.digest ? `${parseImageReference(ref).name}@${desc.digest}` : undefined;
    entries.push({ ref, manifest: manifestDigest, config: manifest.config.digest, created: Date.now(), ...(repoDigest ? { repoDigest } : {}) });
  }
  return entries;
}

/**
 * Reads a `docker save` archive (manifest.json + layer tars, gzip allowed) or an OCI image
 * layout archive (oci-layout + index.json + blobs) into the blob and layer stores and returns
 * the index entries to record. Digests named by the archive are verified.
 */
export async function importArchive(file: string, blobs: BlobStore, layers: LayerStore, progress: ProgressTracker, options: ImportOptions = {}): Promise<IndexEntry[]> {
  progress.addTotal((await stat(file)).size);
  const files = await readArchive(file, blobs, progress);
  if (files.memory.has('manifest.json')) return importDockerSave(files, blobs, layers);
  if (files.memory.has('index.json') && files.memory.has('oci-layout')) return importOciLayout(files, blobs, layers, options);
  throw new ManifestError(`${file} is neither a docker save archive (manifest.json) nor an OCI image layout (oci-layout, index.json)`);
}
