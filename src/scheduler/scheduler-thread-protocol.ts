import type { MessagePort } from 'node:worker_threads';
import type { ScheduleExplanation } from './explanation.js';

/** How the scheduler thread builds its pino logger, so its lines look like the rest of the server's. */
export interface SchedulerThreadLogging {
  /** trace, debug, info, warn, error or silent */
  level: string;
  /** the root logger's `base` fields */
  base?: Record<string, unknown>;
  /** the fields of the child logger the scheduler gets */
  bindings?: Record<string, unknown>;
}

/** The worker's `workerData`. */
export interface SchedulerThreadData {
  /** the API, served on the other side by a PortTransportServer */
  port: MessagePort;
  configPath?: string;
  leaderElect: boolean;
  logging: SchedulerThreadLogging;
}

/** What the starting thread asks the scheduler thread. */
export type ToSchedulerThread = { t: 'explain'; id: number; namespace: string; name: string } | { t: 'metrics'; id: number } | { t: 'stop' };

/** What the scheduler thread tells: started, failed to start, an answer, or stopped. */
export type FromSchedulerThread =
  | { t: 'ready' }
  | { t: 'failed'; name: string; message: string; stack?: string }
  | { t: 'answer'; id: number; value: ScheduleExplanation | string | undefined }
  | { t: 'stopped'; error?: string };
