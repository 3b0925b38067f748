import { ApiError, type KubeObject } from '../api/index.js';

/** The annotation naming the container `kubectl logs` and `exec` use when none is given. */
export const defaultContainerAnnotation = 'kubectl.kubernetes.io/default-container';

interface NamedContainer {
  name: string;
}

interface PodShape {
  spec?: { nodeName?: string; containers?: NamedContainer[]; initContainers?: NamedContainer[]; ephemeralContainers?: NamedContainer[] };
}

/**
 * The container a log, exec or attach request addresses: the `container` parameter (which must
 * exist in the pod), else the only container, else the default-container annotation; errors
 * worded as upstream's.
 */
export function podContainer(pod: KubeObject, requested: string | null): string {
  const spec = (pod as PodShape).spec ?? {};
  const name = pod.metadata.name ?? '';
  const containers = (spec.containers ?? []).map((c) => c.name);
  const init = (spec.initContainers ?? []).map((c) => c.name);
  const ephemeral = (spec.ephemeralContainers ?? []).map((c) => c.name);
  if (requested) {
    if (![...containers, ...init, ...ephemeral].includes(requested)) throw new ApiError('BadRequest', `container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  if (containers.length === 1) return containers[0]!;
  const annotated = pod.metadata.annotations?.[defaultContainerAnnotation];
  if (annotated && containers.includes(annotated)) return annotated;
  if (containers.length === 0) throw new ApiError('BadRequest', `a container name must be specified for pod ${name}`);
  let message = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
  if (init.length > 0) message += ` or one of the init containers: [${init.join(' ')}]`;
  throw new ApiError('BadRequest', message);
}

/** The node a pod is bound to, or undefined. */
export function podNode(pod: KubeObject): string | undefined {
  return (pod as PodShape).spec?.nodeName || undefined;
}
