import { Status, type BindPlugin, type CycleState, type Handle, type Pod } from '../framework/index.js';

/** Upstream's DefaultBinder: writes `pods/<name>/binding` with target Node `<nodeName>`. */
export class DefaultBinder implements BindPlugin {
  static readonly pluginName = 'DefaultBinder';
  readonly name = DefaultBinder.pluginName;

  constructor(private readonly handle: Handle) {}

  /** Success when the API accepted the binding; Error otherwise (the pod is forgotten and retried). */
  async bind(_state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    const client = this.handle.client;
    if (!client) return Status.error('DefaultBinder needs a client');
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    try {
      await client.resource('pods').createSubresource(pod.metadata.namespace, pod.metadata.name!, 'binding', binding);
      return Status.success();
    } catch (err) {
      return Status.error(err as Error);
    }
  }
}
