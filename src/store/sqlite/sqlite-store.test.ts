import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { runStoreConformance } from '../conformance.js';
import { CompactedError, StoreUnavailableError } from '../errors.js';
import { SqliteStore } from './sqlite-store.js';

runStoreConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-'));
  const store = await SqliteStore.open(join(dir, 'state.db'), { compactInterval: 0 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite store files', () => {
  it('keeps data, revision and compaction across a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-'));
    const path = join(dir, 'db', 'state.db');
    try {
      const first = await SqliteStore.open(path, { compactInterval: 0 });
      assert.equal(await first.currentRevision(), 1);
      const a = await first.create('/a', '1');
      assert.equal(a.modRevision, 2);
      const b = await first.update('/a', '2', a.modRevision);
      await first.create('/b', '1');
      await first.compact(b.modRevision);
      await first.close();

      const second = await SqliteStore.open(path, { compactInterval: 0 });
      try {
        assert.equal(await second.currentRevision(), b.modRevision + 1);
        assert.equal(await second.compactedRevision(), b.modRevision);
        assert.deepEqual((await second.list('/')).items.map((i) => `${i.key}=${i.value}`), ['/a=2', '/b=1']);
        assert.equal((await second.create('/c', '1')).modRevision, b.modRevision + 2);
        await assert.rejects(second.list('/', { revision: a.modRevision }), CompactedError);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a second open of the same file while the first has it open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-'));
    const path = join(dir, 'state.db');
    try {
      const first = await SqliteStore.open(path, { compactInterval: 0 });
      try {
        await first.create('/held', 'yes');
        await assert.rejects(SqliteStore.open(path, { compactInterval: 0, busyTimeoutMs: 10 }), (err: unknown) => {
          assert.ok(err instanceof StoreUnavailableError);
          assert.match(err.message, /in use by another process/);
          return true;
        });
        assert.equal((await first.get('/held'))?.value, 'yes');
      } finally {
        await first.close();
      }
      const again = await SqliteStore.open(path, { compactInterval: 0 });
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects open when the path cannot hold a database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-'));
    try {
      writeFileSync(join(dir, 'file'), '');
      await assert.rejects(SqliteStore.open(join(dir, 'file', 'db', 'state.db'), { compactInterval: 0 }), { code: 'ENOTDIR' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails calls made after close, and close ends the worker thread so a process exits by itself', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-'));
    try {
      const store = await SqliteStore.open(join(dir, 'closed.db'), { compactInterval: 0 });
      await store.create('/a', '1');
      await store.close();
      await assert.rejects(store.create('/b', '1'), StoreUnavailableError);
      await assert.rejects(store.get('/a'), StoreUnavailableError);

      const script = `
        import { SqliteStore } from ${JSON.stringify(new URL('./sqlite-store.js', import.meta.url).href)};
        const store = await SqliteStore.open(${JSON.stringify(join(dir, 'child.db'))}, { compactInterval: 0 });
        await store.create('/a', '1');
        await store.close();
        process.stdout.write('closed');`;
      writeFileSync(join(dir, 'child.mjs'), script);
      const child = spawn(process.execPath, [join(dir, 'child.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        assert.equal(code, 0, output);
        assert.equal(output, 'closed');
      } finally {
        child.kill('SIGKILL');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails pending writes, watches and later calls with StoreUnavailableError when its worker dies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-'));
    try {
      const store = await SqliteStore.open(join(dir, 'dies.db'), { compactInterval: 0 });
      try {
        await store.create('/a', '1');
        const abort = new AbortController();
        const watch = store.watch('/', await store.currentRevision(), abort.signal)[Symbol.asyncIterator]();
        const event = watch.next();
        const writes = Array.from({ length: 20 }, (_, i) => store.create(`/w/${i}`, 'x'));
        await (store as unknown as { worker: Worker }).worker.terminate();
        for (const write of writes) await assert.rejects(write, StoreUnavailableError);
        await assert.rejects(event, StoreUnavailableError);
        await assert.rejects(store.get('/a'), StoreUnavailableError);
        await assert.rejects(store.create('/b', '1'), StoreUnavailableError);
        abort.abort();
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
