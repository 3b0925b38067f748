import { runtimeLabels, type ContainerRuntime, type ContainerStatus } from '../../runtime/index.js';

/** The runtime instances of one container of one pod, newest attempt first. */
export async function containerInstances(runtime: ContainerRuntime, namespace: string, pod: string, container: string): Promise<ContainerStatus[]> {
  const matching = (await runtime.listContainers()).filter(
    (c) => c.labels[runtimeLabels.podNamespace] === namespace && c.labels[runtimeLabels.podName] === pod && c.labels[runtimeLabels.containerName] === container,
  );
  const attempt = (c: ContainerStatus) => Number(c.labels[runtimeLabels.restartCount] ?? c.attempt) || 0;
  matching.sort((a, b) => b.createdAt - a.createdAt);
  const uid = matching[0]?.labels[runtimeLabels.podUid];
  return matching.filter((c) => c.labels[runtimeLabels.podUid] === uid).sort((a, b) => attempt(b) - attempt(a) || b.createdAt - a.createdAt);
}
