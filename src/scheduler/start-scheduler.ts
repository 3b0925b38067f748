import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Registry as PromRegistry } from 'prom-client';
import { LeaderElector, type Client, type Logger } from '../client/index.js';
import { loadSchedulerConfiguration } from './config.js';
import { defaultMultiPoint, type Registry } from './framework/index.js';
import { inTreeRegistry } from './plugins/index.js';
import { Scheduler } from './scheduler.js';

/** What `skiff server` passes to start the scheduler. */
export interface StartSchedulerOptions {
  client: Client;
  logger: Logger;
  signal: AbortSignal;
  /** a KubeSchedulerConfiguration file; the default profile when absent */
  configPath?: string;
  metricsRegistry?: PromRegistry;
  registry?: Registry;
  /** elect a leader through the Lease kube-system/kube-scheduler (default true) */
  leaderElect?: boolean;
}

/**
 * Builds the scheduler (validating the configuration at once, so a bad file fails the start)
 * and runs it whenever this process holds the `kube-system/kube-scheduler` Lease. Answers the
 * scheduler (for `explain`) and a promise that settles when it has stopped.
 */
export async function startScheduler(options: StartSchedulerOptions): Promise<{ scheduler: Scheduler; done: Promise<void> }> {
  const config = options.configPath ? await loadSchedulerConfiguration(options.configPath) : undefined;
  const registry = options.registry ?? inTreeRegistry();
  const defaults = new Set(defaultMultiPoint.map((p) => p.name));
  for (const p of config?.profiles ?? []) {
    const mp = p.plugins.multiPoint;
    if (mp?.enabled) mp.enabled = mp.enabled.filter((r) => registry.has(r.name) || !defaults.has(r.name));
  }
  const scheduler = new Scheduler({
    client: options.client,
    logger: options.logger,
    profiles: config?.profiles,
    percentageOfNodesToScore: config?.percentageOfNodesToScore,
    registry,
    metricsRegistry: options.metricsRegistry,
  });
  if (options.leaderElect === false) return { scheduler, done: scheduler.run(options.signal) };
  const elector = new LeaderElector({
    client: options.client,
    namespace: 'kube-system',
    name: 'kube-scheduler',
    identity: `${hostname()}_${randomUUID()}`,
    logger: options.logger,
    onStartedLeading: (signal) => scheduler.run(signal),
  });
  return { scheduler, done: elector.run(options.signal) };
}
