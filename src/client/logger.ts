import { pino, type Logger } from 'pino';

export type { Logger };

/** A logger that drops everything, the default wherever none is injected. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
