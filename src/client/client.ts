import type { KubeObject } from '../api/index.js';
import { ResourceClient } from './resource-client.js';
import { wellKnownResources, type ResourceType, type WellKnownResource } from './resource-type.js';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';

/**
 * The entry point: resource clients over one transport.
 *
 * ```ts
 * const pods = client.resource<Pod>('pods');
 * await pods.create('default', pod, { fieldManager: 'scheduler' });
 * ```
 */
export class Client {
  private readonly cache = new Map<string, ResourceClient<KubeObject>>();

  constructor(readonly transport: Transport) {}

  /** A client for a well-known plural (`'pods'`, `'deployments'` …) or any {@link ResourceType}. */
  resource<T extends KubeObject = KubeObject>(type: WellKnownResource | ResourceType): ResourceClient<T> {
    const resolved = typeof type === 'string' ? wellKnownResources[type] : type;
    if (!resolved) throw new Error(`unknown resource ${String(type)}; pass a ResourceType`);
    const key = `${resolved.group}/${resolved.version}/${resolved.plural}`;
    let rc = this.cache.get(key);
    if (!rc) {
      rc = new ResourceClient(this.transport, resolved);
      this.cache.set(key, rc);
    }
    return rc as unknown as ResourceClient<T>;
  }

  /** A raw call, for paths no resource client covers (discovery, `/version`). */
  request(req: TransportRequest): Promise<TransportResponse> {
    return this.transport.request(req);
  }
}
