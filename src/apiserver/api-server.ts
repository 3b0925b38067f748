import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { ApiError, type ApiHandler, type ApiRequest, type ApiResponse, type KubeObject, type UserInfo } from '../api/index.js';
import { StoreError, type Store } from '../store/index.js';
import { admissionChain, builtInPriorityClasses, mirrorPodRestriction, namespaceLifecycle, priorityAdmission, systemNamespaces } from './admission.js';
import { Discovery, negotiateAggregated, parseAccept } from './discovery.js';
import { HealthEndpoints, conditionCheck, passingCheck, storeCheck } from './health-checks.js';
import { ObjectStorage, type WriteContext } from './object-storage.js';
import { OpenApiService } from './openapi/index.js';
import { parseRequestInfo } from './request-info.js';
import { handleResource } from './resource-handler.js';
import { resourceKeyPrefix } from './resource-keys.js';
import type { ResourceDef } from './resources/resource-def.js';
import { WatchCache } from './watch-cache.js';
import { apiServiceIp, parseIpv4Cidr, serviceIpAllocation, type Ipv4Range } from './service-ips.js';
import { KubeletConnector, type KubeletClientCredentials } from './kubelet-connector.js';

/** The Kubernetes version Skiff's API answers as (kubectl's skew warning reads it). */
export const kubernetesVersion = { major: '1', minor: '32', gitVersion: 'v1.32.0-skiff' };

export interface ApiServerOptions {
  store: Store;
  resources: ResourceDef[];
  logger: Logger;
  now?: () => Date;
  /** host:port the server is reached at, for `/api`'s serverAddressByClientCIDRs */
  serverAddress?: string;
  metrics?: Registry;
  bookmarkIntervalMs?: number;
  /** events each kind keeps for watches that resume from a resourceVersion (10,000 unless told) */
  watchHistoryLimit?: number;
  /** the API server's client certificate for kubelets (logs, exec, attach); without it those answer 503 */
  kubeletClient?: KubeletClientCredentials;
  /** where Services get their ClusterIPs (`--service-cidr`, 10.43.0.0/16 unless told) */
  serviceCidr?: string;
}

/** Answers a GET under a registered non-resource prefix; `path` has no trailing slash. Throw ApiError for failures. */
export type NonResourceHandler = (request: ApiRequest, path: string) => Promise<ApiResponse>;

const publicPaths = new Set(['/healthz', '/livez', '/readyz', '/version']);
const systemUser: UserInfo = { name: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] };

/**
 * The request pipeline: authentication (done by the transport) → authorization → routing →
 * admission → storage. `handle` is what the HTTPS server and the in-process transport call.
 */
export class ApiServer {
  readonly discovery: Discovery;
  readonly openApi: OpenApiService;
  readonly watchCache: WatchCache;
  readonly metrics: Registry;
  /** reaches kubelets for logs, exec and attach, when `kubeletClient` was given */
  readonly kubelet?: KubeletConnector;
  private readonly storages = new Map<string, ObjectStorage>();
  private readonly nonResourceHandlers: Array<[string, NonResourceHandler]> = [];
  private readonly metricsSources: Array<() => Promise<string>> = [];
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly serviceRange: Ipv4Range;
  private readonly health: HealthEndpoints;
  private started = false;
  private stopping = false;

  constructor(private readonly options: ApiServerOptions) {
    this.logger = options.logger;
    this.serviceRange = parseIpv4Cidr(options.serviceCidr ?? '10.43.0.0/16');
    this.now = options.now ?? (() => new Date());
    this.metrics = options.metrics ?? new Registry();
    if (options.kubeletClient) this.kubelet = new KubeletConnector(options.kubeletClient, (name) => this.storage('', 'nodes').get('', name));
    this.discovery = new Discovery(options.resources);
    this.openApi = new OpenApiService(options.resources, `v${kubernetesVersion.major}.${kubernetesVersion.minor}.0`);
    const bookmarkKinds = new Map(options.resources.filter((d) => !d.storedAs).map((d) => [resourceKeyPrefix(d), { apiVersion: d.group ? `${d.group}/${d.version}` : d.version, kind: d.kind }]));
    this.watchCache = new WatchCache({
      store: options.store,
      root: '/registry/',
      prefixes: [...new Set(options.resources.filter((def) => !def.review).map(resourceKeyPrefix))],
      logger: this.logger.child({ component: 'watch-cache' }),
      bookmarkIntervalMs: options.bookmarkIntervalMs,
      historyLimit: options.watchHistoryLimit,
      bookmarkKinds,
    });
    const priorityClasses = () => this.storages.get('scheduling.k8s.io/priorityclasses');
    const admit = admissionChain(
      namespaceLifecycle(() => this.storage('', 'namespaces')),
      mirrorPodRestriction(),
      priorityAdmission(priorityClasses, () => this.priorityClassList()),
      serviceIpAllocation(() => this.storage('', 'services'), this.serviceRange),
    );
    for (const def of options.resources) {
      this.storages.set(`${def.group}/${def.plural}`, new ObjectStorage(def, options.store, this.watchCache, admit));
    }
    const live = [passingCheck('ping'), passingCheck('log'), storeCheck('etcd', options.store)];
    this.health = new HealthEndpoints(
      {
        healthz: live,
        livez: live,
        readyz: [
          ...live,
          storeCheck('etcd-readiness', options.store),
          conditionCheck('informer-sync', () => (this.started ? undefined : 'the watch cache has not been filled yet')),
          conditionCheck('shutdown', () => (this.stopping ? 'the server is shutting down' : undefined)),
        ],
      },
      this.logger.child({ component: 'health' }),
    );
  }

  storage(group: string, plural: string): ObjectStorage {
    const storage = this.storages.get(`${group}/${plural}`);
    if (!storage) throw new Error(`no storage for ${plural}.${group}`);
    return storage;
  }

  /** Fills the watch cache and makes sure the system namespaces exist. */
  async start(): Promise<void> {
    await this.watchCache.start();
    this.started = true;
    const namespaces = this.storage('', 'namespaces');
    for (const name of systemNamespaces) {
      try {
        await namespaces.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { user: systemUser, dryRun: false, now: this.now() });
      } catch (error) {
        if (!(error instanceof ApiError && error.reason === 'AlreadyExists')) throw error;
      }
    }
    const priorityClasses = this.storages.get('scheduling.k8s.io/priorityclasses');
    for (const pc of priorityClasses ? builtInPriorityClasses : []) {
      const object = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: pc.name }, value: pc.value, description: pc.description } as KubeObject;
      try {
        await priorityClasses!.create('', object, { user: systemUser, dryRun: false, now: this.now() });
      } catch (error) {
        if (!(error instanceof ApiError && error.reason === 'AlreadyExists')) throw error;
      }
    }
  }

  /**
   * The `default/kubernetes` Service (the first address of the service range, port 443), and its
   * Endpoints and EndpointSlice pointing at this server, as upstream's apiserver keeps them
   * (kubectl 1.33 describes a service from its slices); `address` is an IP.
   */
  async publishApiService(address: string, port: number): Promise<void> {
    const write = { user: systemUser, dryRun: false, now: this.now() };
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { type: 'ClusterIP', clusterIP: apiServiceIp(this.serviceRange), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }], sessionAffinity: 'None' },
    } as KubeObject;
    const subsets = [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }];
    const endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets,
    } as KubeObject;
    const sliceFields = { endpoints: [{ addresses: [address], conditions: { ready: true } }], ports: [{ name: 'https', port, protocol: 'TCP' }] };
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: address.includes(':') ? 'IPv6' : 'IPv4',
      ...sliceFields,
    } as KubeObject;
    const kept: [string, string, KubeObject, Record<string, unknown> | undefined][] = [
      ['', 'services', service, undefined],
      ['', 'endpoints', endpoints, { subsets }],
      ['discovery.k8s.io', 'endpointslices', slice, sliceFields],
    ];
    for (const [group, plural, object, current] of kept) {
      const storage = this.storages.get(`${group}/${plural}`);
      if (!storage) continue;
      // a service that exists keeps its address (creating it again would first try to allocate it)
      if (!current && (await storage.get('default', 'kubernetes').catch(() => undefined))) continue;
      try {
        await storage.create('default', structuredClone(object), write);
      } catch (error) {
        if (!(error instanceof ApiError && error.reason === 'AlreadyExists')) throw error;
        // a user's change to the service stays; the server's address is brought up to date
        if (current) await storage.update('default', 'kubernetes', (stored) => ({ ...stored, ...structuredClone(current) }), write);
      }
    }
  }

  stop(): void {
    this.stopping = true;
    this.watchCache.stop();
  }

  /**
   * Adds metrics kept outside `metrics` (e.g. by a component on a worker thread) to `/metrics`:
   * `source` answers them in the same text format, each metric ending with a newline.
   */
  addMetricsSource(source: () => Promise<string>): void {
    this.metricsSources.push(source);
  }

  /**
   * Serves GET requests under a non-resource path prefix (e.g. `/debug/scheduler/`) with a handler
   * that another component registers, so the server needs no import of it. Requests are
   * authenticated like every other non-public path. Throws if the prefix is taken.
   */
  registerNonResource(pathPrefix: string, handler: NonResourceHandler): void {
    if (this.nonResourceHandlers.some(([p]) => p === pathPrefix)) throw new Error(`a handler for ${pathPrefix} is already registered`);
    this.nonResourceHandlers.push([pathPrefix, handler]);
  }

  /** The PriorityClasses as the watch cache holds them (a few objects). */
  private priorityClassList(): KubeObject[] {
    const storage = this.storages.get('scheduling.k8s.io/priorityclasses');
    if (!storage) return [];
    return this.watchCache.cache(storage.listPrefix('')).list(storage.listPrefix(''), () => true).map((e) => e.object);
  }

  readonly handle: ApiHandler = async (request) => {
    try {
      return await this.route(request);
    } catch (error) {
      if (error instanceof ApiError) return { status: error.code, body: error.toStatus() };
      if (error instanceof StoreError && error.code === 'Timeout') {
        this.logger.warn({ err: error, method: request.method, path: request.path }, 'request timed out waiting for the store');
        return { status: 504, body: new ApiError('Timeout', 'Timeout: request did not complete within requested timeout - context deadline exceeded', {}).toStatus() };
      }
      this.logger.error({ err: error, method: request.method, path: request.path }, 'request failed');
      const internal = new ApiError('InternalError', `Internal error occurred: ${(error as Error).message}`);
      return { status: 500, body: internal.toStatus() };
    }
  };

  private async route(request: ApiRequest): Promise<ApiResponse> {
    const path = request.path.length > 1 && request.path.endsWith('/') ? request.path.slice(0, -1) : request.path;
    if (!request.user && !publicPaths.has(path)) throw new ApiError('Unauthorized', 'Unauthorized');
    const info = parseRequestInfo({ method: request.method, path, query: request.query });
    if (info.isResourceRequest && info.resource) {
      const user = request.user!;
      const write: WriteContext = { user, dryRun: request.query.getAll('dryRun').includes('All'), now: this.now() };
      return handleResource(
        {
          store: this.options.store,
          watchCache: this.watchCache,
          storageFor: (group, plural) => this.storages.get(`${group}/${plural}`),
          kubelet: this.kubelet,
          now: this.now,
        },
        request,
        info,
        write,
      );
    }
    return this.nonResource(request, path);
  }

  private async nonResource(request: ApiRequest, path: string): Promise<ApiResponse> {
    if (request.method !== 'GET' && request.method !== 'HEAD') throw new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource`);
    if (this.openApi.handles(path)) return this.openApi.serve(request, path);
    for (const [prefix, handler] of this.nonResourceHandlers) if (path.startsWith(prefix)) return handler(request, path);
    if (this.health.handles(path)) return this.health.serve(request, path);
    switch (path) {
      case '/version':
        return {
          status: 200,
          body: { ...kubernetesVersion, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: `node${process.versions.node}`, compiler: 'skiff', platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}` },
        };
      case '/metrics':
        return { status: 200, headers: { 'content-type': this.metrics.contentType }, body: (await this.metrics.metrics()) + (await Promise.all(this.metricsSources.map((source) => source()))).join('') };
      case '/api':
      case '/apis': {
        const aggregated = negotiateAggregated(parseAccept(request.headers.accept));
        if (aggregated) {
          return {
            status: 200,
            headers: { 'content-type': `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList` },
            body: this.discovery.aggregated(path === '/api', aggregated),
          };
        }
        return { status: 200, body: path === '/api' ? this.discovery.apiVersions(this.options.serverAddress ?? '127.0.0.1:6443') : this.discovery.apiGroupList() };
      }
    }
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'api' && parts.length === 2) {
      const list = this.discovery.apiResourceList('', parts[1]);
      if (list) return { status: 200, body: list };
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const group = this.discovery.apiGroup(parts[1]);
      if (group) return { status: 200, body: group };
    }
    if (parts[0] === 'apis' && parts.length === 3) {
      const list = this.discovery.apiResourceList(parts[1], parts[2]);
      if (list) return { status: 200, body: list };
    }
    throw new ApiError('NotFound', 'the server could not find the requested resource');
  }
}
