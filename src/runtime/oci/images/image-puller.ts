import type { PullAuth } from '../../types.js';
import { BlobStore, DigestMismatchError, sha256Digest } from './blob-store.js';
import type { IndexEntry } from './image-index.js';
import type { LayerStore } from './layer-store.js';
import { checkManifest, manifestKind, selectPlatform, ManifestError, type Descriptor, type ImageConfigBlob, type ImageIndex, type ImageManifest } from './manifest.js';
import type { ProgressTracker } from './pull-progress.js';
import { formatImageReference, type ImageReference } from './reference.js';
import type { RegistryClient } from './registry-client.js';

const LAYER_CONCURRENCY = 3;

/** Everything one pull needs. */
export interface PullContext {
  client: RegistryClient;
  blobs: BlobStore;
  layers: LayerStore;
  /** shares a blob download between concurrent pulls in this process */
  fetchOnce: (digest: string, fetcher: () => Promise<unknown>) => Promise<unknown>;
}

/** Runs `worker` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(items: T[], limit: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await worker(items[next++]);
  });
  await Promise.all(lanes);
}

/** Makes sure a layer's diff ID list matches its manifest. */
export function diffIdsOf(config: ImageConfigBlob, manifest: ImageManifest): string[] {
  const ids = config.rootfs?.diff_ids ?? [];
  if (ids.length !== manifest.layers.length) throw new ManifestError(`image config lists ${ids.length} diff IDs for ${manifest.layers.length} layers`);
  return ids;
}

async function fetchManifest(ctx: PullContext, ref: ImageReference, tagOrDigest: string, auth: PullAuth | undefined, signal?: AbortSignal): Promise<{ doc: ImageManifest | ImageIndex; body: Buffer; digest: string; kind: 'index' | 'manifest' }> {
  const { body, contentType } = await ctx.client.manifest(ref, tagOrDigest, auth, signal);
  const digest = sha256Digest(body);
  if (tagOrDigest.startsWith('sha256:') && digest !== tagOrDigest) throw new DigestMismatchError(tagOrDigest, digest, `manifest of ${ref.name}`);
  let doc: ImageManifest | ImageIndex;
  try {
    doc = JSON.parse(body.toString('utf8')) as ImageManifest | ImageIndex;
  } catch {
    throw new ManifestError(`manifest of ${ref.name} is not JSON`);
  }
  return { doc, body, digest, kind: manifestKind(doc, contentType) };
}

/**
 * Pulls `ref` from its registry into the store: manifest (through an index to linux/amd64),
 * config and layers, every digest verified, layers unpacked. Returns the index entry to record.
 */
export async function pullFromRegistry(ctx: PullContext, ref: ImageReference, auth: PullAuth | undefined, progress: ProgressTracker, signal?: AbortSignal): Promise<IndexEntry> {
  const top = await fetchManifest(ctx, ref, ref.digest ?? ref.tag!, auth, signal);
  let manifestDoc = top;
  if (top.kind === 'index') {
    const pick = selectPlatform(top.doc as ImageIndex);
    manifestDoc = await fetchManifest(ctx, ref, pick.digest, auth, signal);
    if (manifestDoc.kind !== 'manifest') throw new ManifestError(`${ref.name}: the index entry for this platform is not an image manifest`);
    await ctx.blobs.put(top.body);
  }
  const manifest = checkManifest(manifestDoc.doc as ImageManifest);
  await ctx.blobs.put(manifestDoc.body);

  const ensureBlob = async (desc: Descriptor): Promise<void> => {
    if ((await ctx.blobs.size(desc.digest)) !== undefined) {
      progress.advance(desc.size, desc.digest);
      return;
    }
    let counted = 0;
    await ctx.fetchOnce(desc.digest, async () => {
      const stream = await ctx.client.blob(ref, desc.digest, auth, signal);
      await ctx.blobs.ingest(stream, {
        expected: desc.digest,
        what: `blob ${desc.digest} of ${ref.name}`,
        onBytes: (n) => {
          counted += n;
          progress.advance(n, desc.digest);
        },
      });
    });
    if (counted < desc.size) progress.advance(desc.size - counted, desc.digest);
  };

  progress.addTotal(manifest.config.size + manifest.layers.reduce((sum, l) => sum + l.size, 0));
  await ensureBlob(manifest.config);
  const config = JSON.parse((await ctx.blobs.read(manifest.config.digest)).toString('utf8')) as ImageConfigBlob;
  const diffIds = diffIdsOf(config, manifest);
  await eachLimited(
    manifest.layers.map((layer, i) => ({ layer, diffId: diffIds[i] })),
    LAYER_CONCURRENCY,
    async ({ layer, diffId }) => {
      signal?.throwIfAborted();
      await ensureBlob(layer);
      await ctx.layers.ensure(diffId, ctx.blobs.path(layer.digest));
    },
  );
  return {
    ref: formatImageReference({ ...ref, ...(ref.digest ? { tag: undefined } : {}) }),
    manifest: manifestDoc.digest,
    config: manifest.config.digest,
    repoDigest: `${ref.name}@${top.digest}`,
    created: Date.now(),
  };
}
