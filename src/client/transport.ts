import { setMaxListeners } from 'node:events';
import { ApiError, type ApiRequest, type Status, type WatchEvent } from '../api/index.js';

/** One API call as the client hands it to a transport. */
export interface TransportRequest {
  method: ApiRequest['method'];
  /** absolute API path, e.g. `/api/v1/namespaces/default/pods` */
  path: string;
  query?: URLSearchParams;
  /** the object to send; transports that use HTTP encode it as JSON */
  body?: unknown;
  /** defaults to `application/json` when there is a body */
  contentType?: string;
  signal?: AbortSignal;
}

/** A successful (2xx) answer. */
export interface TransportResponse {
  status: number;
  body: unknown;
}

/**
 * How the client reaches the API server: HTTPS across processes, a direct call in-process.
 * `request` rejects with an {@link ApiError} for any non-2xx answer. `watch` yields the events of
 * one watch stream, including ERROR events, and ends when the server closes it or `signal` aborts.
 */
export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>;
  watch(path: string, query: URLSearchParams, signal: AbortSignal): AsyncIterable<WatchEvent>;
}

/** Turns a non-2xx answer into an ApiError, whether or not its body is a Status. */
export function errorFromResponse(status: number, body: unknown): ApiError {
  if (isStatus(body)) return ApiError.fromStatus({ ...body, code: body.code || status });
  const message = typeof body === 'string' && body.trim() ? body.trim() : `the server answered ${status}`;
  return ApiError.fromStatus({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code: status });
}

/** Whether `value` looks like a meta/v1 Status. */
export function isStatus(value: unknown): value is Status {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status';
}

/**
 * Iterates `source` until it ends or `signal` aborts, then closes it. A source blocked waiting for
 * its next item is asked to return without waiting for it to answer.
 */
export async function* abortable<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  if (signal.aborted) return;
  // many informers' watches legitimately hang on one component's signal at once
  setMaxListeners(0, signal);
  const it = source[Symbol.asyncIterator]();
  let onAbort = () => {};
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    onAbort = () => resolve({ done: true, value: undefined });
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    for (;;) {
      const r = await Promise.race([it.next(), aborted]);
      if (r.done) return;
      yield r.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    Promise.resolve(it.return?.()).catch(() => {});
  }
}
