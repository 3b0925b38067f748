import type { Logger } from 'pino';
import { ApiError, type ApiRequest, type ApiResponse } from '../api/index.js';
import type { Store } from '../store/index.js';

/** One named check; `check` rejects (or throws) when it fails. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<void> | void;
}

/** The three endpoints and the checks each runs, in the order they are listed. */
export interface HealthChecks {
  healthz: readonly HealthCheck[];
  livez: readonly HealthCheck[];
  readyz: readonly HealthCheck[];
}

/** Upstream's `--etcd-healthcheck-timeout` and `--etcd-readycheck-timeout` (2 s each). */
export const STORE_CHECK_TIMEOUT_MS = 2000;

const endpoints = ['healthz', 'livez', 'readyz'] as const;
const textHeaders = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };

/**
 * A check that the store answers a read of `/registry/health` within `timeoutMs`, as upstream's
 * etcd checks read the `health` key (for SQLite: the store is open and answering).
 */
export function storeCheck(name: string, store: Store, timeoutMs = STORE_CHECK_TIMEOUT_MS): HealthCheck {
  return {
    name,
    check: async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the store did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([store.get('/registry/health'), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** A check that always passes (`ping`, and `log`: Skiff's logger writes synchronously, so it cannot fall behind). */
export function passingCheck(name: string): HealthCheck {
  return { name, check: () => undefined };
}

/** A check that fails while `failure()` returns a message. */
export function conditionCheck(name: string, failure: () => string | undefined): HealthCheck {
  return {
    name,
    check: () => {
      const message = failure();
      if (message) throw new Error(message);
    },
  };
}

/**
 * `/healthz`, `/livez`, `/readyz` as upstream's apiserver serves them: `ok` when every check
 * passes (`?verbose` lists `[+]<check> ok` lines and `<endpoint> check passed`), otherwise HTTP 500
 * with the list, `[-]<check> failed: reason withheld` for each failure, and `<endpoint> check
 * failed`; `?exclude=<check>` skips a check; `/<endpoint>/<check>` runs one check (`ok`, or 500
 * `internal server error: <why>`).
 */
export class HealthEndpoints {
  constructor(private readonly checks: HealthChecks, private readonly logger: Logger) {}

  /** Whether `path` (no trailing slash) is one of the endpoints or a check under one. */
  handles(path: string): boolean {
    return endpoints.some((endpoint) => path === `/${endpoint}` || path.startsWith(`/${endpoint}/`));
  }

  /** Answers a GET or HEAD of a path `handles` accepted. */
  async serve(request: ApiRequest, path: string): Promise<ApiResponse> {
    const [endpoint, ...rest] = path.slice(1).split('/') as [(typeof endpoints)[number], ...string[]];
    const checks = this.checks[endpoint];
    if (rest.length > 0) return this.serveOne(endpoint, checks, rest.join('/'));
    const excluded = new Set(request.query.getAll('exclude'));
    const verbose = request.query.has('verbose');
    const outcomes = await Promise.all(checks.map((c) => (excluded.has(c.name) ? Promise.resolve('excluded' as const) : run(c))));
    let lines = '';
    let failed = false;
    checks.forEach((c, i) => {
      const outcome = outcomes[i]!;
      if (outcome === 'excluded') lines += `[+]${c.name} excluded: ok\n`;
      else if (outcome === 'ok') lines += `[+]${c.name} ok\n`;
      else {
        failed = true;
        lines += `[-]${c.name} failed: reason withheld\n`;
        this.logger.info({ check: c.name, err: outcome }, `${endpoint} check failed`);
      }
    });
    const unknown = [...excluded].filter((name) => !checks.some((c) => c.name === name));
    if (unknown.length > 0) lines += `warn: some health checks cannot be excluded: no matches for ${unknown.map((n) => JSON.stringify(n)).join(',')}\n`;
    if (failed) return { status: 500, headers: textHeaders, body: `${lines}${endpoint} check failed\n` };
    return { status: 200, headers: textHeaders, body: verbose ? `${lines}${endpoint} check passed\n` : 'ok' };
  }

  private async serveOne(endpoint: string, checks: readonly HealthCheck[], name: string): Promise<ApiResponse> {
    const check = checks.find((c) => c.name === name);
    if (!check) throw new ApiError('NotFound', 'the server could not find the requested resource');
    const outcome = await run(check);
    if (outcome === 'ok') return { status: 200, headers: textHeaders, body: 'ok' };
    this.logger.info({ check: name, err: outcome }, `${endpoint} check failed`);
    return { status: 500, headers: textHeaders, body: `internal server error: ${outcome.message}\n` };
  }
}

async function run(check: HealthCheck): Promise<'ok' | Error> {
  try {
    await check.check();
    return 'ok';
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
