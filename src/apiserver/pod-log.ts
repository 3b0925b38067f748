import { ApiError, type ApiRequest, type ApiResponse, type KubeObject } from '../api/index.js';
import { unreachable, type KubeletConnector } from './kubelet-connector.js';
import { podContainer, podNode } from './pod-container.js';

interface StateShape {
  running?: object;
  terminated?: { containerID?: string };
  waiting?: { reason?: string };
}

interface ContainerStatusShape {
  name: string;
  containerID?: string;
  state?: StateShape;
  lastState?: StateShape;
}

interface PodStatusShape {
  status?: { containerStatuses?: ContainerStatusShape[]; initContainerStatuses?: ContainerStatusShape[]; ephemeralContainerStatuses?: ContainerStatusShape[] };
}

const forwarded = ['follow', 'previous', 'tailLines', 'sinceSeconds', 'sinceTime', 'timestamps', 'limitBytes'];

/**
 * Which runtime container's log a request means, decided from the pod's status as upstream's
 * kubelet decides it (`validateContainerLogStatus`): the running one, else the terminated one,
 * else the last terminated one; `previous` the last terminated one.
 */
export function logContainerId(pod: KubeObject, container: string, previous: boolean): string {
  const status = (pod as PodStatusShape).status ?? {};
  const name = pod.metadata.name ?? '';
  const all = [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? []), ...(status.ephemeralContainerStatuses ?? [])];
  const s = all.find((c) => c.name === container);
  const strip = (id: string | undefined) => (id ?? '').replace(/^[a-z0-9]+:\/\//, '');
  if (previous) {
    const id = strip(s?.lastState?.terminated?.containerID);
    if (!id) throw new ApiError('BadRequest', `previous terminated container "${container}" in pod "${name}" not found`);
    return id;
  }
  if (s?.state?.running && s.containerID) return strip(s.containerID);
  if (s?.state?.terminated) return strip(s.state.terminated.containerID ?? s.lastState?.terminated?.containerID);
  if (s?.lastState?.terminated?.containerID) return strip(s.lastState.terminated.containerID);
  const reason = s?.state?.waiting?.reason ?? 'ContainerCreating';
  const why = reason === 'ErrImagePull' ? "image can't be pulled" : reason === 'ImagePullBackOff' ? 'trying and failing to pull image' : reason;
  throw new ApiError('BadRequest', `container "${container}" in pod "${name}" is waiting to start: ${why}`);
}

function checkOptions(query: URLSearchParams): void {
  const causes: { reason: string; message: string; field: string }[] = [];
  const int = (field: string, min: number) => {
    const raw = query.get(field);
    if (raw === null) return;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${raw}: must be greater than or equal to ${min}`, field });
  };
  int('tailLines', 0);
  int('limitBytes', 1);
  int('sinceSeconds', 1);
  if (query.has('sinceSeconds') && query.has('sinceTime')) causes.push({ reason: 'FieldValueForbidden', message: 'at most one of `sinceTime` or `sinceSeconds` may be specified', field: '' });
  if (causes.length) {
    throw new ApiError('Invalid', `PodLogOptions "" is invalid: ${causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ')}`, { kind: 'PodLogOptions', causes });
  }
}

/**
 * `GET pods/<name>/log`: checks the pod and container, then streams the log from the kubelet of
 * the pod's node (chunked text/plain). A pod not yet bound to a node has an empty log.
 */
export async function podLog(kubelet: KubeletConnector | undefined, pod: KubeObject, request: ApiRequest): Promise<ApiResponse> {
  checkOptions(request.query);
  const container = podContainer(pod, request.query.get('container'));
  const nodeName = podNode(pod);
  if (!nodeName) return { status: 200, headers: { 'content-type': 'text/plain' }, body: '' };
  const previous = request.query.get('previous') === 'true';
  const containerID = logContainerId(pod, container, previous);
  if (!kubelet) throw new ApiError('ServiceUnavailable', 'this API server has no kubelet client credentials');
  const query = new URLSearchParams();
  for (const key of forwarded) for (const value of request.query.getAll(key)) query.append(key, value);
  query.set('containerID', containerID);
  const ns = encodeURIComponent(pod.metadata.namespace ?? 'default');
  const path = `/containerLogs/${ns}/${encodeURIComponent(pod.metadata.name!)}/${encodeURIComponent(container)}`;
  const controller = new AbortController();
  request.signal.addEventListener('abort', () => controller.abort(), { once: true });
  const res = await kubelet.get(nodeName, path, query, controller.signal);
  if (res.statusCode !== 200) {
    const text = await readAll(res);
    let status: { message?: string; reason?: string; code?: number } | undefined;
    try {
      status = JSON.parse(text) as typeof status;
    } catch {
      status = undefined;
    }
    if (status?.message) throw ApiError.fromStatus({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: status.message, reason: status.reason as never, code: status.code ?? res.statusCode ?? 500 });
    throw unreachable(nodeName, new Error(`kubelet answered ${res.statusCode}: ${text}`));
  }
  return { status: 200, headers: { 'content-type': 'text/plain' }, text: body(res, controller) };
}

async function* body(res: AsyncIterable<Buffer> & { destroy(): void }, controller: AbortController): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of res) yield chunk;
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    controller.abort();
    res.destroy();
  }
}

async function readAll(res: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
