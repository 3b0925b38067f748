import { ApiError, applyJsonPatch, applyMergePatch, conflict, type ApiRequest, type ApiResponse, type KubeObject } from '../api/index.js';
import { decodeBody, patchTypeOf } from './body.js';
import { checkDisruptionBudgets } from './disruption-budget.js';
import type { ObjectStorage, WriteContext } from './object-storage.js';
import type { RequestInfo } from './request-info.js';
import { podLog } from './pod-log.js';
import { patchObject, type ResourceHandlerContext } from './resource-handler.js';

/** status, binding, eviction, scale, finalize and pods/log (proxied to the kubelet): the subresources served over plain HTTP. */
export async function handleSubresource(ctx: ResourceHandlerContext, storage: ObjectStorage, request: ApiRequest, info: RequestInfo, write: WriteContext): Promise<ApiResponse> {
  const def = storage.def;
  const sub = info.subresource;
  if (!(def.subresources ?? []).includes(sub)) throw new ApiError('NotFound', 'the server could not find the requested resource');
  const core = def.group === '';
  if (sub === 'status') return status(storage, request, info, write);
  if (core && def.plural === 'pods' && sub === 'binding' && info.verb === 'create') return bind(storage, request, info, write);
  if (core && def.plural === 'pods' && sub === 'eviction' && info.verb === 'create') return evict(ctx, storage, request, info, write);
  if (sub === 'scale') return scale(storage, request, info, write);
  if (core && def.plural === 'pods' && sub === 'log' && info.verb === 'get') return podLog(ctx.kubelet, await storage.get(info.namespace, info.name), request);
  if (core && def.plural === 'namespaces' && sub === 'finalize' && info.verb === 'update') {
    const body = decodeBody(request) as KubeObject;
    const finalizers = (body?.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    const updated = await storage.update('', info.name, (current) => ({ ...current, spec: { ...(current.spec as object), finalizers } }), write, 'finalize');
    return { status: 200, body: updated };
  }
  throw new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource`);
}

async function status(storage: ObjectStorage, request: ApiRequest, info: RequestInfo, write: WriteContext): Promise<ApiResponse> {
  switch (info.verb) {
    case 'get':
      return { status: 200, body: await storage.get(info.namespace, info.name) };
    case 'update': {
      const body = decodeBody(request) as KubeObject;
      if (!body || typeof body !== 'object') throw new ApiError('BadRequest', 'the body of the request was empty');
      const updated = await storage.update(info.namespace, info.name, () => ({ ...body, metadata: body.metadata ?? {} }), write, 'status');
      return { status: 200, body: updated };
    }
    case 'patch':
      return { status: 200, body: await patchObject(storage, request, info, write, 'status') };
  }
  throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

async function bind(storage: ObjectStorage, request: ApiRequest, info: RequestInfo, write: WriteContext): Promise<ApiResponse> {
  const binding = decodeBody(request) as { metadata?: { name?: string; uid?: string; annotations?: Record<string, string> }; target?: { name?: string; kind?: string } };
  const node = binding?.target?.name;
  if (!node) throw new ApiError('Invalid', `Binding.meta.k8s.io "${info.name}" is invalid: target.name: Required value`, { name: info.name, kind: 'Binding', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }] });
  if (binding.target?.kind && binding.target.kind !== 'Node') throw new ApiError('BadRequest', 'must specify a Node as the target of a binding');
  await storage.update(
    info.namespace,
    info.name,
    (pod) => {
      if (binding.metadata?.uid && binding.metadata.uid !== pod.metadata.uid) throw conflict('pods', info.name, '', 'Precondition failed: UID in precondition: ' + binding.metadata.uid + ', UID in object meta: ' + pod.metadata.uid);
      if (pod.metadata.deletionTimestamp) throw new ApiError('Conflict', `pod ${info.name} is being deleted, cannot be assigned to a host`);
      const spec = pod.spec as { nodeName?: string };
      if (spec.nodeName) throw new ApiError('Conflict', `pod ${info.name} is already assigned to node "${spec.nodeName}"`);
      // a binding names no resourceVersion: a concurrent write to the pod is retried, not a conflict
      delete pod.metadata.resourceVersion;
      spec.nodeName = node;
      if (binding.metadata?.annotations) pod.metadata.annotations = { ...pod.metadata.annotations, ...binding.metadata.annotations };
      const status = (pod.status ??= {}) as { conditions?: { type: string; status: string; lastProbeTime?: null; lastTransitionTime?: string }[] };
      const conditions = (status.conditions ??= []);
      const scheduled = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: write.now.toISOString().replace(/\.\d{3}Z$/, 'Z') };
      const at = conditions.findIndex((c) => c.type === 'PodScheduled');
      if (at >= 0) conditions[at] = scheduled;
      else conditions.push(scheduled);
      return pod;
    },
    write,
    'binding',
  );
  return { status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
}

async function evict(ctx: ResourceHandlerContext, storage: ObjectStorage, request: ApiRequest, info: RequestInfo, write: WriteContext): Promise<ApiResponse> {
  const eviction = decodeBody(request) as { deleteOptions?: { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string } } } | undefined;
  const options = eviction?.deleteOptions ?? {};
  const budgets = ctx.storageFor('policy', 'poddisruptionbudgets');
  if (budgets) {
    await ctx.watchCache.waitFresh(request.signal);
    const inNamespace = (s: ObjectStorage) => s.cache.list(s.listPrefix(info.namespace), () => true).map((e) => e.object);
    const pod = await storage.get(info.namespace, info.name);
    checkDisruptionBudgets(pod, inNamespace(budgets), inNamespace(storage));
  }
  await storage.delete(info.namespace, info.name, { gracePeriodSeconds: options.gracePeriodSeconds, preconditions: options.preconditions }, write);
  return { status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
}

function toScale(storage: ObjectStorage, object: KubeObject): KubeObject {
  const spec = (object.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  const status = (object.status ?? {}) as { replicas?: number };
  const selector = Object.entries(spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: object.metadata.name, namespace: object.metadata.namespace, uid: object.metadata.uid, resourceVersion: object.metadata.resourceVersion, creationTimestamp: object.metadata.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector },
  };
}

async function scale(storage: ObjectStorage, request: ApiRequest, info: RequestInfo, write: WriteContext): Promise<ApiResponse> {
  if (info.verb === 'get') return { status: 200, body: toScale(storage, await storage.get(info.namespace, info.name)) };
  if (info.verb !== 'update' && info.verb !== 'patch') throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const body = decodeBody(request);
  const patchType = info.verb === 'patch' ? patchTypeOf(request) : undefined;
  const updated = await storage.update(
    info.namespace,
    info.name,
    (current) => {
      const currentScale = toScale(storage, current);
      let wanted: KubeObject;
      if (patchType === 'json') wanted = applyJsonPatch(currentScale, body as never) as KubeObject;
      else if (patchType) wanted = applyMergePatch(currentScale, body) as KubeObject;
      else wanted = body as KubeObject;
      const replicas = (wanted?.spec as { replicas?: unknown } | undefined)?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw new ApiError('Invalid', `Scale.autoscaling "${info.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, {
          name: info.name,
          group: 'autoscaling',
          kind: 'Scale',
          causes: [{ reason: 'FieldValueInvalid', message: 'must be greater than or equal to 0', field: 'spec.replicas' }],
        });
      }
      const pinned = wanted.metadata?.resourceVersion;
      if (pinned && !patchType && pinned !== current.metadata.resourceVersion) throw conflict(storage.def.plural, info.name, storage.def.group);
      (current.spec as { replicas?: number }).replicas = replicas;
      return current;
    },
    write,
    'scale',
  );
  return { status: 200, body: toScale(storage, updated) };
}
