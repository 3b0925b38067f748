import { parseQuantity } from '../api/index.js';
import type { Container, EnvVar, Pod } from './pod-types.js';

/** Reads ConfigMap and Secret data (Secret values already decoded); `undefined` when the object is missing. */
export interface ConfigLookup {
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

/** A container's configuration cannot be made (reason `CreateContainerConfigError`). */
export class ContainerConfigError extends Error {
  readonly code = 'CreateContainerConfigError';
}

/** What fieldRef and resourceFieldRef read besides the pod. */
export interface EnvContext {
  hostIP: string;
  podIPs: string[];
  /** node allocatable, used for resourceFieldRef of a resource without a limit */
  allocatable: Record<string, string>;
}

/** The value of a downward API `fieldPath` (upstream's ExtractFieldPathAsString plus status fields). */
export function podFieldValue(pod: Pod, fieldPath: string, ctx: EnvContext): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP':
      return ctx.hostIP;
    case 'status.hostIPs':
      return ctx.hostIP;
    case 'status.podIP':
      return ctx.podIPs[0] ?? '';
    case 'status.podIPs':
      return ctx.podIPs.join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}="${map![k]!.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`)
    .join('\n');
}

/** The value of a resourceFieldRef: the limit (or request), else node allocatable, divided and rounded up. */
export function resourceFieldValue(pod: Pod, containerName: string, ref: { resource: string; divisor?: string }, ctx: EnvContext): string {
  const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  const c = all.find((x) => x.name === containerName);
  if (!c) throw new ContainerConfigError(`resourceFieldRef: no container ${containerName}`);
  const [kind, resource] = ref.resource.split('.', 2) as [string, string];
  const set = kind === 'limits' ? c.resources?.limits : c.resources?.requests;
  let raw = set?.[resource];
  if (raw === undefined) raw = kind === 'limits' ? ctx.allocatable[resource] : '0';
  const value = parseQuantity(raw ?? '0');
  const divisor = parseQuantity(ref.divisor ?? '1') || 1;
  return String(Math.ceil(value / divisor - 1e-9));
}

/** Expands `$(VAR)` from `vars`; `$$` escapes a `$`; unknown references stay as written (upstream's expansion.Expand). */
export function expandVars(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      out += vars.has(name) ? vars.get(name)! : `$(${name})`;
      i = end;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * A container's environment in order: envFrom sources, then env (later names win), each `value`
 * expanded against what came before; a missing ConfigMap, Secret or key that is not optional
 * throws {@link ContainerConfigError}.
 */
export async function resolveEnv(pod: Pod, container: Container, lookup: ConfigLookup, ctx: EnvContext): Promise<{ name: string; value: string }[]> {
  const namespace = pod.metadata.namespace ?? 'default';
  const vars = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? 'configmap' : 'secret';
    const data = from.configMapRef ? await lookup.configMap(namespace, ref.name) : await lookup.secret(namespace, ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${kind} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(data)) vars.set(`${from.prefix ?? ''}${k}`, v);
  }
  for (const env of container.env ?? []) {
    const value = await envValue(pod, container, env, vars, lookup, ctx, namespace);
    if (value !== undefined) vars.set(env.name, value);
  }
  return [...vars].map(([name, value]) => ({ name, value }));
}

async function envValue(pod: Pod, container: Container, env: EnvVar, vars: Map<string, string>, lookup: ConfigLookup, ctx: EnvContext, namespace: string): Promise<string | undefined> {
  const from = env.valueFrom;
  if (!from) return expandVars(env.value ?? '', vars);
  if (from.fieldRef) return podFieldValue(pod, from.fieldRef.fieldPath, ctx);
  if (from.resourceFieldRef) return resourceFieldValue(pod, from.resourceFieldRef.containerName || container.name, from.resourceFieldRef, ctx);
  const keyRef = from.configMapKeyRef ?? from.secretKeyRef;
  if (!keyRef) return '';
  const kind = from.configMapKeyRef ? 'configmap' : 'secret';
  const data = from.configMapKeyRef ? await lookup.configMap(namespace, keyRef.name) : await lookup.secret(namespace, keyRef.name);
  if (!data) {
    if (keyRef.optional) return undefined;
    throw new ContainerConfigError(`${kind} "${keyRef.name}" not found`);
  }
  if (!(keyRef.key in data)) {
    if (keyRef.optional) return undefined;
    throw new ContainerConfigError(`couldn't find key ${keyRef.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${namespace}/${keyRef.name}`);
  }
  return data[keyRef.key];
}

/** command and args with `$(VAR)` expanded against the resolved environment. */
export function expandCommand(container: Container, env: { name: string; value: string }[]): { command: string[]; args: string[] } {
  const vars = new Map(env.map((e) => [e.name, e.value]));
  return {
    command: (container.command ?? []).map((s) => expandVars(s, vars)),
    args: (container.args ?? []).map((s) => expandVars(s, vars)),
  };
}
