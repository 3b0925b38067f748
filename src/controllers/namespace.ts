import type { Logger } from 'pino';
import { ApiError, type KubeObject } from '../api/index.js';
import type { Client, SharedInformerFactory } from '../client/index.js';
import type { Reconciler, Result } from './controller.js';

interface ResourceRef {
  path: string;
  plural: string;
}

interface ApiResourceList {
  groupVersion: string;
  resources: { name: string; namespaced: boolean; verbs: string[] }[];
}

/**
 * Empties a namespace that is being deleted (upstream's namespace controller): deletes every
 * namespaced object in it, waits until none is left, then removes the `kubernetes` finalizer so
 * the API server lets the namespace go.
 */
export class NamespaceController implements Reconciler {
  readonly name = 'namespace';
  private resources: ResourceRef[] | undefined;

  constructor(
    private readonly client: Client,
    private readonly informers: SharedInformerFactory,
    private readonly logger: Logger,
  ) {}

  async start(enqueue: (key: string) => void, signal: AbortSignal): Promise<void> {
    const informer = this.informers.informerFor('namespaces');
    const onChange = (ns: KubeObject) => {
      if (ns.metadata.deletionTimestamp) enqueue(ns.metadata.name!);
    };
    informer.addEventHandler({ onAdd: onChange, onUpdate: (_old, ns) => onChange(ns) });
    informer.start(signal);
    await informer.waitForSync(signal);
  }

  async reconcile(name: string, signal: AbortSignal): Promise<Result | void> {
    const namespaces = this.client.resource('namespaces');
    let ns: KubeObject;
    try {
      ns = await namespaces.get(undefined, name, { signal });
    } catch (error) {
      if (error instanceof ApiError && error.reason === 'NotFound') return;
      throw error;
    }
    if (!ns.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const resource of await this.namespacedResources(signal)) {
      const query = new URLSearchParams();
      const list = await this.client.request({ method: 'GET', path: `${resource.path}/namespaces/${name}/${resource.plural}`, query, signal });
      const items = (list.body as { items?: KubeObject[] }).items ?? [];
      if (items.length === 0) continue;
      remaining += items.length;
      if (items.some((i) => !i.metadata.deletionTimestamp)) {
        await this.client.request({ method: 'DELETE', path: `${resource.path}/namespaces/${name}/${resource.plural}`, body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }, signal });
      }
    }
    if (remaining > 0) {
      this.logger.debug({ namespace: name, remaining }, 'namespace still has content');
      return { requeueAfter: 1000 };
    }
    const spec = (ns.spec ?? {}) as { finalizers?: string[] };
    const finalizers = (spec.finalizers ?? []).filter((f) => f !== 'kubernetes');
    await this.client.request({
      method: 'PUT',
      path: `/api/v1/namespaces/${name}/finalize`,
      body: { ...ns, spec: { ...spec, finalizers } },
      signal,
    });
    this.logger.info({ namespace: name }, 'namespace emptied and finalized');
  }

  private async namespacedResources(signal: AbortSignal): Promise<ResourceRef[]> {
    if (this.resources) return this.resources;
    const groupVersions: string[] = ['v1'];
    const groups = (await this.client.request({ method: 'GET', path: '/apis', signal })).body as { groups: { versions: { groupVersion: string }[] }[] };
    for (const g of groups.groups) groupVersions.push(...g.versions.map((v) => v.groupVersion));
    const refs: ResourceRef[] = [];
    for (const gv of groupVersions) {
      const path = gv === 'v1' ? '/api/v1' : `/apis/${gv}`;
      const list = (await this.client.request({ method: 'GET', path, signal })).body as ApiResourceList;
      for (const r of list.resources) {
        if (r.namespaced && !r.name.includes('/') && r.verbs.includes('deletecollection') && r.verbs.includes('list')) refs.push({ path, plural: r.name });
      }
    }
    this.resources = refs;
    return refs;
  }
}
