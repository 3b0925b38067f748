/**
 * The scheduler's cache of nodes and pods with assumed pods, and its snapshots.
 * @module
 */
export { SchedulerCache, type SchedulerCacheOptions } from './cache.js';
export { numFeasibleNodesToFind, minFeasibleNodesToFind, minFeasibleNodesPercentageToFind } from './nodes-to-score.js';
