import type { WatchEvent } from './object.js';

/** Who is asking, as authentication decided (user.Info upstream). */
export interface UserInfo {
  name: string;
  groups: string[];
  uid?: string;
}

/**
 * A request as the API server's pipeline sees it, whatever carried it: HTTPS, or the in-process
 * transport that skips HTTP and JSON (then `body` is the object itself and `rawBody` is absent).
 */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  path: string;
  query: URLSearchParams;
  /** lower-case header names */
  headers: Record<string, string | undefined>;
  body?: unknown;
  rawBody?: Buffer;
  /** set by the transport when it already knows the caller (in-process); HTTPS leaves it to authentication */
  user?: UserInfo;
  /** aborted when the caller goes away */
  signal: AbortSignal;
  /**
   * The caller only encodes the answer (HTTPS, or a transport to another thread), so the server
   * may answer with an object it keeps (the watch cache then keeps a written object itself).
   */
  answerEncoded?: boolean;
}

/** The pipeline's answer: a body to encode, a text or byte stream (logs), or a watch stream. */
export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  watch?: AsyncIterable<WatchEvent>;
  text?: AsyncIterable<string | Buffer>;
}

/** The in-process entry point of the API server; the client's in-process transport calls it. */
export type ApiHandler = (request: ApiRequest) => Promise<ApiResponse>;
