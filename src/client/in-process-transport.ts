import { ApiError, cloneJson, type ApiHandler, type ApiResponse, type UserInfo, type WatchEvent } from '../api/index.js';
import { abortable, errorFromResponse, type Transport, type TransportRequest, type TransportResponse } from './transport.js';

/** How an in-process transport's caller treats what crosses it. */
export interface InProcessTransportOptions {
  /**
   * The caller hands its request bodies over and only encodes the answers (a transport serving
   * another thread, which decodes each body from JSON and sends each answer as JSON): bodies are
   * not copied, and the server may answer with objects it keeps.
   */
  handsOver?: boolean;
  /** sent as the User-Agent header; its part before `/` names the field manager of the caller's writes (`kube-scheduler`) */
  userAgent?: string;
}

/**
 * Calls the API server's handler directly: no HTTP, no JSON. The request body is passed as an
 * object (a deep copy as JSON would make it, so the server's defaulting never reaches the caller's copy) and the
 * answer's body and watch events are handed back as the server produced them. Callers must treat
 * returned objects as read-only. Authentication is skipped (`user` is given), but authorization,
 * admission and validation still run.
 */
export class InProcessTransport implements Transport {
  constructor(
    private readonly handler: ApiHandler,
    private readonly user: UserInfo,
    private readonly options: InProcessTransportOptions = {},
  ) {}

  async request(req: TransportRequest): Promise<TransportResponse> {
    const res = await this.call(req.method, req.path, req.query ?? new URLSearchParams(), req.signal, req.body, req.contentType);
    if (res.status < 200 || res.status >= 300) throw errorFromResponse(res.status, res.body);
    if (res.watch || res.text) throw new ApiError('InternalError', `${req.method} ${req.path} answered with a stream; use watch()`);
    return { status: res.status, body: res.body };
  }

  async *watch(path: string, query: URLSearchParams, signal: AbortSignal): AsyncIterable<WatchEvent> {
    const q = new URLSearchParams(query);
    q.set('watch', 'true');
    const res = await this.call('GET', path, q, signal);
    if (res.status < 200 || res.status >= 300) throw errorFromResponse(res.status, res.body);
    if (!res.watch) throw new ApiError('InternalError', `GET ${path}?watch=true did not answer with a watch stream`);
    yield* abortable(res.watch, signal);
  }

  /** Calls the handler; a call without a signal gets one only if the server asks for it (most never do, and making one is not free). */
  private call(method: TransportRequest['method'], path: string, query: URLSearchParams, signal: AbortSignal | undefined, body?: unknown, contentType?: string): Promise<ApiResponse> {
    const headers: Record<string, string | undefined> = { accept: 'application/json', 'user-agent': this.options.userAgent };
    if (body !== undefined) headers['content-type'] = contentType ?? 'application/json';
    return this.handler({
      method,
      path,
      query,
      headers,
      body: this.options.handsOver ? body : cloneJson(body),
      user: this.user,
      answerEncoded: this.options.handsOver,
      get signal() {
        return (signal ??= new AbortController().signal);
      },
    });
  }
}
