import type { ContainerConfig } from '../types.js';
import type { SimBehavior } from './sim-runtime.js';

/**
 * How a simulated container behaves, read from its environment, so that pods run through
 * `skiff server --container-runtime sim` can be told what to do:
 * `SKIFF_SIM_LOG` (lines written to the log at start, `{attempt}` replaced by the restart
 * attempt), `SKIFF_SIM_LOG_INTERVAL_MS` (one line per interval instead of all at once),
 * `SKIFF_SIM_EXIT_CODE` and `SKIFF_SIM_RUN_MS` (exit after running that long),
 * `SKIFF_SIM_EXEC_OUTPUT` and `SKIFF_SIM_EXEC_EXIT_CODE` (what every exec prints and returns).
 */
export function simBehaviorFromEnv(config: ContainerConfig): SimBehavior {
  const env = new Map(config.env.map((e) => [e.name, e.value]));
  const num = (name: string) => {
    const raw = env.get(name);
    const value = raw === undefined || raw === '' ? undefined : Number(raw);
    return value !== undefined && Number.isFinite(value) ? value : undefined;
  };
  const behavior: SimBehavior = {};
  const log = env.get('SKIFF_SIM_LOG');
  if (log !== undefined) behavior.logLines = log.replaceAll('{attempt}', String(config.attempt)).split('\n');
  const interval = num('SKIFF_SIM_LOG_INTERVAL_MS');
  if (interval !== undefined) behavior.logIntervalMs = interval;
  const exitCode = num('SKIFF_SIM_EXIT_CODE');
  if (exitCode !== undefined) behavior.exitCode = exitCode;
  const runMs = num('SKIFF_SIM_RUN_MS');
  if (runMs !== undefined) behavior.runMs = runMs;
  const execOutput = env.get('SKIFF_SIM_EXEC_OUTPUT');
  if (execOutput !== undefined) behavior.execOutput = execOutput;
  const execExitCode = num('SKIFF_SIM_EXEC_EXIT_CODE');
  if (execExitCode !== undefined) behavior.execExitCode = execExitCode;
  return behavior;
}
