/** upstream's minFeasibleNodesToFind */
export const minFeasibleNodesToFind = 100;
/** upstream's minFeasibleNodesPercentageToFind */
export const minFeasibleNodesPercentageToFind = 5;

/**
 * How many feasible nodes a cycle looks for before it stops filtering (upstream's
 * numFeasibleNodesToFind): all of them under 100 nodes or at 100%; otherwise the configured
 * percentage, or adaptively 50 − nodes/125 (at least 5%), and never fewer than 100.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore?: number): number {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let pct = percentageOfNodesToScore ?? 0;
  if (pct >= 100) return numAllNodes;
  if (pct <= 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < minFeasibleNodesPercentageToFind) pct = minFeasibleNodesPercentageToFind;
  }
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < minFeasibleNodesToFind ? minFeasibleNodesToFind : n;
}
