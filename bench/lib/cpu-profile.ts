import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}

/** A V8 `.cpuprofile` as written by `node --cpu-prof`. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of the sampled time. */
export interface FunctionCost {
  name: string;
  /** `src/apiserver/x.ts:12` via the source map when there is one, else the script and line */
  location: string;
  selfMs: number;
  totalMs: number;
  /** the source line with the most self ticks inside the function (whole profile) */
  hotLine?: string;
  /** the caller that accounts for most of this function's self time */
  topCaller?: string;
}

/** The top functions of a profile over a time window. */
export interface ProfileSummary {
  windowMs: number;
  sampledMs: number;
  idleMs: number;
  bySelf: FunctionCost[];
  /** functions of Skiff's own code (src/), by inclusive time */
  ownByTotal: FunctionCost[];
  /** busy time per npm package, charged to the outermost node_modules package on the stack */
  byPackage: { name: string; ms: number }[];
}

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const maps = new Map<string, SourceMap | null>();

/**
 * Sums self and total time per function of a CPU profile, over the samples taken between
 * `fromMicros` and `toMicros` (process.hrtime µs, V8's profile clock), or the whole profile.
 */
export function summarizeCpuProfile(profile: CpuProfile, window?: [number, number], top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n: ProfileNode) => `${n.callFrame.functionName}|${n.callFrame.url}|${n.callFrame.lineNumber}|${n.callFrame.columnNumber}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const callers = new Map<string, Map<string, number>>();
  const frames = new Map<string, ProfileNode>();
  const packages = new Map<string, number>();
  const [from, to] = window ?? [profile.startTime, profile.endTime];
  let t = profile.startTime;
  let sampled = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < from || t > to) continue;
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i]) / 1000;
    const node = byId.get(profile.samples[i])!;
    sampled += dt;
    if (node.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    const key = keyOf(node);
    frames.set(key, node);
    self.set(key, (self.get(key) ?? 0) + dt);
    let callerId = parent.get(node.id);
    while (callerId !== undefined && keyOf(byId.get(callerId)!) === key) callerId = parent.get(callerId);
    if (callerId !== undefined) {
      const callerKey = keyOf(byId.get(callerId)!);
      frames.set(callerKey, byId.get(callerId)!);
      const m = callers.get(key) ?? new Map<string, number>();
      m.set(callerKey, (m.get(callerKey) ?? 0) + dt);
      callers.set(key, m);
    }
    let outermost: string | undefined;
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(byId.get(id)!.callFrame.url)?.[1];
      if (pkg) outermost = pkg;
    }
    const pkgKey = outermost ?? (node.callFrame.url.includes('/dist/src/') ? '(skiff src)' : '(node, native, gc)');
    packages.set(pkgKey, (packages.get(pkgKey) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)!;
      const k = keyOf(n);
      if (seen.has(k)) continue;
      seen.add(k);
      frames.set(k, n);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  }

  const hotLines = new Map<string, { line: number; ticks: number }>();
  for (const n of profile.nodes) {
    for (const pt of n.positionTicks ?? []) {
      const k = keyOf(n);
      const best = hotLines.get(k);
      if (!best || pt.ticks > best.ticks) hotLines.set(k, pt);
    }
  }
  const describe = (key: string): FunctionCost => {
    const n = frames.get(key)!;
    const cf = n.callFrame;
    const caller = [...(callers.get(key) ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1])[0];
    const hot = hotLines.get(key);
    return {
      name: cf.functionName || '(anonymous)',
      location: locate(cf.url, cf.lineNumber, cf.columnNumber),
      selfMs: self.get(key) ?? 0,
      totalMs: total.get(key) ?? 0,
      hotLine: hot && cf.url ? locate(cf.url, hot.line - 1, -1) : undefined,
      topCaller: caller ? `${frames.get(caller[0])!.callFrame.functionName || '(anonymous)'} ${locate(frames.get(caller[0])!.callFrame.url, frames.get(caller[0])!.callFrame.lineNumber, frames.get(caller[0])!.callFrame.columnNumber)}` : undefined,
    };
  };
  const bySelf = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k]) => describe(k));
  const ownByTotal = [...total.entries()]
    .filter(([k]) => frames.get(k)!.callFrame.url.includes('/dist/src/'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k]) => describe(k));
  const byPackage = [...packages.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([name, ms]) => ({ name, ms }));
  return { windowMs: (to - from) / 1000, sampledMs: sampled, idleMs: idle, bySelf, ownByTotal, byPackage };
}

/** Reads a `.cpuprofile` file. */
export function readCpuProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}

/** The summary as printable lines. */
export function formatProfileSummary(summary: ProfileSummary): string[] {
  const busy = summary.sampledMs - summary.idleMs;
  const out = [
    `server CPU profile: ${summary.sampledMs.toFixed(0)} ms sampled, main thread not idle ${busy.toFixed(0)} ms (${((100 * busy) / Math.max(1, summary.sampledMs)).toFixed(0)}%: running, waiting for a core, or blocked in a syscall such as fsync)`,
  ];
  out.push('  top self time:');
  for (const f of summary.bySelf) {
    out.push(`    ${f.selfMs.toFixed(0).padStart(6)} ms ${((100 * f.selfMs) / Math.max(1, busy)).toFixed(1).padStart(5)}%  ${f.name}  ${f.location}${f.hotLine ? `  (hot line ${f.hotLine})` : ''}${f.topCaller ? `  <- ${f.topCaller}` : ''}`);
  }
  out.push('  Skiff functions by total (inclusive) time:');
  for (const f of summary.ownByTotal) {
    out.push(`    ${f.totalMs.toFixed(0).padStart(6)} ms ${((100 * f.totalMs) / Math.max(1, busy)).toFixed(1).padStart(5)}%  ${f.name}  ${f.location}  (self ${f.selfMs.toFixed(0)} ms)`);
  }
  out.push('  busy time by package (outermost node_modules frame on the stack; else Skiff or node itself):');
  out.push(`    ${summary.byPackage.map((p) => `${p.name} ${p.ms.toFixed(0)} ms`).join(', ')}`);
  return out;
}

function locate(url: string, line: number, column: number): string {
  if (!url) return '(native)';
  if (!url.startsWith('file://')) return `${url}:${line + 1}`;
  const file = fileURLToPath(url);
  const map = sourceMapOf(file);
  if (map) {
    const entry = map.findEntry(line, column < 0 ? 10_000 : column) as { originalSource?: string; originalLine?: number };
    if (entry.originalSource && entry.originalLine !== undefined) {
      const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : entry.originalSource;
      return `${relative(REPO, source)}:${entry.originalLine + 1}`;
    }
  }
  return `${relative(REPO, file)}:${line + 1}`;
}

function sourceMapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    map = null;
    const mapFile = `${file}.map`;
    if (file.includes('/dist/') && existsSync(mapFile)) {
      const payload = JSON.parse(readFileSync(mapFile, 'utf8'));
      const base = new URL('.', `file://${file}`);
      payload.sources = (payload.sources as string[]).map((s) => fileURLToPath(new URL(s, base)));
      map = new SourceMap(payload);
    }
    maps.set(file, map);
  }
  return map;
}

/** Printable summary of the server's profile file over a window, or a note when there is none. */
export function profileReport(file: string | undefined, window?: [number, number], top = 20): string[] {
  if (!file) return ['server CPU profile: none written (did the server exit cleanly?)'];
  return [`profile file: ${file}`, ...formatProfileSummary(summarizeCpuProfile(readCpuProfile(file), window, top))];
}

/**
 * Splits a start-up profile at the first sample inside `entry` (e.g. `runServer`): how long the
 * process ran before it (module loading), and how much of the next `spanMs` the main thread was
 * busy rather than idle (waiting on disk, crypto threads or timers).
 */
export function startupPhases(profile: CpuProfile, entry: string, spanMs: number): { beforeMs: number; busyMs: number; idleMs: number } | undefined {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inside = (id: number) => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (byId.get(at)!.callFrame.functionName === entry) return true;
    return false;
  };
  let t = profile.startTime;
  let entryAt: number | undefined;
  let busy = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (entryAt === undefined) {
      if (inside(profile.samples[i])) entryAt = t;
      else continue;
    }
    if (t > entryAt + spanMs * 1000) break;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const name = byId.get(profile.samples[i])!.callFrame.functionName;
    if (name === '(idle)') idle += dt;
    else busy += dt;
  }
  return entryAt === undefined ? undefined : { beforeMs: (entryAt - profile.startTime) / 1000, busyMs: busy, idleMs: idle };
}
