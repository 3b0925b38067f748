import { labelSelectorFromMeta, matchLabelSelector, nothing, type LabelSelector } from '../../api/index.js';
import type { Pod, PodAffinityTerm } from '../framework/index.js';

/** A pod (anti-)affinity term with its selectors parsed (upstream's framework.AffinityTerm). */
export interface AffinityTerm {
  selector: LabelSelector;
  /** namespaces named by the term (the owner's own namespace when neither namespaces nor namespaceSelector is set) */
  namespaces: Set<string>;
  /** nothing() when namespaceSelector is unset; everything() when it is `{}` */
  namespaceSelector: LabelSelector;
  topologyKey: string;
  weight: number;
}

/** The parsed terms of one pod, computed once per pod object. */
export interface PodAffinityTerms {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: AffinityTerm[];
  preferredAntiAffinity: AffinityTerm[];
}

/** Looks up a namespace's labels (undefined when unknown). */
export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

function safeSelector(sel: PodAffinityTerm['labelSelector'] | null | undefined): LabelSelector {
  try {
    return labelSelectorFromMeta(sel);
  } catch {
    return nothing();
  }
}

/**
 * Parses one term of `owner`: matchLabelKeys become `key in (owner's value)` and
 * mismatchLabelKeys `key notin (owner's value)` requirements, as upstream merges them.
 */
export function affinityTerm(term: PodAffinityTerm, owner: Pod, weight = 1): AffinityTerm {
  const base = safeSelector(term.labelSelector);
  const labels = owner.metadata.labels ?? {};
  let selector = base;
  const extra = [
    ...(term.matchLabelKeys ?? []).filter((k) => k in labels).map((k) => ({ key: k, operator: 'in' as const, values: [labels[k]] })),
    ...(term.mismatchLabelKeys ?? []).filter((k) => k in labels).map((k) => ({ key: k, operator: 'notin' as const, values: [labels[k]] })),
  ];
  if (extra.length > 0 && !base.nothing) selector = { requirements: [...base.requirements, ...extra] };
  const namespaces = new Set(term.namespaces ?? []);
  const namespaceSelector = term.namespaceSelector ? safeSelector(term.namespaceSelector) : nothing();
  if (namespaces.size === 0 && !term.namespaceSelector) namespaces.add(owner.metadata.namespace ?? '');
  return { selector, namespaces, namespaceSelector, topologyKey: term.topologyKey, weight };
}

/** Whether a term matches a pod: its namespace is selected and its labels match. */
export function termMatches(t: AffinityTerm, pod: Pod, nsLabels: NamespaceLabels): boolean {
  const ns = pod.metadata.namespace ?? '';
  if (!t.namespaces.has(ns)) {
    if (t.namespaceSelector.nothing) return false;
    if (t.namespaceSelector.requirements.length > 0 && !matchLabelSelector(t.namespaceSelector, nsLabels(ns))) return false;
  }
  return matchLabelSelector(t.selector, pod.metadata.labels);
}

const termKeys = new WeakMap<AffinityTerm, string>();
const podKeys = new WeakMap<Pod, string>();

/** A string equal for terms that select the same pods (selector, namespaces, namespaceSelector). */
export function termIdentity(t: AffinityTerm): string {
  let k = termKeys.get(t);
  if (k === undefined) {
    k = JSON.stringify([t.selector, [...t.namespaces].sort(), t.namespaceSelector]);
    termKeys.set(t, k);
  }
  return k;
}

/** A string equal for pods that every term matches alike (namespace and labels). */
export function podIdentity(pod: Pod): string {
  let k = podKeys.get(pod);
  if (k === undefined) {
    const labels = pod.metadata.labels ?? {};
    k = JSON.stringify([pod.metadata.namespace ?? '', Object.keys(labels).sort().map((l) => [l, labels[l]])]);
    podKeys.set(pod, k);
  }
  return k;
}

/**
 * termMatches remembered for one scheduling cycle: pods with the same namespace and labels, and
 * terms with the same selectors, are matched once. Existing pods of one workload share both, so
 * PreFilter over thousands of pods with anti-affinity costs a map lookup each.
 */
export class TermMatchMemo {
  private readonly results = new Map<string, Map<string, boolean>>();

  constructor(private readonly nsLabels: NamespaceLabels) {}

  matches(t: AffinityTerm, pod: Pod): boolean {
    const tk = termIdentity(t);
    let byPod = this.results.get(tk);
    if (!byPod) this.results.set(tk, (byPod = new Map()));
    const pk = podIdentity(pod);
    let r = byPod.get(pk);
    if (r === undefined) {
      r = termMatches(t, pod, this.nsLabels);
      byPod.set(pk, r);
    }
    return r;
  }
}

/** Whether every term matches the pod (false for an empty list). */
export function matchesAllTerms(terms: AffinityTerm[], pod: Pod, nsLabels: NamespaceLabels): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatches(t, pod, nsLabels)) return false;
  return true;
}

const cache = new WeakMap<Pod, PodAffinityTerms>();
const none: PodAffinityTerms = Object.freeze({ requiredAffinity: [], requiredAntiAffinity: [], preferredAffinity: [], preferredAntiAffinity: [] }) as PodAffinityTerms;

/** The parsed affinity terms of a pod, cached per pod object. */
export function podAffinityTerms(pod: Pod): PodAffinityTerms {
  const a = pod.spec.affinity;
  if (!a?.podAffinity && !a?.podAntiAffinity) return none;
  let t = cache.get(pod);
  if (!t) {
    t = {
      requiredAffinity: (a.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((x) => affinityTerm(x, pod)),
      requiredAntiAffinity: (a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((x) => affinityTerm(x, pod)),
      preferredAffinity: (a.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((x) => affinityTerm(x.podAffinityTerm, pod, x.weight)),
      preferredAntiAffinity: (a.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((x) => affinityTerm(x.podAffinityTerm, pod, x.weight)),
    };
    cache.set(pod, t);
  }
  return t;
}
