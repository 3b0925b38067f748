import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RuntimeError } from '../../src/runtime/index.js';
import { ImageStore, pullAuthFromSecretData } from '../../src/runtime/oci/images/index.js';
import { startRegistry, htpasswdAvailable, type RunningRegistry } from './lib/registry.js';
import { buildTestImage, exportTestImage, pushTestImage, registryManifestDigest, type TestImage } from './lib/test-image.js';

const run = promisify(execFile);
const mainJs = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const isRoot = process.getuid?.() === 0;

async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').map((l) => l.split(' ')[4]).filter((m): m is string => Boolean(m?.startsWith(dir)));
}

async function skiff(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [mainJs, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('images: pull from a local registry, rootfs, import, CLI', { skip: isRoot ? false : 'needs root (overlayfs, registry tooling)' }, () => {
  let image: TestImage;
  let registry: RunningRegistry;
  let dataDir: string;
  let store: ImageStore;
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'skiff-images-e2e-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    image = await buildTestImage();
    cleanups.push(image.remove);
    registry = await startRegistry();
    cleanups.push(registry.stop);
    await pushTestImage(image, registry.host, 'test/busybox:1');
    await pushTestImage(image, registry.host, 'test/busybox-docker:1', { format: 'v2s2' });
    store = await ImageStore.open({ dataDir });
  });

  after(async () => {
    for (const id of await readdir(join(dataDir, 'containers')).catch(() => [] as string[])) await store.releaseRootfs(id).catch(() => undefined);
    for (const mount of await mountsUnder(dataDir)) await run('umount', ['-l', mount]).catch(() => undefined);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  test('an OCI image pulls with its registry digest, and two containers share its layers', async () => {
    const ref = `${registry.host}/test/busybox:1`;
    const seen: number[] = [];
    const [status, again] = await Promise.all([store.pull(ref, { onProgress: (p) => seen.push(p.total) }), store.pull(ref)]);
    assert.deepEqual(again, status);
    const digest = await registryManifestDigest(registry.host, 'test/busybox:1');
    assert.deepEqual(status.repoDigests, [`${registry.host}/test/busybox@${digest}`]);
    assert.deepEqual(status.repoTags, [ref]);
    assert.ok(status.size > 500_000, `size ${status.size} counts busybox`);
    assert.ok(seen.at(-1)! >= status.size - 1000);

    const one = await store.prepareRootfs(ref, 'e2e-one');
    const two = await store.prepareRootfs(`${registry.host}/test/busybox@${digest}`, 'e2e-two');
    assert.equal(one.mode, 'overlay');
    assert.deepEqual(one.config.Cmd, ['/bin/sh']);
    assert.ok(one.config.Env?.includes('PATH=/usr/sbin:/usr/bin:/sbin:/bin'));
    assert.equal(await readFile(join(one.rootfs, 'etc/motd'), 'utf8'), image.motd);
    await assert.rejects(access(join(one.rootfs, 'etc/issue')), { code: 'ENOENT' }, 'the second layer whites /etc/issue out');
    assert.equal(await readlink(join(two.rootfs, 'bin/sh')), 'busybox');
    const { stdout } = await run('chroot', [one.rootfs, '/bin/sh', '-c', 'echo hello > /tmp/x && cat /tmp/x']);
    assert.equal(stdout, 'hello\n');
    await assert.rejects(access(join(two.rootfs, 'tmp/x')), { code: 'ENOENT' }, 'writes stay in their own container');
    assert.equal((await readdir(join(dataDir, 'images/layers'))).filter((n) => !n.startsWith('.')).length, 2);
    assert.equal((await mountsUnder(dataDir)).length, 2);

    await store.releaseRootfs('e2e-one');
    await store.releaseRootfs('e2e-two');
    assert.deepEqual(await mountsUnder(dataDir), []);
    await assert.rejects(access(join(dataDir, 'containers/e2e-one')), { code: 'ENOENT' });
  });

  test('a Docker schema 2 image pulls and reuses the unpacked layers', async () => {
    const status = await store.pull(`${registry.host}/test/busybox-docker:1`);
    const digest = await registryManifestDigest(registry.host, 'test/busybox-docker:1');
    assert.ok(status.repoDigests.includes(`${registry.host}/test/busybox-docker@${digest}`));
    assert.ok(status.repoTags.includes(`${registry.host}/test/busybox-docker:1`));
    const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/test/busybox-docker:1`]);
    assert.equal(JSON.parse(stdout).mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal((await readdir(join(dataDir, 'images/layers'))).filter((n) => !n.startsWith('.')).length, 2);
    await assert.rejects(store.pull(`${registry.host}/test/absent:1`), (e: unknown) => e instanceof RuntimeError && e.code === 'ErrImagePull' && /not found/.test(e.message));
  });

  test('a registry with basic auth needs the pull secret', { skip: htpasswdAvailable() ? false : 'htpasswd (apache2-utils) is not installed' }, async () => {
    const secured = await startRegistry({ auth: true });
    cleanups.push(secured.stop);
    await pushTestImage(image, secured.host, 'private/busybox:1', { credentials: secured.credentials });
    const ref = `${secured.host}/private/busybox:1`;
    await assert.rejects(store.pull(ref), (e: unknown) => e instanceof RuntimeError && e.code === 'ErrImagePull' && /credentials|denied/.test(e.message));
    const dockerConfig = { auths: { [secured.host]: { auth: Buffer.from(`${secured.credentials!.username}:${secured.credentials!.password}`).toString('base64') } } };
    const auth = pullAuthFromSecretData({ '.dockerconfigjson': Buffer.from(JSON.stringify(dockerConfig)).toString('base64') }, secured.host);
    const status = await store.pull(ref, { auth });
    assert.ok(status.repoTags.includes(ref), 'the same image, now also under the private name');
    await secured.stop();
  });

  test('skiff images import reads docker save and OCI archives; ls and rm show and remove them', async () => {
    const cliDir = await mkdtemp(join(tmpdir(), 'skiff-images-cli-'));
    cleanups.push(() => rm(cliDir, { recursive: true, force: true }));
    const dockerArchive = join(cliDir, 'busybox-docker.tar');
    const ociArchive = join(cliDir, 'busybox-oci.tar');
    await exportTestImage(image, 'docker-archive', dockerArchive, 'test/busybox:1');
    await exportTestImage(image, 'oci-archive', ociArchive, 'example.com/tools/busybox:2');
    const data = ['--data-dir', join(cliDir, 'data')];

    const loaded = await skiff(['images', 'import', dockerArchive, ociArchive, ...data]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.match(loaded.stdout, /Loaded image: docker\.io\/test\/busybox:1\n/);
    assert.match(loaded.stdout, /Loaded image: example\.com\/tools\/busybox:2\n/);

    const ls = await skiff(['images', 'ls', ...data]);
    assert.equal(ls.code, 0, ls.stderr);
    const lines = ls.stdout.trim().split('\n');
    assert.match(lines[0], /^IMAGE\s+TAG\s+IMAGE ID\s+SIZE$/);
    assert.match(ls.stdout, /docker\.io\/test\/busybox\s+1\s+[0-9a-f]{13}\s+[\d.]+[kM]B/);
    assert.match(ls.stdout, /example\.com\/tools\/busybox\s+2\s+[0-9a-f]{13}\s+[\d.]+[kM]B/);

    const cliStore = await ImageStore.open({ dataDir: join(cliDir, 'data') });
    const rootfs = await cliStore.prepareRootfs('example.com/tools/busybox:2', 'imported');
    try {
      assert.equal(await readFile(join(rootfs.rootfs, 'etc/motd'), 'utf8'), image.motd);
    } finally {
      await cliStore.releaseRootfs('imported');
    }

    const removed = await skiff(['images', 'rm', 'example.com/tools/busybox:2', ...data]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /Deleted: example\.com\/tools\/busybox:2\n/);
    assert.match(removed.stdout, /Deleted: docker\.io\/test\/busybox:1\n/, 'both archives held the same image: every name of it goes, as with crictl rmi');
    const after = await skiff(['images', 'ls', ...data]);
    assert.equal(after.stdout.trim().split('\n').length, 1, after.stdout);
    assert.deepEqual(await readdir(join(cliDir, 'data/images/layers')), [], 'unreferenced layers are collected');

    const missing = await skiff(['images', 'rm', 'nothing/here:1', ...data]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /image "nothing\/here:1" not found/);
  });
});
