import { allVerbs, type ResourceDef } from './resources/resource-def.js';

/** The group, version and kind a subresource answers with, and its verbs (as upstream discovery lists them). */
const subresourceShapes: Record<string, { group?: string; version?: string; kind?: string; verbs: string[] }> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
  binding: { kind: 'Binding', verbs: ['create'] },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
  log: { kind: 'Pod', verbs: ['get'] },
  exec: { kind: 'PodExecOptions', verbs: ['create', 'get'] },
  attach: { kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  portforward: { kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  ephemeralcontainers: { verbs: ['get', 'patch', 'update'] },
  finalize: { verbs: ['update'] },
  token: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] },
  proxy: { verbs: ['create', 'delete', 'get', 'patch', 'update'] },
};

const proxyKinds: Record<string, string> = { pods: 'PodProxyOptions', nodes: 'NodeProxyOptions', services: 'ServiceProxyOptions' };

function verbsOf(def: ResourceDef): string[] {
  return def.verbs ?? allVerbs;
}

function subresourceShape(def: ResourceDef, sub: string): { group: string; version: string; kind: string; verbs: string[] } {
  const shape = subresourceShapes[sub] ?? { verbs: ['get'] };
  const kind = sub === 'proxy' ? (proxyKinds[def.plural] ?? def.kind) : (shape.kind ?? def.kind);
  const group = shape.group ?? (shape.kind ? '' : def.group);
  const version = shape.version ?? (shape.kind && !shape.group ? 'v1' : def.version);
  return { group, version, kind, verbs: shape.verbs };
}

/** `group/version`, or just `version` for the core group. */
export function groupVersionOf(def: Pick<ResourceDef, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** Discovery documents built once from the resource declarations. */
export class Discovery {
  private readonly byGroupVersion = new Map<string, ResourceDef[]>();
  private readonly groups = new Map<string, string[]>();

  constructor(readonly defs: ResourceDef[]) {
    for (const def of defs) {
      const gv = groupVersionOf(def);
      if (!this.byGroupVersion.has(gv)) this.byGroupVersion.set(gv, []);
      this.byGroupVersion.get(gv)!.push(def);
      const versions = this.groups.get(def.group) ?? [];
      if (!versions.includes(def.version)) versions.push(def.version);
      this.groups.set(def.group, versions);
    }
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.byGroupVersion.has(group ? `${group}/${version}` : version);
  }

  /** `/api` */
  apiVersions(serverAddress: string): unknown {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }

  /** `/apis` */
  apiGroupList(): unknown {
    const groups = [...this.groups.entries()]
      .filter(([group]) => group !== '')
      .map(([name, versions]) => ({
        name,
        versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      }));
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }

  /** `/apis/<group>` */
  apiGroup(group: string): unknown | undefined {
    const versions = this.groups.get(group);
    if (!versions || group === '') return undefined;
    return {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: group,
      versions: versions.map((version) => ({ groupVersion: `${group}/${version}`, version })),
      preferredVersion: { groupVersion: `${group}/${versions[0]}`, version: versions[0] },
    };
  }

  /** `/api/v1`, `/apis/<group>/<version>` */
  apiResourceList(group: string, version: string): unknown | undefined {
    const gv = group ? `${group}/${version}` : version;
    const defs = this.byGroupVersion.get(gv);
    if (!defs) return undefined;
    const resources: unknown[] = [];
    for (const def of defs) {
      const entry: Record<string, unknown> = {
        name: def.plural,
        singularName: def.singular,
        namespaced: def.namespaced,
        kind: def.kind,
        verbs: verbsOf(def),
      };
      if (def.shortNames?.length) entry.shortNames = def.shortNames;
      if (def.categories?.length) entry.categories = def.categories;
      resources.push(entry);
      for (const sub of def.subresources ?? []) {
        const shape = subresourceShape(def, sub);
        const subEntry: Record<string, unknown> = { name: `${def.plural}/${sub}`, singularName: '', namespaced: def.namespaced, kind: shape.kind, verbs: shape.verbs };
        if (shape.group !== def.group || shape.version !== def.version) {
          subEntry.group = shape.group;
          subEntry.version = shape.version;
        }
        resources.push(subEntry);
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources };
  }

  /** Aggregated discovery (apidiscovery.k8s.io v2 or v2beta1) for `/api` (core) or `/apis`. */
  aggregated(core: boolean, version: 'v2' | 'v2beta1'): unknown {
    const items: unknown[] = [];
    for (const [group, versions] of this.groups) {
      if ((group === '') !== core) continue;
      items.push({
        metadata: { name: group, creationTimestamp: null },
        versions: versions.map((v) => ({
          version: v,
          resources: (this.byGroupVersion.get(group ? `${group}/${v}` : v) ?? []).map((def) => {
            const resource: Record<string, unknown> = {
              resource: def.plural,
              responseKind: { group: def.group, version: def.version, kind: def.kind },
              scope: def.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: def.singular,
              verbs: verbsOf(def),
            };
            if (def.shortNames?.length) resource.shortNames = def.shortNames;
            if (def.categories?.length) resource.categories = def.categories;
            const subs = (def.subresources ?? []).map((sub) => {
              const shape = subresourceShape(def, sub);
              return { subresource: sub, responseKind: { group: shape.group, version: shape.version, kind: shape.kind }, verbs: shape.verbs };
            });
            if (subs.length) resource.subresources = subs;
            return resource;
          }),
          freshness: 'Current',
        })),
      });
    }
    return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
  }
}

export interface MediaType {
  type: string;
  params: Record<string, string>;
}

/** Splits an Accept header into media types with their parameters, in the client's order. */
export function parseAccept(header: string | undefined): MediaType[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const record: Record<string, string> = {};
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq > 0) record[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
    }
    return { type: type.toLowerCase(), params: record };
  });
}

/** Which aggregated discovery version the client offered first, if any (strict: only g, v and as as offered). */
export function negotiateAggregated(accept: MediaType[]): 'v2' | 'v2beta1' | undefined {
  for (const media of accept) {
    if (media.type !== 'application/json' && media.type !== '*/*') continue;
    const { g, v, as } = media.params;
    if (g === undefined && v === undefined && as === undefined) return undefined;
    if (g === 'apidiscovery.k8s.io' && as === 'APIGroupDiscoveryList' && (v === 'v2' || v === 'v2beta1')) return v;
  }
  return undefined;
}
