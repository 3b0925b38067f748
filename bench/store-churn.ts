/**
 * Endless churn against the sqlite store with the auto compactor on, with the server's defaults
 * unless told (every 5 min, or as soon as 10,000 revisions wait beyond the 1,000 kept): random
 * create/update/delete at a fixed rate over a bounded key space, printing the database and WAL
 * sizes every 10 s.
 *   node dist/bench/store-churn.js [--seconds 600] [--rate 2000] [--keys 5000]
 *                                   [--compact-interval 300000] [--keep 1000] [--max-backlog 10000]
 * The claim it checks by eye: the files stay bounded by live data + (keep + backlog + rate x 1 s)
 * history rows, however long it runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyExistsError, KeyNotFoundError, RevisionMismatchError, SqliteStore } from '../src/store/index.js';
import { BenchArgs } from './lib/args.js';
import { printHeader, tmpFilesystem } from './lib/machine.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
const args = new BenchArgs();
const seconds = args.number('seconds', 600);
const rate = args.number('rate', 2000);
const keySpace = args.number('keys', 5000);
const compactInterval = args.number('compact-interval', 300_000);
const keep = args.number('keep', 1000);
const maxBacklog = args.number('max-backlog', 10_000);
const valueOf = (n: number) => JSON.stringify({ kind: 'Pod', metadata: { name: `p${n}`, generation: n }, spec: { image: 'busybox'.padEnd(900, '.') } });
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

printHeader('store churn and compaction', out);
out(`data: ${tmpFilesystem()}`);
out(`churn: ${rate} ops/s over ${keySpace} keys for ${seconds} s; compact every ${compactInterval} ms or past ${maxBacklog} waiting revisions, keeping ${keep}`);
const dir = mkdtempSync(join(tmpdir(), 'skiff-churn-'));
const store = await SqliteStore.open(join(dir, 'state.db'), { compactInterval, keepRevisions: keep, maxBacklog });
const revisions = new Map<number, number>();
let done = 0;
let conflicts = 0;
let peakDb = 0;
let peakWal = 0;
let peakRows = 0;

async function op(n: number): Promise<void> {
  const k = Math.floor(Math.random() * keySpace);
  const key = `/registry/core/pods/churn/p${k}`;
  const rev = revisions.get(k);
  try {
    if (rev === undefined) {
      revisions.set(k, (await store.create(key, valueOf(n))).modRevision);
    } else if (Math.random() < 0.25) {
      revisions.delete(k);
      await store.delete(key, rev);
    } else {
      revisions.set(k, (await store.update(key, valueOf(n), rev)).modRevision);
    }
  } catch (err) {
    if (!(err instanceof KeyExistsError || err instanceof KeyNotFoundError || err instanceof RevisionMismatchError)) throw err;
    conflicts++;
    const kv = await store.get(key);
    if (kv) revisions.set(k, kv.modRevision);
    else revisions.delete(k);
  }
  done++;
}

function report(elapsed: number): Promise<void> {
  return Promise.all([store.currentRevision(), store.compactedRevision(), store.count('/'), store.fileSizes()]).then(([rev, compacted, live, sizes]) => {
    peakDb = Math.max(peakDb, sizes.db);
    peakWal = Math.max(peakWal, sizes.wal);
    peakRows = Math.max(peakRows, rev - compacted + live);
    out(
      `t=${String(elapsed).padStart(4)}s ops=${done} rev=${rev} compacted=${compacted} live=${live} db=${mib(sizes.db)} wal=${mib(sizes.wal)} free-pages=${sizes.freePages}`,
    );
  });
}

const started = Date.now();
const inFlight = new Set<Promise<void>>();
let issued = 0;
let nextReport = 10;
while (Date.now() - started < seconds * 1000) {
  const due = Math.floor(((Date.now() - started) / 1000) * rate);
  while (issued < due) {
    const p = op(issued++).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  const elapsed = Math.floor((Date.now() - started) / 1000);
  if (elapsed >= nextReport) {
    void report(elapsed);
    nextReport += 10;
  }
  await sleep(5);
}
await Promise.all(inFlight);
await report(seconds);
const historyRows = keep + Math.min(maxBacklog + rate, rate * (compactInterval / 1000));
out(`done: ${done} ops (${Math.round(done / seconds)}/s), ${conflicts} conflicts`);
out(`peak: db ${mib(peakDb)}, wal ${mib(peakWal)}`);
const rowBound = keySpace + historyRows;
out(
  `bound: rows <= live keys (${keySpace}) + keep (${keep}) + min(backlog + rate x 1 s check, rate x interval) (${historyRows - keep}) = ${rowBound};` +
    ` at ~1.5 KiB per row (1 KiB value, key, index entry, b-tree pages ~75% full) the db stays under ${mib(rowBound * 1536)},` +
    ` since compaction deletes the rows and incremental_vacuum returns the pages; the WAL is checkpointed and` +
    ` emptied by the store once it passes 8 MiB and after each compaction, capped at 32 MiB by journal_size_limit`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
