import type { Node, NodeSelectorRequirement, NodeSelectorTerm } from '../framework/index.js';

const intRe = /^[+-]?\d+$/;

/** Whether one requirement matches a label set (upstream's NodeSelectorRequirement semantics). Invalid requirements match nothing. */
export function matchNodeSelectorRequirement(r: NodeSelectorRequirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key] : undefined;
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return values.length > 0 && has && values.includes(value!);
    case 'NotIn':
      return values.length > 0 && (!has || !values.includes(value!));
    case 'Exists':
      return values.length === 0 && has;
    case 'DoesNotExist':
      return values.length === 0 && !has;
    case 'Gt':
    case 'Lt': {
      if (values.length !== 1 || !intRe.test(values[0]) || !has || !intRe.test(value!)) return false;
      const a = BigInt(value!);
      const b = BigInt(values[0]);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

function matchFieldRequirement(r: NodeSelectorRequirement, node: Node): boolean {
  if (r.key !== 'metadata.name' || (r.operator !== 'In' && r.operator !== 'NotIn')) return false;
  return matchNodeSelectorRequirement(r, { 'metadata.name': node.metadata.name ?? '' });
}

/** Whether one term matches: its expressions and fields all match; an empty term matches nothing. */
export function matchNodeSelectorTerm(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!matchNodeSelectorRequirement(r, node.metadata.labels)) return false;
  for (const r of fields) if (!matchFieldRequirement(r, node)) return false;
  return true;
}

/** Whether any term matches (terms are ORed); an empty list matches nothing. */
export function matchNodeSelectorTerms(terms: NodeSelectorTerm[], node: Node): boolean {
  for (const t of terms) if (matchNodeSelectorTerm(t, node)) return true;
  return false;
}

/** Whether every key=value of a nodeSelector is among the node's labels. */
export function matchNodeSelectorMap(selector: Record<string, string> | undefined, node: Node): boolean {
  if (!selector) return true;
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

/**
 * Whether a pod's nodeSelector and required node affinity both match a node (upstream's
 * GetRequiredNodeAffinity(pod).Match), as used by NodeAffinity and by other plugins'
 * nodeAffinityPolicy.
 */
export function podMatchesNodeSelectorAndAffinity(
  pod: { spec: { nodeSelector?: Record<string, string>; affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] } } } } },
  node: Node,
): boolean {
  if (!matchNodeSelectorMap(pod.spec.nodeSelector, node)) return false;
  const req = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !req || matchNodeSelectorTerms(req.nodeSelectorTerms ?? [], node);
}
