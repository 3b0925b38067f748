/**
 * The scheduler: upstream's framework, default plugins, queue and cache, and `explain`.
 *
 * ```ts
 * const { scheduler } = await startScheduler({ client, logger, signal, configPath });
 * scheduler.explain('default', 'web-0'); // per node: the plugin that filtered it out, or the scores
 * ```
 * @module
 */
export { Scheduler, type SchedulerOptions } from './scheduler.js';
export { startScheduler, type StartSchedulerOptions } from './start-scheduler.js';
export { parseSchedulerConfiguration, loadSchedulerConfiguration, SchedulerConfigError, type SchedulerConfiguration } from './config.js';
export type { ScheduleExplanation, NodeExplanation, NodeRejection } from './explanation.js';
export { inTreeRegistry } from './plugins/index.js';
export { explainHandler, explainPathPrefix, type PodSchedulingExplanation } from './explain-endpoint.js';
export * as framework from './framework/index.js';
