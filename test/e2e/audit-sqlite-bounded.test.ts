import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteStore } from '../../src/store/index.js';

/**
 * Under endless churn with compaction, the SQLite database file and its WAL stay bounded: after
 * many times more writes than the first rounds, the files are no bigger than those rounds left
 * them (plus slack), instead of growing with the number of writes.
 */
describe('sqlite store under churn with compaction', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-audit-churn-'));
  const opening = SqliteStore.open(join(dir, 'state.db'), { compactInterval: 0 });
  after(async () => {
    await (await opening).close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps db + WAL under the size of the first rounds after ten times the writes', { timeout: 120_000 }, async () => {
    const store = await opening;
    const keys = 64;
    const keep = 500;
    const value = (n: number) => JSON.stringify({ kind: 'Pod', metadata: { name: `p${n % keys}`, generation: n }, spec: { image: 'busybox'.padEnd(1000, '.') } });
    const revisions: number[] = [];
    for (let k = 0; k < keys; k++) revisions[k] = (await store.create(`/registry/core/pods/churn/p${k}`, value(k))).modRevision;

    let n = keys;
    const round = async () => {
      for (let batch = 0; batch < 100; batch++) {
        await Promise.all(
          Array.from({ length: 32 }, async (_, i) => {
            const k = (batch * 32 + i) % keys;
            revisions[k] = (await store.update(`/registry/core/pods/churn/p${k}`, value(n++), revisions[k])).modRevision;
          }),
        );
      }
      await store.compact((await store.currentRevision()) - keep);
    };
    const size = async () => {
      const s = await store.fileSizes();
      return s.db + s.wal;
    };

    for (let i = 0; i < 2; i++) await round();
    const early = await size();
    let peak = 0;
    for (let i = 0; i < 20; i++) {
      await round();
      peak = Math.max(peak, await size());
    }
    assert.ok(n - keys >= 22 * 3200, `wrote ${n - keys}`);
    assert.ok(peak <= early * 1.5 + 2 * 2 ** 20, `files grew from ${early} to a peak of ${peak} bytes over ${n - keys} writes`);
    assert.equal(await store.count('/registry/core/pods/churn/'), keys);
  });
});
