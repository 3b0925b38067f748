import { ApiError, type KubeObject } from '../api/index.js';
import type { Admit, ObjectStorage } from './object-storage.js';

/** Namespaces that exist from the first start and may never be deleted. */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const undeletable = new Set(['default', 'kube-system', 'kube-public']);

/**
 * Upstream's NamespaceLifecycle admission: no new objects in a missing or terminating namespace,
 * and the system namespaces cannot be deleted.
 */
export function namespaceLifecycle(namespaces: () => ObjectStorage): Admit {
  return async (operation, def, object) => {
    if (def.group === '' && def.plural === 'namespaces') {
      if (operation === 'DELETE' && undeletable.has(object.metadata.name ?? '')) {
        throw new ApiError('Forbidden', `namespaces "${object.metadata.name}" is forbidden: this namespace may not be deleted`, { name: object.metadata.name, kind: 'namespaces' });
      }
      return;
    }
    if (operation !== 'CREATE' || !def.namespaced) return;
    const namespace = object.metadata.namespace ?? '';
    let ns: KubeObject;
    try {
      ns = await namespaces().get('', namespace);
    } catch (error) {
      if (error instanceof ApiError && error.reason === 'NotFound') {
        throw new ApiError('NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
      }
      throw error;
    }
    if (ns.metadata.deletionTimestamp && !(def.group === 'events.k8s.io' || (def.group === '' && def.plural === 'events'))) {
      throw new ApiError('Forbidden', `${def.plural}${def.group ? '.' + def.group : ''} "${object.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
        name: object.metadata.name,
        group: def.group || undefined,
        kind: def.plural,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  };
}

/** Runs admission plugins in order. */
export function admissionChain(...plugins: Admit[]): Admit {
  return async (operation, def, object, old, context) => {
    for (const plugin of plugins) await plugin(operation, def, object, old, context);
  };
}
