/**
 * `skiff server` from an empty data dir to the first answered `kubectl get ns`.
 *
 *   node dist/bench/apiserver-startup.js [--runs 5] [--kubectl kubectl] [--cpu-prof [DIR]]
 *
 * Each run spawns the server on a fresh temp data dir (port 0), waits for its
 * `export KUBECONFIG=` line, then runs `kubectl get ns` with a fresh discovery cache and times
 * spawn → kubectl's successful exit. Target: median under 1 s.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchArgs, cpuProfileRequest } from './lib/args.js';
import { profileReport, readCpuProfile, startupPhases } from './lib/cpu-profile.js';
import { printHeader } from './lib/machine.js';
import { startSkiffServer } from './lib/skiff-server.js';
import { median, ms, verdict } from './lib/stats.js';

const args = new BenchArgs();
const runs = args.number('runs', 5);
const kubectl = args.string('kubectl', 'kubectl');
const cpuProf = cpuProfileRequest(args);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** import cost of each heavy dependency; Skiff's etcd driver is loaded only for `etcd://` endpoints */
const HEAVY_IMPORTS: { label: string; specifiers: string[] }[] = [
  { label: "Skiff's etcd driver (etcd:// only)", specifiers: [new URL('../src/store/etcd/index.js', import.meta.url).href] },
  ...[['reflect-metadata', '@peculiar/x509'], ['prom-client'], ['pino'], ['yaml'], ['better-sqlite3']].map((specifiers) => ({ label: specifiers.join(' + '), specifiers })),
];
const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const out = (line: string) => process.stdout.write(`${line}\n`);

/** Runs kubectl to completion and returns its wall time; throws on a non-zero exit. */
function runKubectl(kubeconfig: string, cacheDir: string): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(kubectl, ['get', 'ns', '--kubeconfig', kubeconfig, '--cache-dir', cacheDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const elapsed = performance.now() - started;
      if (code === 0) resolve({ ms: elapsed, stdout });
      else reject(new Error(`kubectl get ns exited ${code}: ${stderr}`));
    });
  });
}

/** Wall time of a short node process, for the baselines. */
function timeNode(nodeArgs: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { stdio: 'ignore', cwd: REPO });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`node ${nodeArgs.join(' ')} exited ${code}`))));
  });
}

async function main(): Promise<void> {
  printHeader('apiserver-startup: skiff server (empty data dir) → first answered kubectl get ns');
  const bare: number[] = [];
  const help: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(await timeNode(['-e', '0']));
    help.push(await timeNode([MAIN, 'server', '--help']));
  }
  out(`baselines (median of ${runs}): bare node start+exit ${ms(median(bare))}; skiff server --help (every module loaded, nothing started) ${ms(median(help))}`);
  const imports: string[] = [];
  for (const { label, specifiers } of HEAVY_IMPORTS) {
    const times: number[] = [];
    const code = specifiers.map((p) => `await import(${JSON.stringify(p)});`).join(' ');
    for (let i = 0; i < 3; i++) times.push(await timeNode(['--input-type=module', '-e', code]));
    imports.push(`${label} +${(median(times) - median(bare)).toFixed(0)} ms`);
  }
  out(`import cost alone over bare node (median of 3): ${imports.join(', ')}`);
  const totals: number[] = [];
  const toReady: number[] = [];
  const readyMs: number[] = [];
  const kubectlCold: number[] = [];
  const kubectlWarm: number[] = [];
  let namespaces = '';
  for (let i = 0; i < runs; i++) {
    const server = await startSkiffServer({ disableAgent: false, cpuProfileDir: cpuProf });
    try {
      const first = await runKubectl(server.kubeconfigPath, join(server.dataDir, 'kube-cache'));
      const total = performance.now() - server.spawnedAt;
      const warm = await runKubectl(server.kubeconfigPath, join(server.dataDir, 'kube-cache'));
      namespaces = first.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]).join(', ');
      totals.push(total);
      toReady.push(server.spawnToReadyMs);
      if (server.readyMs !== undefined) readyMs.push(server.readyMs);
      kubectlCold.push(first.ms);
      kubectlWarm.push(warm.ms);
      out(`run ${i + 1}: total ${ms(total)} = spawn→ready line ${ms(server.spawnToReadyMs)} (server readyMs ${server.readyMs ?? '?'}) + kubectl ${ms(first.ms)}; kubectl again with its discovery cache ${ms(warm.ms)}`);
    } finally {
      const { cpuProfile } = await server.stop();
      if (cpuProf !== undefined && i === 0 && cpuProfile) {
        const phases = startupPhases(readCpuProfile(cpuProfile), 'runServer', server.readyMs ?? 0);
        if (phases) out(`  profile phases: ${ms(phases.beforeMs)} from profiler start to runServer (module loading); during readyMs the main thread was busy ${ms(phases.busyMs)}, idle ${ms(phases.idleMs)}`);
        for (const l of profileReport(cpuProfile)) out(`  ${l}`);
      }
    }
  }
  out(`namespaces listed: ${namespaces}`);
  out(`median of ${runs}: spawn → kubectl get ns exit ${ms(median(totals))}; spawn → ready line ${ms(median(toReady))}; server readyMs ${median(readyMs).toFixed(0)} ms`);
  out(`kubectl alone: ${ms(median(kubectlCold))} against the fresh server with an empty discovery cache, ${ms(median(kubectlWarm))} with the cache filled`);
  out(`target: median under 1 s: ${verdict(median(totals) < 1000)}`);
}

await main();
