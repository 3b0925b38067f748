import { labelSelectorFromMeta, matchLabelSelector, nothing, type LabelSelector } from '../../api/index.js';
import type { Node, NodeInfo, Pod, TopologySpreadConstraint } from '../framework/index.js';
import { podMatchesNodeSelectorAndAffinity } from './node-selector.js';
import { findMatchingUntoleratedTaint } from './taints.js';

/** A topology spread constraint with its selector parsed (upstream's topologySpreadConstraint). */
export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  nodeTaintsPolicy: 'Honor' | 'Ignore';
}

/** The well-known hostname label. */
export const hostnameLabel = 'kubernetes.io/hostname';
/** The well-known zone label. */
export const zoneLabel = 'topology.kubernetes.io/zone';

/** Upstream's system default constraints: hostname maxSkew 3, zone maxSkew 5, both ScheduleAnyway. */
export const systemDefaultConstraints: Array<Pick<TopologySpreadConstraint, 'maxSkew' | 'topologyKey' | 'whenUnsatisfiable'>> = [
  { topologyKey: hostnameLabel, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: zoneLabel, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

/** The pod's constraints with the given whenUnsatisfiable, matchLabelKeys merged into the selector. */
export function podSpreadConstraints(pod: Pod, action: 'DoNotSchedule' | 'ScheduleAnyway'): SpreadConstraint[] {
  const labels = pod.metadata.labels ?? {};
  const out: SpreadConstraint[] = [];
  for (const c of pod.spec.topologySpreadConstraints ?? []) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromMeta(c.labelSelector);
    } catch {
      selector = nothing();
    }
    const extra = (c.matchLabelKeys ?? []).filter((k) => k in labels).map((k) => ({ key: k, operator: 'in' as const, values: [labels[k]] }));
    if (extra.length > 0 && !selector.nothing) selector = { requirements: [...selector.requirements, ...extra] };
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy ?? 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy ?? 'Ignore',
    });
  }
  return out;
}

/** Whether the node counts for the constraint under its nodeAffinityPolicy and nodeTaintsPolicy. */
export function nodeIncluded(c: SpreadConstraint, pod: Pod, node: Node): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !podMatchesNodeSelectorAndAffinity(pod, node)) return false;
  if (c.nodeTaintsPolicy === 'Honor' && findMatchingUntoleratedTaint(node.spec?.taints, pod.spec.tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')) return false;
  return true;
}

/** Whether the node has every constraint's topology key. */
export function nodeHasAllKeys(constraints: SpreadConstraint[], node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const c of constraints) if (!(c.topologyKey in labels)) return false;
  return true;
}

/** Pods on the node in the namespace, not terminating, matching the selector (upstream's countPodsMatchSelector). */
export function countMatchingPods(nodeInfo: NodeInfo, selector: LabelSelector, namespace: string): number {
  if (selector.nothing) return 0;
  let n = 0;
  for (const pi of nodeInfo.pods) {
    const p = pi.pod;
    if (p.metadata.deletionTimestamp || p.metadata.namespace !== namespace) continue;
    if (matchLabelSelector(selector, p.metadata.labels)) n++;
  }
  return n;
}
