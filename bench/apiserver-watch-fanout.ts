/**
 * Write-to-event delay with many concurrent watchers.
 *
 *   node dist/bench/apiserver-watch-fanout.js [--watchers 1000] [--writes 20] [--spacing 200]
 *        [--store sqlite|etcd] [--cpu-prof [DIR]]
 *
 * Opens N watches on pods in namespace default (each on its own HTTPS connection), then creates
 * a pod every `spacing` ms; for each write and each watcher, the delay from the write's response
 * to that watcher's event arriving. Target: p99 under 100 ms.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEtcd, type RunningEtcd } from '../test/e2e/lib/etcd.js';
import { ApiConnection } from './lib/api-connection.js';
import { BenchArgs, cpuProfileRequest } from './lib/args.js';
import { micros } from './lib/closed-loop.js';
import { profileReport } from './lib/cpu-profile.js';
import { printHeader } from './lib/machine.js';
import { podBody } from './lib/pod-body.js';
import { startSkiffServer } from './lib/skiff-server.js';
import { ms, percentile, verdict } from './lib/stats.js';

const args = new BenchArgs();
const watchers = args.number('watchers', 1000);
const writes = args.number('writes', 20);
const spacingMs = args.number('spacing', 200);
const store = args.string('store', 'sqlite');
const cpuProf = cpuProfileRequest(args);
const out = (line: string) => process.stdout.write(`${line}\n`);
const PATH = '/api/v1/namespaces/default/pods';

interface Arrival {
  at: number;
  chunk: Buffer;
}

/** Arrival time of each `ADDED` event per pod name, from one watcher's chunks. */
function arrivals(chunks: Arrival[]): Map<string, number> {
  const seen = new Map<string, number>();
  let pending = '';
  for (const { at, chunk } of chunks) {
    pending += chunk.toString('utf8');
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!text.trim()) continue;
      const event = JSON.parse(text) as { type: string; object: { metadata?: { name?: string } } };
      const name = event.object.metadata?.name;
      if (event.type === 'ADDED' && name && !seen.has(name)) seen.set(name, at);
    }
  }
  return seen;
}

async function main(): Promise<void> {
  printHeader(`apiserver-watch-fanout: ${watchers} watchers, ${writes} writes ${spacingMs} ms apart (store ${store})`);
  const etcd: RunningEtcd | undefined = store === 'etcd' ? await startEtcd() : undefined;
  const server = await startSkiffServer({ datastoreEndpoint: etcd?.endpoint, cpuProfileDir: cpuProf });
  const watchConn = new ApiConnection(server.kubeconfigPath, watchers + 10);
  const writeConn = new ApiConnection(server.kubeconfigPath, 1);
  const stop = new AbortController();
  setMaxListeners(watchers + 10, stop.signal);
  let window: [number, number] | undefined;
  try {
    const list = JSON.parse((await writeConn.ok('GET', `${PATH}?limit=1`)).body) as { metadata: { resourceVersion: string } };
    const rv = list.metadata.resourceVersion;
    const streams: Arrival[][] = Array.from({ length: watchers }, () => []);
    const openStart = performance.now();
    for (let i = 0; i < watchers; i += 50) {
      const batch = streams.slice(i, i + 50).map(async (chunks) => {
        const status = await watchConn.stream(`${PATH}?watch=true&resourceVersion=${rv}`, (chunk, at) => chunks.push({ at, chunk }), stop.signal);
        if (status !== 200) throw new Error(`watch answered HTTP ${status}`);
      });
      await Promise.all(batch);
    }
    out(`opened ${watchers} watches (one TLS connection each) in ${ms(performance.now() - openStart)}; server RSS now ${(server.memory().rssKiB / 1024).toFixed(0)} MiB`);
    await sleep(500);

    const warm = await writeConn.ok('POST', PATH, podBody('watch-warmup'));
    await sleep(spacingMs);
    const from = micros();
    const sent: { name: string; requestAt: number; responseAt: number }[] = [];
    for (let i = 0; i < writes; i++) {
      const name = `watch-probe-${i}`;
      const requestAt = performance.now();
      const res = await writeConn.ok('POST', PATH, podBody(name));
      sent.push({ name, requestAt, responseAt: requestAt + res.ms });
      await sleep(Math.max(0, spacingMs - res.ms));
    }
    await sleep(2000);
    window = [from, micros()];
    stop.abort();

    const fromResponse: number[] = [];
    const fromRequest: number[] = [];
    const perWrite: number[] = [];
    let missing = 0;
    const seen = streams.map(arrivals);
    for (const w of sent) {
      const delays: number[] = [];
      for (const s of seen) {
        const at = s.get(w.name);
        if (at === undefined) {
          missing++;
          continue;
        }
        delays.push(at - w.responseAt);
        fromRequest.push(at - w.requestAt);
      }
      fromResponse.push(...delays);
      perWrite.push(percentile(delays, 99));
    }
    out(`write latency (create, 1 client): first ${ms(warm.ms)} (warm-up, not counted), then median ${ms(percentile(sent.map((s) => s.responseAt - s.requestAt), 50))}`);
    out(`deliveries: ${fromResponse.length} of ${watchers * writes} (${missing} missing after 2 s)`);
    out(`delay write response → event: p50 ${ms(percentile(fromResponse, 50))}, p99 ${ms(percentile(fromResponse, 99))}, max ${ms(Math.max(...fromResponse))}, min ${ms(Math.min(...fromResponse))}`);
    out(`delay write request sent → event: p50 ${ms(percentile(fromRequest, 50))}, p99 ${ms(percentile(fromRequest, 99))}, max ${ms(Math.max(...fromRequest))}`);
    out(`per-write p99 (response → event), in order: ${perWrite.map((v) => v.toFixed(0)).join(' ')} ms`);
    out(`target: every watcher sees a write within 100 ms (p99): ${verdict(missing === 0 && percentile(fromResponse, 99) < 100)}`);
  } finally {
    stop.abort();
    watchConn.close();
    writeConn.close();
    const { cpuProfile } = await server.stop();
    await etcd?.stop();
    if (cpuProf !== undefined) for (const l of profileReport(cpuProfile, window)) out(`  ${l}`);
  }
}

await main();
