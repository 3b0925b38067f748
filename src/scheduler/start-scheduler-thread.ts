import { MessageChannel, Worker } from 'node:worker_threads';
import { PortTransportServer, type Logger, type Transport } from '../client/index.js';
import type { ScheduleExplanation } from './explanation.js';
import type { FromSchedulerThread, SchedulerThreadData, SchedulerThreadLogging, ToSchedulerThread } from './scheduler-thread-protocol.js';

export type { SchedulerThreadLogging } from './scheduler-thread-protocol.js';

/** What `skiff server` passes to run the scheduler on its own thread. */
export interface StartSchedulerThreadOptions {
  /** the API as this thread reaches it (an InProcessTransport for system:kube-scheduler); the thread's calls are served through it */
  transport: Transport;
  /** for what this side tells: the thread dying, being restarted, not stopping */
  logger: Logger;
  signal: AbortSignal;
  /** a KubeSchedulerConfiguration file; the default profile when absent */
  configPath?: string;
  /** elect a leader through the Lease kube-system/kube-scheduler (default true) */
  leaderElect?: boolean;
  /** how the thread logs (its own pino logger writing to stderr); info with no fields when absent */
  logging?: SchedulerThreadLogging;
  /** wait before a thread that died is replaced: `initial`, doubling up to `max` (default 1 s to 30 s) */
  restartBackoffMs?: { initial: number; max: number };
  /** the worker's module; `scheduler-thread.js` beside this one unless given (tests give one that dies) */
  entry?: URL;
  /** how answers' bodies are encoded for the thread (the API server's encoder, which reuses a written object's JSON); JSON.stringify when absent */
  encodeBody?: (body: unknown) => string;
}

/** The scheduler running on its worker thread. */
export interface SchedulerThread {
  /** resolves once the first thread's scheduler has started; rejects with its start error */
  readonly ready: Promise<void>;
  /** the scheduler's last decision about a pod (undefined while no thread runs) */
  explain(namespace: string, name: string): Promise<ScheduleExplanation | undefined>;
  /** the scheduler's metrics in Prometheus text format ('' while no thread runs) */
  metrics(): Promise<string>;
  /** settles once the signal aborted and the thread has stopped, or the first thread failed to start (rejects if the scheduler stopped with an error) */
  readonly done: Promise<void>;
}

const askTimeoutMs = 10_000;
/** how long a thread told to stop may take before it is terminated */
const stopTimeoutMs = 15_000;
/** a worker that lived this long is not crash-looping: the next restart waits the initial back-off again */
const stableMs = 60_000;

/** One worker and the API it is served. */
interface Running {
  worker: Worker;
  server: PortTransportServer;
  startedAt: number;
  /** settles on the first 'ready' or 'failed' */
  ready: Promise<void>;
  /** settles when the worker has exited */
  exited: Promise<{ code: number; error?: Error; stopError?: string }>;
  asks: Map<number, (value: unknown) => void>;
  live: boolean;
}

/**
 * Starts the scheduler on a `worker_threads` Worker (`scheduler-thread.js` beside this module),
 * so scheduling runs in parallel with the API server, the way upstream runs kube-scheduler as
 * its own process. The thread reaches the API only through `transport`, over a MessagePort.
 * `ready` resolves once the scheduler has started (its configuration is valid) and rejects with
 * the thread's start error (e.g. a bad `configPath`) once the thread is gone; such a thread is
 * not replaced. A thread that dies after it started is logged and replaced after a back-off; the
 * Lease lets the new one take over. When `signal` aborts, the scheduler stops (releasing its
 * Lease), the thread ends and `done` settles.
 */
export function startSchedulerThread(options: StartSchedulerThreadOptions): SchedulerThread {
  return new SchedulerThreadSupervisor(options);
}

class SchedulerThreadSupervisor implements SchedulerThread {
  readonly ready: Promise<void>;
  readonly done: Promise<void>;
  private current?: Running;
  private nextAsk = 1;

  constructor(private readonly options: StartSchedulerThreadOptions) {
    const first = this.spawn();
    const onAbort = () => {
      const running = this.current;
      if (!running?.live) return;
      this.send(running, { t: 'stop' });
      const timer = setTimeout(() => {
        this.options.logger.warn({ timeoutMs: stopTimeoutMs }, 'the scheduler thread did not stop in time; terminating it');
        void running.worker.terminate();
      }, stopTimeoutMs);
      void running.exited.then(() => clearTimeout(timer));
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    this.ready = first.ready.catch(async (error: unknown) => {
      await first.exited;
      throw error;
    });
    // supervise() logs a failed start, so a caller need not wait for `ready` to learn of it
    this.ready.catch(() => {});
    this.done = this.supervise(first).finally(() => options.signal.removeEventListener('abort', onAbort));
  }

  async explain(namespace: string, name: string): Promise<ScheduleExplanation | undefined> {
    return (await this.ask((id) => ({ t: 'explain', id, namespace, name }))) as ScheduleExplanation | undefined;
  }

  async metrics(): Promise<string> {
    return ((await this.ask((id) => ({ t: 'metrics', id }))) as string | undefined) ?? '';
  }

  private ask(message: (id: number) => ToSchedulerThread): Promise<unknown> {
    const running = this.current;
    if (!running?.live) return Promise.resolve(undefined);
    const id = this.nextAsk++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => answer(undefined), askTimeoutMs);
      const answer = (value: unknown) => {
        clearTimeout(timer);
        running.asks.delete(id);
        resolve(value);
      };
      running.asks.set(id, answer);
      this.send(running, message(id));
    });
  }

  private send(running: Running, message: ToSchedulerThread): void {
    running.worker.postMessage(message);
  }

  private spawn(): Running {
    const { signal, logger } = this.options;
    const { port1, port2 } = new MessageChannel();
    const server = new PortTransportServer(port1, this.options.transport, this.options.encodeBody);
    const data: SchedulerThreadData = {
      port: port2,
      configPath: this.options.configPath,
      leaderElect: this.options.leaderElect ?? true,
      logging: this.options.logging ?? { level: 'info' },
    };
    const worker = new Worker(this.options.entry ?? new URL('./scheduler-thread.js', import.meta.url), { workerData: data, transferList: [port2] });
    let ready!: { resolve: () => void; reject: (e: Error) => void };
    let error: Error | undefined;
    let stopError: string | undefined;
    const running: Running = {
      worker,
      server,
      startedAt: performance.now(),
      ready: new Promise<void>((resolve, reject) => (ready = { resolve, reject })),
      exited: new Promise((resolve) => worker.once('exit', (code) => resolve({ code, error, stopError }))),
      asks: new Map(),
      live: true,
    };
    running.ready.catch(() => {});
    worker.on('message', (message: FromSchedulerThread) => {
      switch (message.t) {
        case 'ready':
          ready.resolve();
          if (signal.aborted) this.send(running, { t: 'stop' });
          break;
        case 'failed': {
          const e = new Error(message.message);
          e.name = message.name;
          if (message.stack) e.stack = message.stack;
          error = e;
          ready.reject(e);
          void worker.terminate();
          break;
        }
        case 'answer':
          running.asks.get(message.id)?.(message.value);
          break;
        case 'stopped':
          stopError = message.error;
          void worker.terminate();
          break;
      }
    });
    worker.on('error', (e) => {
      error = e;
      ready.reject(e);
    });
    worker.once('exit', () => {
      running.live = false;
      server.close();
      for (const answer of [...running.asks.values()]) answer(undefined);
      ready.reject(error ?? new Error('the scheduler thread exited before it started'));
    });
    worker.once('online', () => logger.debug({ threadId: worker.threadId }, 'scheduler thread started'));
    this.current = running;
    return running;
  }

  /** Waits for the running thread to end; replaces it while the signal has not aborted. */
  private async supervise(first: Running): Promise<void> {
    const { signal, logger } = this.options;
    const backoff = this.options.restartBackoffMs ?? { initial: 1000, max: 30_000 };
    try {
      await first.ready;
    } catch (error) {
      await first.exited;
      logger.error({ err: error }, 'the scheduler failed to start');
      return;
    }
    let running = first;
    let delay = backoff.initial;
    for (;;) {
      const exit = await running.exited;
      if (signal.aborted) {
        if (exit.stopError) throw new Error(exit.stopError);
        return;
      }
      if (performance.now() - running.startedAt >= stableMs) delay = backoff.initial;
      logger.error({ err: exit.error, exitCode: exit.code, restartInMs: delay }, 'the scheduler thread stopped unexpectedly; starting a new one');
      await abortableDelay(delay, signal);
      if (signal.aborted) return;
      delay = Math.min(delay * 2, backoff.max);
      running = this.spawn();
      await running.ready.catch(() => {});
    }
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
