import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { defaultPod, validatePod, type KubeObject } from '../../api/index.js';
import { configAnnotations, rfc3339, type Pod } from '../pod-types.js';

/** A static pod file or URL answer that cannot be used. */
export class StaticPodError extends Error {
  readonly code = 'InvalidStaticPod';
}

/** Parses one YAML or JSON document holding a Pod (or, from a URL, a PodList). */
export function parsePods(text: string, allowList: boolean): KubeObject[] {
  const docs = parseAllDocuments(text).filter((d) => d.contents !== null);
  if (docs.length !== 1) throw new StaticPodError(docs.length === 0 ? 'no pod in the manifest' : 'a manifest file must hold exactly one pod');
  const doc = docs[0]!;
  if (doc.errors.length) throw new StaticPodError(doc.errors[0]!.message);
  const obj = doc.toJS() as KubeObject | null;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new StaticPodError('the manifest is not an object');
  if (obj.kind === 'PodList' && allowList) return ((obj.items as KubeObject[] | undefined) ?? []).map((i) => ({ apiVersion: 'v1', kind: 'Pod', ...i }));
  if (obj.kind !== 'Pod' || (obj.apiVersion ?? 'v1') !== 'v1') throw new StaticPodError(`want a v1 Pod, got ${String(obj.apiVersion)}/${String(obj.kind)}`);
  return [obj];
}

/**
 * Upstream's applyDefaults for file and http pods: UID and `config.hash` = hex MD5 of
 * `host:<node>`, `file:<path>` (or `url:<url>`) and the content; name `<name>-<node>`; namespace
 * `default`; `spec.nodeName`; a toleration of every NoExecute taint; `config.source` and
 * `config.seen`. Then API defaulting and validation, so a bad pod is refused like the API would.
 */
export function staticPodFrom(raw: KubeObject, source: 'file' | 'http', location: string, nodeName: string, seenAt: number): Pod {
  const pod = structuredClone(raw) as Pod;
  if (!pod.metadata?.name) throw new StaticPodError('metadata.name: Required value: name or generateName is required');
  const hash = createHash('md5')
    .update(`host:${nodeName}`)
    .update(source === 'file' ? `file:${location}` : `url:${location}`)
    .update(JSON.stringify(raw))
    .digest('hex');
  pod.metadata = { ...pod.metadata, uid: hash, name: `${pod.metadata.name}-${nodeName.toLowerCase()}`, namespace: pod.metadata.namespace || 'default' };
  pod.metadata.annotations = { ...pod.metadata.annotations, [configAnnotations.hash]: hash, [configAnnotations.source]: source, [configAnnotations.seen]: rfc3339(seenAt) };
  delete pod.metadata.resourceVersion;
  pod.spec = { ...(pod.spec ?? { containers: [] }), nodeName };
  pod.spec.tolerations = [...(pod.spec.tolerations ?? []), { operator: 'Exists', effect: 'NoExecute' }];
  defaultPod(pod);
  const errors = validatePod(pod);
  if (errors.length) throw new StaticPodError(errors.map((e) => `${e.field}: ${e.message}`).join(', '));
  if ((pod.spec as Record<string, unknown>).ephemeralContainers) throw new StaticPodError('static pods do not support ephemeral containers');
  delete pod.status;
  return pod;
}
