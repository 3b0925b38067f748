import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runStoreConformance } from '../conformance.js';
import { CompactedError } from '../errors.js';
import { SqliteStore } from './sqlite-store.js';

runStoreConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-'));
  const store = new SqliteStore(join(dir, 'state.db'), { compactInterval: 0 });
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
      const first = new SqliteStore(path, { compactInterval: 0 });
      assert.equal(await first.currentRevision(), 1);
      const a = await first.create('/a', '1');
      assert.equal(a.modRevision, 2);
      const b = await first.update('/a', '2', a.modRevision);
      await first.create('/b', '1');
      await first.compact(b.modRevision);
      await first.close();

      const second = new SqliteStore(path, { compactInterval: 0 });
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
});
