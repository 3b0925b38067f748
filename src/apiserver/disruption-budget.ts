import { ApiError, labelSelectorFromMeta, matchLabelSelector, type KubeObject, type LabelSelectorMeta } from '../api/index.js';

interface Budget extends KubeObject {
  spec?: { selector?: LabelSelectorMeta; minAvailable?: number | string; maxUnavailable?: number | string; unhealthyPodEvictionPolicy?: string };
}

interface PodShape extends KubeObject {
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

function isHealthy(pod: PodShape): boolean {
  return !pod.metadata.deletionTimestamp && pod.status?.phase === 'Running' && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function scaled(value: number | string, expected: number): number {
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(value);
  if (!percent) return Number(value) || 0;
  return Math.ceil((Number(percent[1]) * expected) / 100);
}

/**
 * Whether evicting `pod` keeps every PodDisruptionBudget covering it satisfied, as upstream's
 * eviction subresource decides (computed from the pods themselves, as the disruption controller
 * would): pods that are not running, or not healthy, may always go; a healthy pod may go while
 * the healthy count stays at or above what the budget demands. Throws 429 TooManyRequests with
 * upstream's message otherwise, and 500 when more than one budget covers the pod.
 */
export function checkDisruptionBudgets(pod: KubeObject, budgets: KubeObject[], podsInNamespace: KubeObject[]): void {
  const target = pod as PodShape;
  if (target.status?.phase !== 'Running' || !isHealthy(target)) return;
  const covering = (budgets as Budget[]).filter((b) => b.spec?.selector && matchLabelSelector(labelSelectorFromMeta(b.spec.selector), pod.metadata.labels));
  if (covering.length === 0) return;
  if (covering.length > 1) {
    throw new ApiError('InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  }
  const budget = covering[0]!;
  const selector = labelSelectorFromMeta(budget.spec!.selector);
  const covered = (podsInNamespace as PodShape[]).filter((p) => matchLabelSelector(selector, p.metadata.labels) && !p.metadata.deletionTimestamp);
  const healthy = covered.filter(isHealthy).length;
  const expected = covered.length;
  const spec = budget.spec!;
  const desiredHealthy = spec.maxUnavailable !== undefined ? Math.max(0, expected - scaled(spec.maxUnavailable, expected)) : scaled(spec.minAvailable ?? 0, expected);
  if (healthy - desiredHealthy >= 1) return;
  throw new ApiError('TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
    causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${budget.metadata.name} needs ${desiredHealthy} healthy pods and has ${healthy} currently` }],
  });
}
