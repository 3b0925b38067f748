/**
 * Store write throughput: C concurrent writers creating pod-sized keys for N seconds.
 *   node dist/bench/store-throughput.js [--seconds 10] [--concurrency 32] [--etcd]
 * Prints ops/s and p50/p99 latency for the sqlite store (WAL, group commit, its database work on a worker thread, the WAL fsynced before each answer),
 * a baseline of one fsynced sqlite transaction per write, and with --etcd the etcd store and
 * raw etcd puts at the same concurrency (through EtcdClient, the store's own client).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore, type Store } from '../src/store/index.js';
import { EtcdClient, EtcdStore } from '../src/store/etcd/index.js';
import { startEtcd } from '../test/e2e/lib/etcd.js';
import { BenchArgs } from './lib/args.js';
import { printHeader, tmpFilesystem } from './lib/machine.js';
import { percentile } from './lib/stats.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
const args = new BenchArgs();
const seconds = args.number('seconds', 10);
const concurrency = args.number('concurrency', 32);
const value = JSON.stringify({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'x', labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'busybox'.padEnd(1200, '.') }] } });

async function drive(label: string, write: (n: number) => Promise<unknown>): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await write(next++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  out(
    `${label.padEnd(34)} ${String(Math.round(latencies.length / elapsed)).padStart(7)} ops/s   p50 ${percentile(latencies, 50).toFixed(2)} ms   p99 ${percentile(latencies, 99).toFixed(2)} ms   (${latencies.length} writes)`,
  );
}

async function storeCreates(label: string, store: Store): Promise<void> {
  await drive(label, (n) => store.create(`/registry/core/pods/bench/pod-${n}`, value));
}

printHeader('store write throughput', out);
out(`data: ${tmpFilesystem()}`);
out(`${concurrency} concurrent writers, ${seconds} s each, values of ${value.length} bytes`);
const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
try {
  const store = await SqliteStore.open(join(dir, 'state.db'), { compactInterval: 0 });
  await storeCreates('sqlite store (group commit, fsync)', store);
  await store.close();

  const db = new Database(join(dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE kv (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, value TEXT)');
  const insert = db.prepare('INSERT INTO kv (name, value) VALUES (?, ?)');
  await drive('baseline: 1 sqlite txn per write', async (n) => {
    await Promise.resolve();
    insert.run(`/registry/core/pods/bench/pod-${n}`, value);
  });
  db.close();

  if (args.flag('etcd')) {
    const etcd = await startEtcd();
    try {
      const etcdStore = new EtcdStore(etcd.endpoint, { prefix: '/store' });
      await storeCreates('etcd store (txn create)', etcdStore);
      await etcdStore.close();
      const client = new EtcdClient([etcd.clientUrl]);
      try {
        await drive('raw etcd puts (EtcdClient)', async (n) => {
          await client.put({ key: `/raw/pod-${n}`, value });
        });
      } finally {
        client.close();
      }
    } finally {
      await etcd.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
