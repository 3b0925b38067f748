import type { Taint, Toleration } from '../framework/index.js';

/** Whether a toleration tolerates a taint (upstream's Toleration.ToleratesTaint). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** Whether any toleration tolerates the taint. */
export function taintToleratedByTolerations(taint: Taint, tolerations: Toleration[] | undefined): boolean {
  for (const t of tolerations ?? []) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The first taint passing `include` that no toleration tolerates (upstream's FindMatchingUntoleratedTaint). */
export function findMatchingUntoleratedTaint(taints: Taint[] | undefined, tolerations: Toleration[] | undefined, include: (t: Taint) => boolean): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!include(taint)) continue;
    if (!taintToleratedByTolerations(taint, tolerations)) return taint;
  }
  return undefined;
}
