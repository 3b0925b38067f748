/**
 * The scheduler: upstream's framework, default plugins, queue and cache, and `explain`.
 *
 * ```ts
 * const { scheduler } = await startScheduler({ client, logger, signal, configPath });
 * scheduler.explain('default', 'web-0'); // per node: the plugin that filtered it out, or the scores
 *
 * // or on its own worker thread, reaching the API through `transport` over a MessagePort:
 * const thread = startSchedulerThread({ transport, logger, signal, configPath });
 * await thread.ready; // rejects with a bad configuration's error
 * await thread.explain('default', 'web-0');
 * ```
 * @module
 */
export { Scheduler, type SchedulerOptions } from './scheduler.js';
export { startScheduler, type StartSchedulerOptions } from './start-scheduler.js';
export { startSchedulerThread, type StartSchedulerThreadOptions, type SchedulerThread, type SchedulerThreadLogging } from './start-scheduler-thread.js';
export { parseSchedulerConfiguration, loadSchedulerConfiguration, SchedulerConfigError, type SchedulerConfiguration } from './config.js';
export type { ScheduleExplanation, NodeExplanation, NodeRejection } from './explanation.js';
export { inTreeRegistry } from './plugins/index.js';
export { explainHandler, explainPathPrefix, type PodSchedulingExplanation } from './explain-endpoint.js';
export * as framework from './framework/index.js';
// the pieces of one scheduling cycle, for tools that time it alone (bench/scheduler-cycle)
export { SchedulerCache } from './cache/index.js';
export { Nominator } from './queue/index.js';
export { findNodesThatFitPod, prioritizeNodes, selectHost, type AlgorithmState } from './schedule-pod.js';
