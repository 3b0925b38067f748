import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { defaultMultiPoint, extensionPoints, type PluginRef, type PluginSet, type Plugins, type Profile } from './framework/index.js';

/** A parsed KubeSchedulerConfiguration: its profiles and the global percentageOfNodesToScore. */
export interface SchedulerConfiguration {
  profiles: Profile[];
  percentageOfNodesToScore?: number;
}

const apiVersion = 'kubescheduler.config.k8s.io/v1';

/** An error in a scheduler configuration file, naming the field at fault. */
export class SchedulerConfigError extends Error {
  constructor(field: string, message: string) {
    super(`KubeSchedulerConfiguration: ${field}: ${message}`);
    this.name = 'SchedulerConfigError';
  }
}

function pluginRefs(v: unknown, field: string): PluginRef[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new SchedulerConfigError(field, 'must be a list');
  return v.map((p, i) => {
    if (!p || typeof p !== 'object' || typeof (p as PluginRef).name !== 'string' || !(p as PluginRef).name) throw new SchedulerConfigError(`${field}[${i}].name`, 'Required value');
    const w = (p as PluginRef).weight;
    if (w !== undefined && (!Number.isInteger(w) || w < 0)) throw new SchedulerConfigError(`${field}[${i}].weight`, `Invalid value: ${JSON.stringify(w)}: must be a non-negative integer`);
    return { name: (p as PluginRef).name, weight: w };
  });
}

/**
 * Merges a user's plugin set over the default one as upstream's mergePluginSet: `*` in disabled
 * drops all defaults; a default named in disabled is dropped; an enabled plugin that is also a
 * default replaces it in place (e.g. to change its weight); others are appended.
 */
function mergePluginSet(defaults: PluginRef[], custom: PluginSet | undefined): PluginSet {
  if (!custom) return { enabled: defaults.map((p) => ({ ...p })), disabled: [] };
  const disabled = custom.disabled ?? [];
  const disabledNames = new Set(disabled.map((p) => p.name));
  const enabled = custom.enabled ?? [];
  const replaced = new Map(enabled.map((p) => [p.name, p]));
  const out: PluginRef[] = [];
  if (!disabledNames.has('*')) {
    for (const d of defaults) {
      if (disabledNames.has(d.name)) continue;
      const r = replaced.get(d.name);
      out.push(r ? { ...r } : { ...d });
      replaced.delete(d.name);
    }
  }
  for (const p of enabled) if (replaced.has(p.name)) out.push({ ...p });
  return { enabled: out, disabled };
}

function parsePlugins(raw: unknown, field: string): Plugins {
  const plugins: Plugins = {};
  if (raw === undefined || raw === null) {
    plugins.multiPoint = { enabled: defaultMultiPoint.map((p) => ({ ...p })) };
    return plugins;
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new SchedulerConfigError(field, 'must be an object');
  const known = new Set<string>([...extensionPoints, 'multiPoint']);
  for (const k of Object.keys(raw)) if (!known.has(k)) throw new SchedulerConfigError(`${field}.${k}`, `unknown extension point; known: ${[...known].join(', ')}`);
  const r = raw as Record<string, { enabled?: unknown; disabled?: unknown } | undefined>;
  const set = (k: string): PluginSet | undefined => (r[k] ? { enabled: pluginRefs(r[k]!.enabled, `${field}.${k}.enabled`), disabled: pluginRefs(r[k]!.disabled, `${field}.${k}.disabled`) } : undefined);
  plugins.multiPoint = mergePluginSet(defaultMultiPoint, set('multiPoint'));
  for (const ep of extensionPoints) {
    const s = set(ep);
    if (s) plugins[ep] = s;
  }
  return plugins;
}

function percentage(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100) throw new SchedulerConfigError(field, `Invalid value: ${JSON.stringify(v)}: not in valid range [0-100]`);
  return v;
}

/** Parses a KubeSchedulerConfiguration document (YAML or JSON text); throws SchedulerConfigError with the field at fault. */
export function parseSchedulerConfiguration(text: string): SchedulerConfiguration {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new SchedulerConfigError('<document>', `not valid YAML: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new SchedulerConfigError('<document>', 'must be an object');
  const d = doc as Record<string, unknown>;
  if (d.apiVersion !== apiVersion) throw new SchedulerConfigError('apiVersion', `Unsupported value: ${JSON.stringify(d.apiVersion)}: supported values: "${apiVersion}"`);
  if (d.kind !== 'KubeSchedulerConfiguration') throw new SchedulerConfigError('kind', `Unsupported value: ${JSON.stringify(d.kind)}: supported values: "KubeSchedulerConfiguration"`);
  const global = percentage(d.percentageOfNodesToScore, 'percentageOfNodesToScore');
  const rawProfiles = d.profiles ?? [{}];
  if (!Array.isArray(rawProfiles) || rawProfiles.length === 0) throw new SchedulerConfigError('profiles', 'Required value: at least one profile is needed');
  const names = new Set<string>();
  const profiles = rawProfiles.map((p: unknown, i: number): Profile => {
    const f = `profiles[${i}]`;
    if (!p || typeof p !== 'object') throw new SchedulerConfigError(f, 'must be an object');
    const rp = p as Record<string, unknown>;
    const schedulerName = rp.schedulerName ?? 'default-scheduler';
    if (typeof schedulerName !== 'string' || !schedulerName) throw new SchedulerConfigError(`${f}.schedulerName`, 'Required value');
    if (names.has(schedulerName)) throw new SchedulerConfigError(`${f}.schedulerName`, `Duplicate value: ${JSON.stringify(schedulerName)}`);
    names.add(schedulerName);
    const pluginConfig: Record<string, unknown> = {};
    const rawConfig = rp.pluginConfig ?? [];
    if (!Array.isArray(rawConfig)) throw new SchedulerConfigError(`${f}.pluginConfig`, 'must be a list');
    for (const [j, c] of rawConfig.entries()) {
      const name = (c as { name?: unknown })?.name;
      if (typeof name !== 'string' || !name) throw new SchedulerConfigError(`${f}.pluginConfig[${j}].name`, 'Required value');
      if (name in pluginConfig) throw new SchedulerConfigError(`${f}.pluginConfig[${j}]`, `Duplicate value: ${JSON.stringify(name)}`);
      pluginConfig[name] = (c as { args?: unknown }).args ?? {};
    }
    return {
      schedulerName,
      plugins: parsePlugins(rp.plugins, `${f}.plugins`),
      pluginConfig,
      percentageOfNodesToScore: percentage(rp.percentageOfNodesToScore, `${f}.percentageOfNodesToScore`),
    };
  });
  return { profiles, percentageOfNodesToScore: global };
}

/** Reads and parses a KubeSchedulerConfiguration file. */
export async function loadSchedulerConfiguration(path: string): Promise<SchedulerConfiguration> {
  const text = await readFile(path, 'utf8');
  try {
    return parseSchedulerConfiguration(text);
  } catch (err) {
    if (err instanceof SchedulerConfigError) err.message = `${path}: ${err.message}`;
    throw err;
  }
}
