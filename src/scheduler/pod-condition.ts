import type { Pod, PodCondition } from './framework/index.js';

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The status merge patch that sets PodScheduled=False with the reason and message (and the
 * nominated node), keeping the other conditions; undefined when nothing would change (upstream's
 * updatePod skips such writes). lastTransitionTime changes only when the status flips.
 */
export function buildPodScheduledFailure(pod: Pod, reason: string, message: string, nowMs: number, nominatedNodeName?: string): { status: Record<string, unknown> } | undefined {
  const conditions = pod.status?.conditions ?? [];
  const existing = conditions.find((c) => c.type === 'PodScheduled');
  const nominatedChanged = nominatedNodeName !== undefined && nominatedNodeName !== pod.status?.nominatedNodeName;
  if (existing && existing.status === 'False' && existing.reason === reason && existing.message === message && !nominatedChanged) return undefined;
  const cond: PodCondition = {
    type: 'PodScheduled',
    status: 'False',
    reason,
    message,
    lastProbeTime: null,
    lastTransitionTime: existing && existing.status === 'False' && existing.lastTransitionTime ? existing.lastTransitionTime : rfc3339(nowMs),
  };
  const next = existing ? conditions.map((c) => (c.type === 'PodScheduled' ? cond : c)) : [...conditions, cond];
  const status: Record<string, unknown> = { conditions: next };
  if (nominatedChanged) status.nominatedNodeName = nominatedNodeName;
  return { status };
}
