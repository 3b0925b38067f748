/**
 * Listing 10,000 pods from the watch cache.
 *
 *   node dist/bench/apiserver-list.js [--pods 10000] [--repeat 10] [--store sqlite|etcd] [--cpu-prof [DIR]]
 *
 * Creates the pods (32 in flight), then times the full `GET /api/v1/namespaces/default/pods`
 * (JSON), the same with kubectl's Table Accept header, and kubectl's first page (limit=500).
 * Target: the full list under 200 ms (median).
 */
import { startEtcd, type RunningEtcd } from '../test/e2e/lib/etcd.js';
import { ApiConnection } from './lib/api-connection.js';
import { BenchArgs, cpuProfileRequest } from './lib/args.js';
import { micros, runCount } from './lib/closed-loop.js';
import { profileReport } from './lib/cpu-profile.js';
import { printHeader } from './lib/machine.js';
import { podBody } from './lib/pod-body.js';
import { startSkiffServer } from './lib/skiff-server.js';
import { median, ms, verdict } from './lib/stats.js';

const args = new BenchArgs();
const pods = args.number('pods', 10_000);
const repeat = args.number('repeat', 10);
const store = args.string('store', 'sqlite');
const cpuProf = cpuProfileRequest(args);
const out = (line: string) => process.stdout.write(`${line}\n`);
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const PATH = '/api/v1/namespaces/default/pods';

async function main(): Promise<void> {
  printHeader(`apiserver-list: list of ${pods} pods (store ${store})`);
  const etcd: RunningEtcd | undefined = store === 'etcd' ? await startEtcd() : undefined;
  const server = await startSkiffServer({ datastoreEndpoint: etcd?.endpoint, cpuProfileDir: cpuProf });
  const conn = new ApiConnection(server.kubeconfigPath, 32);
  let window: [number, number] | undefined;
  try {
    const began = performance.now();
    await runCount(pods, 32, async (seq) => {
      await conn.ok('POST', PATH, podBody(`list-${seq}`));
    });
    out(`created ${pods} pods in ${ms(performance.now() - began)}`);

    const cases: { label: string; path: string; headers?: Record<string, string>; items: (body: string) => number }[] = [
      { label: 'full list, JSON', path: PATH, items: (b) => (JSON.parse(b) as { items: unknown[] }).items.length },
      { label: 'full list, JSON, resourceVersion=0', path: `${PATH}?resourceVersion=0`, items: (b) => (JSON.parse(b) as { items: unknown[] }).items.length },
      { label: 'full list, Table (kubectl Accept)', path: PATH, headers: { accept: TABLE }, items: (b) => (JSON.parse(b) as { rows: unknown[] }).rows.length },
      { label: 'kubectl get pods first page, Table, limit=500', path: `${PATH}?limit=500`, headers: { accept: TABLE }, items: (b) => (JSON.parse(b) as { rows: unknown[] }).rows.length },
    ];
    const from = micros();
    const results: string[] = [];
    let fullJsonMedian = Number.NaN;
    for (const c of cases) {
      const times: number[] = [];
      let bytes = 0;
      let count = 0;
      for (let i = 0; i < repeat; i++) {
        const res = await conn.ok('GET', c.path, undefined, c.headers);
        times.push(res.ms);
        bytes = res.bytes;
        if (i === 0) count = c.items(res.body);
      }
      if (c === cases[0]) fullJsonMedian = median(times);
      results.push(`${c.label}: median ${ms(median(times))} of ${repeat} (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}), ${count} items, ${(bytes / 1e6).toFixed(2)} MB`);
    }
    window = [from, micros()];
    for (const r of results) out(r);
    out(`target: full JSON list of ${pods} pods under 200 ms: ${verdict(fullJsonMedian < 200)}`);
  } finally {
    conn.close();
    const { cpuProfile } = await server.stop();
    await etcd?.stop();
    if (cpuProf !== undefined) for (const l of profileReport(cpuProfile, window)) out(`  ${l}`);
  }
}

await main();
