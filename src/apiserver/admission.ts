import { ApiError, type KubeObject } from '../api/index.js';
import type { Admit, ObjectStorage } from './object-storage.js';

/** Namespaces that exist from the first start and may never be deleted. */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const undeletable = new Set(['default', 'kube-system', 'kube-public']);

/**
 * Upstream's NamespaceLifecycle admission: no new objects in a missing or terminating namespace,
 * and the system namespaces cannot be deleted. Like upstream it reads namespaces from a cache and
 * asks the store only when the cache does not know the namespace (yet).
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
    let ns: KubeObject | undefined = namespaces().cached('', namespace);
    try {
      ns ??= await namespaces().get('', namespace);
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

type Obj = Record<string, any>;

function podReferences(spec: Obj): { secrets: boolean; configMaps: boolean } {
  let secrets = (spec.imagePullSecrets ?? []).length > 0;
  let configMaps = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.secretKeyRef) secrets = true;
      if (e.valueFrom?.configMapKeyRef) configMaps = true;
    }
    for (const f of c.envFrom ?? []) {
      if (f.secretRef) secrets = true;
      if (f.configMapRef) configMaps = true;
    }
  }
  for (const v of spec.volumes ?? []) {
    if (v.secret) secrets = true;
    if (v.configMap) configMaps = true;
    for (const s of v.projected?.sources ?? []) {
      if (s.secret) secrets = true;
      if (s.configMap) configMaps = true;
    }
  }
  return { secrets, configMaps };
}

/**
 * Mirror pods (annotation `kubernetes.io/config.mirror`) may not reference service accounts,
 * secrets or configmaps (upstream's ServiceAccount admission), and a kubelet (user
 * `system:node:<name>`) may create only mirror pods, only for its own node (NodeRestriction).
 */
export function mirrorPodRestriction(): Admit {
  return async (operation, def, object, _old, context) => {
    if (operation !== 'CREATE' || def.group !== '' || def.plural !== 'pods') return;
    const name = object.metadata.name ?? '';
    const forbid = (message: string) => new ApiError('Forbidden', `pods "${name}" is forbidden: ${message}`, { name, kind: 'pods' });
    const mirror = object.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined;
    const user = context.user.name;
    const spec = (object.spec ?? {}) as Obj;
    if (user.startsWith('system:node:')) {
      const node = user.slice('system:node:'.length);
      if (!mirror) throw forbid(`pod does not have "kubernetes.io/config.mirror" annotation, node "${node}" can only create mirror pods`);
      if (spec.nodeName !== node) throw forbid(`node "${node}" can only create pods with spec.nodeName set to itself`);
    }
    if (!mirror) return;
    if (spec.serviceAccountName) throw forbid('a mirror pod may not reference service accounts');
    const refs = podReferences(spec);
    if (refs.secrets) throw forbid('a mirror pod may not reference secrets');
    if (refs.configMaps) throw forbid('a mirror pod may not reference configmaps');
  };
}

/** The built-in PriorityClasses the API server creates at start (upstream's SystemPriorityClasses). */
export const builtInPriorityClasses = [
  { name: 'system-node-critical', value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

interface PriorityClassObject extends KubeObject {
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
}

/**
 * Upstream's Priority admission: a new pod gets `spec.priority` (and `preemptionPolicy`) from
 * its `priorityClassName`, or from the global default class (the smallest value among
 * `globalDefault` classes; the pod then names it), or 0. An unknown class is 403 Forbidden.
 * `listClasses` may answer a moment-old list; the named class is read exactly.
 */
export function priorityAdmission(classes: () => ObjectStorage | undefined, listClasses: () => KubeObject[]): Admit {
  return async (operation, def, object) => {
    if (operation !== 'CREATE' || def.group !== '' || def.plural !== 'pods') return;
    const storage = classes();
    if (!storage) return;
    const spec = ((object as Obj).spec ??= {}) as Obj;
    const name = object.metadata.name ?? '';
    const forbid = (message: string) => new ApiError('Forbidden', `pods "${name}" is forbidden: ${message}`, { name, kind: 'pods' });
    let priority = 0;
    let policy: string | undefined;
    if (spec.priorityClassName) {
      let pc = storage.cached('', spec.priorityClassName) as PriorityClassObject | undefined;
      if (!pc) {
        try {
          pc = (await storage.get('', spec.priorityClassName)) as PriorityClassObject;
        } catch (error) {
          if (error instanceof ApiError && error.reason === 'NotFound') throw forbid(`no PriorityClass with name ${spec.priorityClassName} was found`);
          throw error;
        }
      }
      priority = pc.value ?? 0;
      policy = pc.preemptionPolicy;
    } else {
      let best: PriorityClassObject | undefined;
      for (const pc of listClasses() as PriorityClassObject[]) if (pc.globalDefault && (!best || (pc.value ?? 0) < (best.value ?? 0))) best = pc;
      if (best) {
        spec.priorityClassName = best.metadata.name;
        priority = best.value ?? 0;
        policy = best.preemptionPolicy;
      }
    }
    if (typeof spec.priority === 'number' && spec.priority !== priority) {
      throw forbid(`the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
    }
    spec.priority = priority;
    if (policy) {
      if (spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
        throw forbid(`the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
      }
      spec.preemptionPolicy = policy;
    }
  };
}
