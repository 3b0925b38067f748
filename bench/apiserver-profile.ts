/**
 * Summarizes a V8 CPU profile (as written by `--cpu-prof`) of the server: top self time and
 * Skiff's own functions by inclusive time, with source-mapped `src/…ts:line` locations.
 *
 *   node dist/bench/apiserver-profile.js --file CPU.….cpuprofile [--top 25]
 */
import { BenchArgs } from './lib/args.js';
import { formatProfileSummary, readCpuProfile, summarizeCpuProfile } from './lib/cpu-profile.js';

const args = new BenchArgs();
const file = args.string('file', '');
if (!file) {
  process.stderr.write('usage: node dist/bench/apiserver-profile.js --file PROFILE.cpuprofile [--top 25]\n');
  process.exit(2);
}
for (const line of formatProfileSummary(summarizeCpuProfile(readCpuProfile(file), undefined, args.number('top', 25)))) process.stdout.write(`${line}\n`);
