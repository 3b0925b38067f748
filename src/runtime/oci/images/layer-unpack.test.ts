import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { unpackLayer } from './layer-unpack.js';
import { readTar, TarFormatError } from './tar-reader.js';
import { buildTar } from './tar-writer.js';

async function* once(data: Buffer): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += 777) yield data.subarray(i, i + 777);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-unpack-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('files, directories, symlinks, hard links and modes are unpacked', () =>
  withDir(async (dir) => {
    const tar = buildTar([
      { path: 'bin/', type: 'directory', mode: 0o755 },
      { path: 'bin/busybox', content: 'ELF', mode: 0o4755 },
      { path: 'bin/sh', type: 'symlink', linkPath: 'busybox' },
      { path: './bin/cat', type: 'link', linkPath: 'bin/busybox' },
      { path: 'etc/secret', content: 'x', mode: 0o600 },
    ]);
    const result = await unpackLayer(once(tar), dir);
    assert.equal(result.size, 4);
    assert.equal(await readFile(join(dir, 'bin/busybox'), 'utf8'), 'ELF');
    assert.equal((await stat(join(dir, 'bin/busybox'))).mode & 0o7777, 0o4755);
    assert.equal(await readlink(join(dir, 'bin/sh')), 'busybox');
    assert.equal((await stat(join(dir, 'bin/cat'))).ino, (await stat(join(dir, 'bin/busybox'))).ino);
    assert.equal((await stat(join(dir, 'etc/secret'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'etc/secret'))).mtimeMs, 1_700_000_000_000);
  }));

test('whiteouts and opaque directories are recorded (and made for overlayfs as root)', () =>
  withDir(async (dir) => {
    const tar = buildTar([
      { path: 'etc/.wh.passwd', content: '' },
      { path: 'var/cache/.wh..wh..opq', content: '' },
      { path: 'var/cache/new', content: 'n' },
    ]);
    const result = await unpackLayer(once(tar), dir);
    assert.deepEqual(result.whiteouts, ['etc/passwd']);
    assert.deepEqual(result.opaqueDirs, ['var/cache']);
    if (process.getuid?.() === 0) {
      const st = await lstat(join(dir, 'etc/passwd'));
      assert.ok(st.isCharacterDevice());
      assert.equal(st.rdev, 0);
    }
    await assert.rejects(lstat(join(dir, 'etc/.wh.passwd')), { code: 'ENOENT' });
  }));

test('long names (pax) and a later duplicate entry win', () =>
  withDir(async (dir) => {
    const long = `${'d'.repeat(80)}/${'f'.repeat(90)}`;
    const tar = buildTar([
      { path: long, content: 'first' },
      { path: long, content: 'second' },
      { path: 'link', type: 'symlink', linkPath: `/${'t'.repeat(150)}` },
    ]);
    await unpackLayer(once(tar), dir);
    assert.equal(await readFile(join(dir, long), 'utf8'), 'second');
    assert.equal((await readlink(join(dir, 'link'))).length, 151);
  }));

test('entries escaping the layer, or written through a symlink, are refused', () =>
  withDir(async (dir) => {
    await assert.rejects(unpackLayer(once(buildTar([{ path: '../evil', content: 'x' }])), join(dir)), TarFormatError);
    await assert.rejects(
      unpackLayer(once(buildTar([{ path: 'esc', type: 'symlink', linkPath: '/etc' }, { path: 'esc/passwd', content: 'x' }])), dir),
      /not a directory/,
    );
  }));

test('a corrupted or truncated tar is an error, not a partial success', async () => {
  const tar = buildTar([{ path: 'a', content: 'hello world' }]);
  const corrupt = Buffer.from(tar);
  corrupt[10] ^= 0xff;
  await assert.rejects(async () => {
    for await (const _ of readTar(once(corrupt))) void _;
  }, /checksum/);
  await assert.rejects(async () => {
    for await (const entry of readTar(once(tar.subarray(0, 520)))) for await (const _ of entry.body()) void _;
  }, /unexpected end/);
});
