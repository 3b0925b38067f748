import { labelSelectorFromMeta, matchLabelSelector, selectorFromSet, type KubeObject, type LabelRequirement, type LabelSelector, type LabelSelectorMeta } from '../../api/index.js';
import type { Informer } from '../../client/index.js';
import type { Pod } from '../framework/index.js';

/** The informers the default spreading selector reads. */
export interface SpreadOwnerLookup {
  services: Informer<KubeObject & { spec?: { selector?: Record<string, string> } }>;
  replicasets: Informer<KubeObject & { spec?: { selector?: object } }>;
  statefulsets: Informer<KubeObject & { spec?: { selector?: object } }>;
}

/**
 * The selector system default constraints spread a pod by (upstream's helper.DefaultSelector):
 * the selectors of the Services selecting the pod, and of its owning ReplicaSet or StatefulSet,
 * merged. Undefined when the pod belongs to none of them.
 */
export function defaultSpreadSelector(pod: Pod, lookup: SpreadOwnerLookup | undefined): LabelSelector | undefined {
  if (!lookup) return undefined;
  const ns = pod.metadata.namespace ?? '';
  const labels = pod.metadata.labels ?? {};
  const set: Record<string, string> = {};
  for (const svc of lookup.services.store.byIndex('namespace', ns)) {
    const sel = svc.spec?.selector;
    if (!sel || Object.keys(sel).length === 0) continue;
    if (matchLabelSelector(selectorFromSet(sel), labels)) Object.assign(set, sel);
  }
  const reqs: LabelRequirement[] = [...selectorFromSet(set).requirements];
  for (const ref of pod.metadata.ownerReferences ?? []) {
    if (!ref.controller) continue;
    const informer = ref.kind === 'ReplicaSet' ? lookup.replicasets : ref.kind === 'StatefulSet' ? lookup.statefulsets : undefined;
    const owner = informer?.store.getByName(ns, ref.name);
    if (!owner?.spec?.selector) continue;
    try {
      const sel = labelSelectorFromMeta(owner.spec.selector as LabelSelectorMeta);
      if (!sel.nothing) reqs.push(...sel.requirements);
    } catch {
      continue;
    }
  }
  return reqs.length > 0 ? { requirements: reqs } : undefined;
}
