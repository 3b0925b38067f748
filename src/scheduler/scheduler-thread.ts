/**
 * The scheduler's worker thread (started by `startSchedulerThread`, never imported): runs
 * `startScheduler` with a client whose transport is the port in its `workerData`, and answers
 * the starting thread's questions (explain, metrics) until it is told to stop.
 * @module
 */
import { setMaxListeners } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { getHeapStatistics } from 'node:v8';
import { Gauge, Registry } from 'prom-client';
import { Client, PortTransport } from '../client/index.js';
import type { Scheduler } from './scheduler.js';
import type { FromSchedulerThread, SchedulerThreadData, ToSchedulerThread } from './scheduler-thread-protocol.js';
import { startScheduler } from './start-scheduler.js';

const data = workerData as SchedulerThreadData;
const control = parentPort!;
const post = (message: FromSchedulerThread) => control.postMessage(message);
const logger = pino({ level: data.logging.level, base: data.logging.base ?? {} }, pino.destination({ dest: 2, sync: true })).child(data.logging.bindings ?? {});
const stop = new AbortController();
// the scheduler's informers, queue and elector all hang their shutdown on this one signal
setMaxListeners(0, stop.signal);
const metricsRegistry = new Registry();
// the thread shares the process's RSS; its own V8 heap is what the scheduler alone holds
new Gauge({
  name: 'skiff_scheduler_thread_heap_bytes',
  help: "Bytes of the scheduler thread's own V8 heap (its informers' copies of pods and nodes, its cache and queue).",
  labelNames: ['kind'],
  registers: [metricsRegistry],
  collect() {
    const heap = getHeapStatistics();
    this.set({ kind: 'used' }, heap.used_heap_size);
    this.set({ kind: 'total' }, heap.total_heap_size);
  },
});
const transport = new PortTransport(data.port);
let scheduler: Scheduler | undefined;

control.on('message', (message: ToSchedulerThread) => {
  switch (message.t) {
    case 'stop':
      stop.abort();
      break;
    case 'explain':
      post({ t: 'answer', id: message.id, value: scheduler?.explain(message.namespace, message.name) });
      break;
    case 'metrics':
      metricsRegistry.metrics().then(
        (text) => post({ t: 'answer', id: message.id, value: text }),
        (error: unknown) => {
          logger.error({ err: error }, 'collecting the scheduler metrics failed');
          post({ t: 'answer', id: message.id, value: '' });
        },
      );
      break;
  }
});

try {
  const started = await startScheduler({ client: new Client(transport), logger, signal: stop.signal, configPath: data.configPath, leaderElect: data.leaderElect, metricsRegistry });
  scheduler = started.scheduler;
  post({ t: 'ready' });
  await started.done;
  post({ t: 'stopped' });
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  post(scheduler ? { t: 'stopped', error: e.message } : { t: 'failed', name: e.name, message: e.message, stack: e.stack });
} finally {
  transport.close();
}
