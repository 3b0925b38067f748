import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ImageIndex } from './image-index.js';

test('concurrent writers through separate handles lose no entry and leave no temp files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-index-'));
  try {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        new ImageIndex(dir).update((images) => void images.set(`example.com/app:${i}`, { ref: `example.com/app:${i}`, manifest: 'sha256:m', config: 'sha256:c', created: i })),
      ),
    );
    assert.equal((await new ImageIndex(dir).read()).length, 20);
    assert.deepEqual((await readdir(dir)).sort(), ['index.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a lock left by a dead process is taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-index-'));
  try {
    await writeFile(join(dir, 'index.lock'), '999999999');
    await new ImageIndex(dir).update((images) => void images.set('a:1', { ref: 'a:1', manifest: 'sha256:m', config: 'sha256:c', created: 0 }));
    assert.deepEqual((await new ImageIndex(dir).read()).map((e) => e.ref), ['a:1']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
