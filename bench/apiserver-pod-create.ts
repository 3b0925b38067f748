/**
 * Pod creates over HTTPS with N concurrent clients, on the SQLite store and on a real etcd, and
 * the raw etcd put rate at the same concurrency as the baseline (through the same etcd client the
 * store uses, so the comparison measures Skiff and not the client).
 *
 *   node dist/bench/apiserver-pod-create.js [--store sqlite|etcd|both] [--concurrency 32]
 *        [--duration 10] [--warmup 2] [--cpu-prof [DIR]]
 *
 * Targets: ≥ 3,000 creates/s with p99 < 50 ms on SQLite (fsync on); on etcd ≥ 80% of raw puts.
 */
import { cpus } from 'node:os';
import { EtcdClient } from '../src/store/etcd/index.js';
import { startEtcd, type RunningEtcd } from '../test/e2e/lib/etcd.js';
import { ApiConnection } from './lib/api-connection.js';
import { BenchArgs, cpuProfileRequest } from './lib/args.js';
import { closedLoop, type LoadResult } from './lib/closed-loop.js';
import { profileReport } from './lib/cpu-profile.js';
import { CpuWindow, printHeader } from './lib/machine.js';
import { podBody } from './lib/pod-body.js';
import { startSkiffServer } from './lib/skiff-server.js';
import { latencySummary, percentile, verdict } from './lib/stats.js';

const args = new BenchArgs();
const store = args.string('store', 'both');
const concurrency = args.number('concurrency', 32);
const durationMs = args.number('duration', 10) * 1000;
const warmupMs = args.number('warmup', 2) * 1000;
const cpuProf = cpuProfileRequest(args);
const out = (line: string) => process.stdout.write(`${line}\n`);

function seqCount(r: LoadResult): number {
  return r.started;
}

function line(label: string, r: LoadResult): string {
  return `${label}: ${r.rate.toFixed(0)}/s over ${(durationMs / 1000).toFixed(0)} s, ${latencySummary(r.latencies)}, errors ${r.errors}${r.firstError ? ` (first: ${r.firstError})` : ''}`;
}

/** grpc_server_handled_total per method from etcd's /metrics. */
async function etcdRpcCounts(clientUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${clientUrl}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/^grpc_server_handled_total\{[^}]*grpc_method="(\w+)"[^}]*\} (\S+)$/gm)) counts.set(m[1], (counts.get(m[1]) ?? 0) + Number(m[2]));
  return counts;
}

async function skiffCreates(datastoreEndpoint: string | undefined, etcd?: RunningEtcd): Promise<{ result: LoadResult; storedBytes: number; cpu: CpuWindow }> {
  // the API server alone: with a scheduler but no nodes, every pod would also get a FailedScheduling
  // status write and event, measuring the scheduler's failure path instead
  const server = await startSkiffServer({ datastoreEndpoint, cpuProfileDir: cpuProf, disableScheduler: true });
  const conn = new ApiConnection(server.kubeconfigPath, concurrency);
  let storedBytes = 0;
  let result: LoadResult;
  const cpu = new CpuWindow(etcd ? { server: server.pid, etcd: etcd.pid } : { server: server.pid });
  try {
    const run = `c${Date.now().toString(36)}`;
    const rpcsBefore = etcd ? await etcdRpcCounts(etcd.clientUrl) : undefined;
    result = await closedLoop({
      concurrency,
      warmupMs,
      durationMs,
      onWindow: (edge) => cpu.edge(edge),
      op: async (seq) => {
        const res = await conn.ok('POST', '/api/v1/namespaces/default/pods', podBody(`${run}-${seq}`));
        storedBytes ||= res.bytes;
      },
    });
    const done = result.latencies.length;
    if (etcd && rpcsBefore) {
      const after = await etcdRpcCounts(etcd.clientUrl);
      const made = seqCount(result);
      const perCreate = [...after].map(([method, n]) => [method, n - (rpcsBefore.get(method) ?? 0)] as const).filter(([, n]) => n > 0);
      out(`  etcd RPCs per create (all ${made} creates incl. warm-up): ${perCreate.map(([method, n]) => `${method} ${(n / made).toFixed(2)}`).join(', ')}`);
    }
    out(`  ${cpu.report(durationMs, done, { self: 'bench client' })}`);
  } finally {
    conn.close();
  }
  const { cpuProfile } = await server.stop();
  if (cpuProf !== undefined) for (const l of profileReport(cpuProfile, result.windowMicros)) out(`  ${l}`);
  return { result, storedBytes, cpu };
}

async function rawEtcdPuts(valueBytes: number): Promise<{ result: LoadResult; cpu: CpuWindow }> {
  const etcd = await startEtcd();
  const client = new EtcdClient([etcd.clientUrl]);
  const value = Buffer.alloc(valueBytes, 'x');
  const cpu = new CpuWindow({ etcd: etcd.pid });
  try {
    const result = await closedLoop({
      concurrency,
      warmupMs,
      durationMs,
      onWindow: (edge) => cpu.edge(edge),
      op: async (seq) => {
        await client.put({ key: `/bench-raw/default/p-${seq}`, value });
      },
    });
    out(`  ${cpu.report(durationMs, result.latencies.length, { self: 'bench client (EtcdClient)' })}`);
    return { result, cpu };
  } finally {
    client.close();
    await etcd.stop();
  }
}

/**
 * What 80% of the raw rate would cost this machine even if the API server did nothing but call
 * etcd: etcd's own CPU per put and the etcd client's (both at the raw run's rate, where etcd
 * batches best), plus the bench's HTTP client per create. Above 100%, the target needs more
 * cores than the machine has, whatever the server does.
 */
function machineBound(raw: LoadResult, rawCpu: CpuWindow, skiff: LoadResult, skiffCpu: CpuWindow): string {
  const perOp = (cpu: CpuWindow, name: string, r: LoadResult) => (1000 * cpu.ms(name)) / Math.max(1, r.latencies.length);
  const etcdUs = perOp(rawCpu, 'etcd', raw);
  const etcdClientUs = perOp(rawCpu, 'self', raw);
  const httpClientUs = perOp(skiffCpu, 'self', skiff);
  const rate = 0.8 * raw.rate;
  const share = (rate * (etcdUs + etcdClientUs + httpClientUs)) / (cpus().length * 1e6);
  return `bound: 80% of raw = ${rate.toFixed(0)} creates/s; etcd ${etcdUs.toFixed(0)} + the server's etcd client ${etcdClientUs.toFixed(0)} + the bench's HTTP client ${httpClientUs.toFixed(0)} µs per create would take ${(100 * share).toFixed(0)}% of this machine's ${cpus().length} cores before the API server does any work of its own`;
}

async function main(): Promise<void> {
  printHeader('apiserver-pod-create: POST /api/v1/namespaces/default/pods over HTTPS');
  out(`setup: ${concurrency} concurrent clients on one keep-alive agent, one-container pods in namespace default, ${warmupMs / 1000} s warm-up then ${durationMs / 1000} s measured; client and server share this machine`);
  let storedBytes = 700;
  if (store === 'sqlite' || store === 'both') {
    const { result, storedBytes: bytes } = await skiffCreates(undefined);
    storedBytes = bytes || storedBytes;
    out(line('skiff on sqlite (WAL fsynced before each answer)', result));
    out(`  target ≥ 3000/s and p99 < 50 ms: ${verdict(result.rate >= 3000 && percentile(result.latencies, 99) < 50)}`);
  }
  if (store === 'etcd' || store === 'both') {
    const etcd = await startEtcd();
    let skiff: LoadResult;
    let skiffCpu: CpuWindow;
    try {
      const r = await skiffCreates(etcd.endpoint, etcd);
      skiff = r.result;
      skiffCpu = r.cpu;
      storedBytes = r.storedBytes || storedBytes;
    } finally {
      await etcd.stop();
    }
    out(line('skiff on etcd', skiff));
    const { result: raw, cpu: rawCpu } = await rawEtcdPuts(storedBytes);
    out(line(`raw etcd put (Skiff's EtcdClient, the store's own client, ${storedBytes}-byte values, fresh etcd)`, raw));
    const ratio = skiff.rate / raw.rate;
    out(`  skiff-on-etcd / raw etcd put = ${(100 * ratio).toFixed(0)}%; target ≥ 80%: ${verdict(ratio >= 0.8)}`);
    out(`  ${machineBound(raw, rawCpu, skiff, skiffCpu)}`);
  }
}

await main();
