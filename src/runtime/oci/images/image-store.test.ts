import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { RuntimeError } from '../../types.js';
import { sha256Digest } from './blob-store.js';
import { ImageStore } from './image-store.js';
import { mediaTypes } from './manifest.js';
import { buildTar } from './tar-writer.js';

const zstdAvailable = (() => {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface FakeRegistry {
  host: string;
  blobGets: Map<string, number>;
  corrupt: Set<string>;
  close: () => Promise<void>;
}

/** A registry with token auth serving an index → manifest → two gzip layers (the top one deletes a file). */
async function fakeRegistry(): Promise<FakeRegistry & { indexDigest: string; configDigest: string }> {
  const lower = buildTar([{ path: 'bin/', type: 'directory' }, { path: 'bin/tool', content: 'v1', mode: 0o755 }, { path: 'etc/old', content: 'old' }]);
  const upper = buildTar([{ path: 'etc/.wh.old', content: '' }, { path: 'etc/new', content: 'new' }]);
  const layers = [lower, upper].map((tar, i) => ({ tar, gz: i === 1 && zstdAvailable ? execFileSync('zstd', ['-q', '-c'], { input: tar }) : gzipSync(tar) }));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/tool'], Env: ['PATH=/bin'], WorkingDir: '/etc' }, rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256Digest(l.tar)) } }));
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: { mediaType: mediaTypes.ociConfig, digest: sha256Digest(config), size: config.length }, layers: layers.map((l, i) => ({ mediaType: i === 1 && zstdAvailable ? mediaTypes.ociLayerZstd : mediaTypes.ociLayerGzip, digest: sha256Digest(l.gz), size: l.gz.length })) }));
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [{ mediaType: mediaTypes.ociManifest, digest: sha256Digest(manifest), size: manifest.length, platform: { os: 'linux', architecture: 'amd64' } }, { mediaType: mediaTypes.ociManifest, digest: `sha256:${'0'.repeat(64)}`, size: 1, platform: { os: 'linux', architecture: 'arm64' } }] }));
  const blobs = new Map<string, Buffer>([config, manifest, index, ...layers.map((l) => l.gz)].map((b) => [sha256Digest(b), b]));
  const blobGets = new Map<string, number>();
  const corrupt = new Set<string>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/token') {
      const ok = req.headers.authorization === `Basic ${Buffer.from('alice:pw').toString('base64')}` && url.searchParams.get('scope') === 'repository:test/app:pull';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { token: 'T0K' } : {}));
      return;
    }
    if (req.headers.authorization !== 'Bearer T0K') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="fake",scope="repository:test/app:pull"` }).end();
      return;
    }
    const m = /^\/v2\/test\/app\/(manifests|blobs)\/(.+)$/.exec(url.pathname);
    const key = m?.[1] === 'manifests' && m[2] === '1' ? sha256Digest(index) : m?.[2];
    const body = key ? blobs.get(key) : undefined;
    if (!body) return void res.writeHead(404).end();
    if (m![1] === 'blobs') blobGets.set(key!, (blobGets.get(key!) ?? 0) + 1);
    const type = body === index ? mediaTypes.ociIndex : body === manifest ? mediaTypes.ociManifest : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type }).end(corrupt.has(key!) ? Buffer.concat([body, Buffer.from('x')]) : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { host: `127.0.0.1:${port}`, blobGets, corrupt, indexDigest: sha256Digest(index), configDigest: sha256Digest(config), close: () => new Promise((r) => server.close(() => r())) };
}

async function withStore(fn: (store: ImageStore, reg: Awaited<ReturnType<typeof fakeRegistry>>, dataDir: string) => Promise<void>, rootfsMode: 'auto' | 'copy' = 'auto'): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-images-'));
  const reg = await fakeRegistry();
  const store = await ImageStore.open({ dataDir, rootfsMode });
  try {
    await fn(store, reg, dataDir);
  } finally {
    for (const id of await readdir(join(dataDir, 'containers')).catch(() => [] as string[])) await store.releaseRootfs(id);
    await reg.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const auth = { username: 'alice', password: 'pw' };

test('pull through a token-authenticated registry picks linux/amd64 and records the image', () =>
  withStore(async (store, reg) => {
    const progress: number[] = [];
    const [a, b] = await Promise.all([
      store.pull(`${reg.host}/test/app:1`, { auth, onProgress: (p) => progress.push(p.done) }),
      store.pull(`${reg.host}/test/app:1`, { auth }),
    ]);
    assert.deepEqual(a, b);
    assert.equal(a.id, reg.configDigest);
    assert.deepEqual(a.repoTags, [`${reg.host}/test/app:1`]);
    assert.deepEqual(a.repoDigests, [`${reg.host}/test/app@${reg.indexDigest}`]);
    assert.ok(progress.length > 0 && progress.at(-1)! > 0);
    assert.ok([...reg.blobGets.values()].every((n) => n === 1), 'each blob fetched once');
    assert.deepEqual((await store.status(a.id.slice(7, 19)))?.repoTags, a.repoTags);
    assert.equal((await store.status(`${reg.host}/test/app@${reg.indexDigest}`))?.id, a.id);
    assert.equal(await store.status(`${reg.host}/test/other:1`), undefined);
  }));

test('without credentials the pull fails with ErrImagePull', () =>
  withStore(async (store, reg) => {
    await assert.rejects(store.pull(`${reg.host}/test/app:1`), (e: unknown) => e instanceof RuntimeError && e.code === 'ErrImagePull' && /401/.test(e.message));
    await assert.rejects(store.pull(`${reg.host}/test/missing:1`, { auth }), (e: unknown) => e instanceof RuntimeError && e.code === 'ErrImagePull');
  }));

test('a blob whose digest does not match is refused and not kept', () =>
  withStore(async (store, reg, dataDir) => {
    reg.corrupt.add(reg.configDigest);
    await assert.rejects(store.pull(`${reg.host}/test/app:1`, { auth }), /digest mismatch/);
    await assert.rejects(access(join(dataDir, 'images/blobs/sha256', reg.configDigest.slice(7))), { code: 'ENOENT' });
    assert.deepEqual(await readdir(join(dataDir, 'images/tmp')), []);
    assert.deepEqual(await store.list(), []);
  }));

test('two containers share the layers; whiteouts hide lower files; release and remove clean up', () =>
  withStore(async (store, reg, dataDir) => {
    await store.pull(`${reg.host}/test/app:1`, { auth });
    const one = await store.prepareRootfs(`${reg.host}/test/app:1`, 'c1');
    const two = await store.prepareRootfs(`${reg.host}/test/app:1`, 'c2');
    assert.deepEqual(one.config, { Cmd: ['/bin/tool'], Env: ['PATH=/bin'], WorkingDir: '/etc' });
    assert.equal(await readFile(join(one.rootfs, 'bin/tool'), 'utf8'), 'v1');
    assert.equal(await readFile(join(one.rootfs, 'etc/new'), 'utf8'), 'new');
    await assert.rejects(access(join(one.rootfs, 'etc/old')), { code: 'ENOENT' });
    await writeFile(join(one.rootfs, 'bin/tool'), 'changed');
    assert.equal(await readFile(join(two.rootfs, 'bin/tool'), 'utf8'), 'v1', 'a write in one container stays there');
    assert.deepEqual(await store.prepareRootfs(`${reg.host}/test/app:1`, 'c1'), one);

    await store.remove(`${reg.host}/test/app:1`);
    assert.deepEqual(await store.list(), []);
    assert.equal((await readdir(join(dataDir, 'images/layers'))).length, 2, 'layers of running containers survive');
    await store.releaseRootfs('c1');
    await store.releaseRootfs('c2');
    await assert.rejects(access(join(dataDir, 'containers/c1')), { code: 'ENOENT' });
    await store.gc();
    assert.deepEqual(await readdir(join(dataDir, 'images/layers')), []);
    assert.deepEqual(await readdir(join(dataDir, 'images/blobs/sha256')), []);
    await assert.rejects(store.remove('nothing:1'), (e: unknown) => e instanceof RuntimeError && e.code === 'ImageNotFound');
  }));

test('without overlayfs the rootfs is a copy with the whiteouts applied', () =>
  withStore(async (store, reg) => {
    await store.pull(`${reg.host}/test/app:1`, { auth });
    const copy = await store.prepareRootfs(`${reg.host}/test/app:1`, 'copied');
    assert.equal(copy.mode, 'copy');
    assert.equal(await readFile(join(copy.rootfs, 'bin/tool'), 'utf8'), 'v1');
    assert.equal(await readFile(join(copy.rootfs, 'etc/new'), 'utf8'), 'new');
    await assert.rejects(access(join(copy.rootfs, 'etc/old')), { code: 'ENOENT' });
    await store.releaseRootfs('copied');
  }, 'copy'));
