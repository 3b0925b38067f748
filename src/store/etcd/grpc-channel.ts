import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import net from 'node:net';
import type { Logger } from 'pino';
import { GrpcCode, GrpcDeframer, GrpcError, decodeGrpcMessage, grpcCodeForHttpStatus } from './grpc-frames.js';

/** Options of a GrpcChannel. */
export interface GrpcChannelOptions {
  /** give up on a connection attempt after this long (default 5000 ms) */
  connectTimeoutMs?: number;
  logger?: Logger;
  /** calls on one HTTP/2 session before a new one is opened (default 2^29, as stream IDs run out at 2^30 calls) */
  maxStreamsPerSession?: number;
}

/** Handlers of a streaming call. `end` is called once, with no error only for an OK status. */
export interface GrpcStreamHandlers {
  message(message: Buffer): void;
  end(err?: Error): void;
}

/** One open streaming call. */
export interface GrpcStream {
  /** send one framed message */
  send(frame: Buffer): void;
  /** cancel the call (RST_STREAM CANCEL); `end` is not called after this */
  cancel(): void;
}

const WINDOW_BYTES = 8 * 1024 * 1024;
/** client stream IDs are odd and below 2^31: a session is replaced well before they run out */
const MAX_STREAMS_PER_SESSION = 2 ** 29;
/** first and longest wait before a call that found no connection is sent again */
const UNSENT_BACKOFF_MS = 50;
const UNSENT_BACKOFF_MAX_MS = 1000;

/**
 * gRPC over one HTTP/2 session (node:http2) to one of the endpoints. Every call is one HTTP/2
 * stream, so any number may be in flight; HTTP/2 flow control and stream limits are nghttp2's.
 * A session that fails, closes or receives GOAWAY is dropped and the next call connects again
 * (to the next endpoint, round robin); calls already on it finish or fail with UNAVAILABLE.
 * The session keeps the process alive only while calls are in flight.
 */
export class GrpcChannel {
  private current: Connection | undefined;
  private readonly live = new Set<Connection>();
  private next = 0;
  private readonly maxStreamsPerSession: number;
  private closed = false;
  private readonly headers = new Map<string, OutgoingHttpHeaders>();
  private readonly connectTimeoutMs: number;
  private readonly logger: Logger | undefined;

  /** @param endpoints `http://host:port` URLs */
  constructor(private readonly endpoints: readonly string[], options: GrpcChannelOptions = {}) {
    if (endpoints.length === 0) throw new RangeError('a gRPC channel needs at least one endpoint');
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.maxStreamsPerSession = options.maxStreamsPerSession ?? MAX_STREAMS_PER_SESSION;
    this.logger = options.logger;
  }

  /**
   * A unary call: one request frame in, the single response message out; rejects with GrpcError.
   * With `timeoutMs` the call carries a deadline (sent to etcd as `grpc-timeout`): when it passes,
   * the call is cancelled and rejects with DEADLINE_EXCEEDED. A call the server refused unprocessed
   * (REFUSED_STREAM, as for streams past a GOAWAY) is sent once more, on a new session; with a
   * deadline, a call that could not be sent because no connection came up is sent again, with
   * back-off, until the deadline (as etcd's Go client waits for a ready connection).
   */
  unary(path: string, frame: Buffer, timeoutMs?: number): Promise<Buffer> {
    const deadline = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
    return this.unaryAttempt(path, frame, deadline, 1, 0);
  }

  private unaryAttempt(path: string, frame: Buffer, deadline: number, refusedRetries: number, unsentRetries: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const left = deadline - performance.now();
      if (left <= 0) {
        reject(deadlineExceeded(path));
        return;
      }
      let stream: ClientHttp2Stream;
      let conn: Connection;
      try {
        ({ stream, conn } = this.open(path, left));
      } catch (err) {
        reject(err);
        return;
      }
      let timedOut = false;
      const timer = Number.isFinite(left)
        ? setTimeout(() => {
            timedOut = true;
            if (!stream.closed && !stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
          }, left)
        : undefined;
      let response: Buffer | undefined;
      const deframer = new GrpcDeframer((message) => {
        response = message;
      });
      const call = followCall(stream, deframer);
      stream.on('close', () => {
        clearTimeout(timer);
        this.release(conn);
        const { answered, status, failure } = call;
        if (timedOut) reject(deadlineExceeded(path));
        else if (!answered && stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM && refusedRetries > 0) {
          this.retire(conn);
          resolve(this.unaryAttempt(path, frame, deadline, refusedRetries - 1, unsentRetries));
        } else if (!answered && !conn.connected && !this.closed && Number.isFinite(deadline)) {
          const wait = Math.min(UNSENT_BACKOFF_MAX_MS, UNSENT_BACKOFF_MS * 2 ** unsentRetries, Math.max(0, deadline - performance.now()));
          this.logger?.debug({ err: failure, path, wait }, 'etcd unreachable; sending the call again');
          setTimeout(() => resolve(this.unaryAttempt(path, frame, deadline, refusedRetries, unsentRetries + 1)), wait);
        } else if (status) reject(status);
        else if (failure) reject(unavailable(failure));
        else if (status === null && response && !deframer.partial()) resolve(response);
        else reject(new GrpcError(GrpcCode.unavailable, `${path}: stream closed without a response (HTTP/2 code ${stream.rstCode ?? 'none'})`));
      });
      stream.end(frame);
    });
  }

  /** A bidirectional streaming call. */
  stream(path: string, handlers: GrpcStreamHandlers): GrpcStream {
    const { stream, conn } = this.open(path);
    let cancelled = false;
    const deframer = new GrpcDeframer((message) => {
      if (!cancelled && !call.failure) handlers.message(message);
    });
    const call = followCall(stream, deframer);
    stream.on('close', () => {
      this.release(conn);
      if (cancelled) return;
      const { status, failure } = call;
      if (status) handlers.end(status);
      else if (failure) handlers.end(unavailable(failure));
      else if (status === null) handlers.end();
      else handlers.end(new GrpcError(GrpcCode.unavailable, `${path}: stream closed without a status (HTTP/2 code ${stream.rstCode ?? 'none'})`));
    });
    return {
      send: (frame) => {
        if (!stream.closed && !stream.destroyed) stream.write(frame);
      },
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        if (!stream.closed && !stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
      },
    };
  }

  /** Close the sessions; calls in flight fail with UNAVAILABLE and later calls are refused. */
  close(): void {
    this.closed = true;
    this.current = undefined;
    for (const conn of this.live) conn.session.destroy();
    this.live.clear();
  }

  private open(path: string, timeoutMs = Infinity): { stream: ClientHttp2Stream; conn: Connection } {
    const conn = this.connected();
    let headers = this.headers.get(path);
    if (!headers) {
      headers = { ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' };
      this.headers.set(path, headers);
    }
    if (Number.isFinite(timeoutMs)) headers = { ...headers, 'grpc-timeout': `${Math.max(1, Math.ceil(timeoutMs))}m` };
    const stream = conn.session.request(headers, { endStream: false });
    if (conn.inFlight++ === 0) conn.session.ref();
    if (++conn.streams >= this.maxStreamsPerSession) this.retire(conn);
    return { stream, conn };
  }

  /** No new calls on this session: they go to a new one, and it closes once the calls on it finish. */
  private retire(conn: Connection): void {
    if (this.current === conn) this.current = undefined;
    conn.retired = true;
    if (conn.inFlight === 0) conn.session.close();
  }

  private release(conn: Connection): void {
    if (--conn.inFlight > 0) return;
    if (conn.retired) conn.session.close();
    else conn.session.unref();
  }

  private connected(): Connection {
    if (this.closed) throw new GrpcError(GrpcCode.unavailable, 'the gRPC channel is closed');
    const current = this.current;
    if (current && !current.session.closed && !current.session.destroyed) return current;
    const endpoint = this.endpoints[this.next++ % this.endpoints.length]!;
    const url = new URL(endpoint);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port || 80);
    const session = http2.connect(endpoint, {
      settings: { enablePush: false, initialWindowSize: WINDOW_BYTES },
      maxSessionMemory: 64,
      createConnection: () => net.connect({ host, port, noDelay: true }),
    });
    const conn: Connection = { session, inFlight: 0, streams: 0, retired: false, connected: false };
    this.current = conn;
    this.live.add(conn);
    const timer = setTimeout(() => {
      session.destroy(new GrpcError(GrpcCode.unavailable, `no connection to ${endpoint} within ${this.connectTimeoutMs} ms`));
    }, this.connectTimeoutMs);
    timer.unref();
    session.once('connect', () => {
      conn.connected = true;
      clearTimeout(timer);
      session.setLocalWindowSize(WINDOW_BYTES);
    });
    session.on('error', (err) => {
      this.logger?.debug({ err, endpoint }, 'etcd HTTP/2 session failed');
      this.retire(conn);
    });
    session.on('goaway', (code) => {
      this.logger?.debug({ code, endpoint }, 'etcd sent GOAWAY');
      this.retire(conn);
    });
    session.once('close', () => {
      clearTimeout(timer);
      if (this.current === conn) this.current = undefined;
      this.live.delete(conn);
    });
    session.unref();
    return conn;
  }
}

/** One HTTP/2 session and the calls on it. */
interface Connection {
  session: ClientHttp2Session;
  inFlight: number;
  /** streams opened on it so far */
  streams: number;
  /** no new calls go to it */
  retired: boolean;
  /** the HTTP/2 connection came up (calls that failed before it did never reached etcd) */
  connected: boolean;
}

/** The status in a header block: null for OK, a GrpcError otherwise, undefined when there is none yet. */
/** What a call's stream has said so far: answered (response headers came), its gRPC status (null: OK), the first failure. */
interface CallState {
  answered: boolean;
  status: GrpcError | null | undefined;
  failure: Error | undefined;
}

/** Feeds a call's data to `deframer` and records its headers, trailers and failures. */
function followCall(stream: ClientHttp2Stream, deframer: GrpcDeframer): Readonly<CallState> {
  const call: CallState = { answered: false, status: undefined, failure: undefined };
  stream.on('response', (headers) => {
    call.answered = true;
    call.status = statusOf(headers, true);
  });
  stream.on('trailers', (trailers) => {
    call.status = statusOf(trailers, false);
  });
  stream.on('data', (chunk: Buffer) => {
    try {
      deframer.push(chunk);
    } catch (err) {
      call.failure = err as Error;
      stream.close(http2.constants.NGHTTP2_CANCEL);
    }
  });
  stream.on('error', (err) => {
    call.failure ??= err;
  });
  return call;
}

function statusOf(headers: IncomingHttpHeaders, isResponse: boolean): GrpcError | null | undefined {
  const raw = headers['grpc-status'];
  if (raw === undefined) {
    const http = Number(headers[':status'] ?? 200);
    if (isResponse && http !== 200) return new GrpcError(grpcCodeForHttpStatus(http), `HTTP status ${http}`);
    return undefined;
  }
  const code = Number(raw);
  return code === GrpcCode.ok ? null : new GrpcError(code, decodeGrpcMessage(headers['grpc-message']));
}

function deadlineExceeded(path: string): GrpcError {
  return new GrpcError(GrpcCode.deadlineExceeded, `${path}: context deadline exceeded`);
}

function unavailable(err: Error): GrpcError {
  if (err instanceof GrpcError) return err;
  const wrapped = new GrpcError(GrpcCode.unavailable, err.message);
  wrapped.cause = err;
  return wrapped;
}
