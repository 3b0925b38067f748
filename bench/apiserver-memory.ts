/**
 * Resident memory of an idle `skiff server` (SQLite store): after 5 s idle with only the four
 * system namespaces, and again after creating 1,000 pods and idling 5 s more.
 *
 *   node dist/bench/apiserver-memory.js [--pods 1000] [--idle 5] [--cpu-prof [DIR]]
 *
 * Target: idle RSS under 150 MB.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiConnection } from './lib/api-connection.js';
import { BenchArgs, cpuProfileRequest } from './lib/args.js';
import { runCount } from './lib/closed-loop.js';
import { profileReport } from './lib/cpu-profile.js';
import { printHeader } from './lib/machine.js';
import { podBody } from './lib/pod-body.js';
import { startSkiffServer } from './lib/skiff-server.js';
import { verdict } from './lib/stats.js';

const args = new BenchArgs();
const pods = args.number('pods', 1000);
const idleMs = args.number('idle', 5) * 1000;
const cpuProf = cpuProfileRequest(args);
const out = (line: string) => process.stdout.write(`${line}\n`);
const mb = (kib: number) => `${((kib * 1024) / 1e6).toFixed(1)} MB (${(kib / 1024).toFixed(1)} MiB)`;

async function main(): Promise<void> {
  printHeader('apiserver-memory: RSS of an idle skiff server (SQLite)');
  const server = await startSkiffServer({ cpuProfileDir: cpuProf });
  const conn = new ApiConnection(server.kubeconfigPath, 32);
  try {
    await sleep(idleMs);
    const ns = JSON.parse((await conn.ok('GET', '/api/v1/namespaces')).body) as { items: { metadata: { name: string } }[] };
    const idle = server.memory();
    out(`after ${idleMs / 1000} s idle, ${ns.items.length} namespaces (${ns.items.map((n) => n.metadata.name).join(', ')}): VmRSS ${mb(idle.rssKiB)} (peak VmHWM ${mb(idle.hwmKiB)})`);
    out(`  target idle RSS < 150 MB: ${verdict(idle.rssKiB * 1024 < 150e6)}`);
    await runCount(pods, 32, async (seq) => {
      await conn.ok('POST', '/api/v1/namespaces/default/pods', podBody(`mem-${seq}`));
    });
    conn.close();
    await sleep(idleMs);
    const loaded = server.memory();
    out(`after creating ${pods} pods and ${idleMs / 1000} s idle: VmRSS ${mb(loaded.rssKiB)} (peak VmHWM ${mb(loaded.hwmKiB)})`);
    out(`  under 150 MB with ${pods} pods: ${verdict(loaded.rssKiB * 1024 < 150e6)}`);
  } finally {
    conn.close();
    const { cpuProfile } = await server.stop();
    if (cpuProf !== undefined) for (const l of profileReport(cpuProfile)) out(`  ${l}`);
  }
}

await main();
