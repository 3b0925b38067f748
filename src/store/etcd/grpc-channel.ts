import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import net from 'node:net';
import type { Logger } from 'pino';
import { GrpcCode, GrpcDeframer, GrpcError, decodeGrpcMessage, grpcCodeForHttpStatus } from './grpc-frames.js';

/** Options of a GrpcChannel. */
export interface GrpcChannelOptions {
  /** give up on a connection attempt after this long (default 5000 ms) */
  connectTimeoutMs?: number;
  logger?: Logger;
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

/**
 * gRPC over one HTTP/2 session (node:http2) to one of the endpoints. Every call is one HTTP/2
 * stream, so any number may be in flight; HTTP/2 flow control and stream limits are nghttp2's.
 * A session that fails, closes or receives GOAWAY is dropped and the next call connects again
 * (to the next endpoint, round robin); calls already on it finish or fail with UNAVAILABLE.
 * The session keeps the process alive only while calls are in flight.
 */
export class GrpcChannel {
  private session: ClientHttp2Session | undefined;
  private next = 0;
  private inFlight = 0;
  private closed = false;
  private readonly headers = new Map<string, OutgoingHttpHeaders>();
  private readonly connectTimeoutMs: number;
  private readonly logger: Logger | undefined;

  /** @param endpoints `http://host:port` URLs */
  constructor(private readonly endpoints: readonly string[], options: GrpcChannelOptions = {}) {
    if (endpoints.length === 0) throw new RangeError('a gRPC channel needs at least one endpoint');
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.logger = options.logger;
  }

  /** A unary call: one request frame in, the single response message out; rejects with GrpcError. */
  unary(path: string, frame: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      let stream: ClientHttp2Stream;
      try {
        stream = this.open(path);
      } catch (err) {
        reject(err);
        return;
      }
      let response: Buffer | undefined;
      let status: GrpcError | null | undefined;
      let failure: Error | undefined;
      const deframer = new GrpcDeframer((message) => {
        response = message;
      });
      stream.on('response', (headers) => {
        status = statusOf(headers, true);
      });
      stream.on('trailers', (trailers) => {
        status = statusOf(trailers, false);
      });
      stream.on('data', (chunk: Buffer) => {
        try {
          deframer.push(chunk);
        } catch (err) {
          failure = err as Error;
          stream.close(http2.constants.NGHTTP2_CANCEL);
        }
      });
      stream.on('error', (err) => {
        failure ??= err;
      });
      stream.on('close', () => {
        this.release();
        if (status) reject(status);
        else if (failure) reject(unavailable(failure));
        else if (status === null && response && !deframer.partial()) resolve(response);
        else reject(new GrpcError(GrpcCode.unavailable, `${path}: stream closed without a response (HTTP/2 code ${stream.rstCode ?? 'none'})`));
      });
      stream.end(frame);
    });
  }

  /** A bidirectional streaming call. */
  stream(path: string, handlers: GrpcStreamHandlers): GrpcStream {
    const stream = this.open(path);
    let status: GrpcError | null | undefined;
    let failure: Error | undefined;
    let cancelled = false;
    const deframer = new GrpcDeframer((message) => {
      if (!cancelled && !failure) handlers.message(message);
    });
    stream.on('response', (headers) => {
      status = statusOf(headers, true);
    });
    stream.on('trailers', (trailers) => {
      status = statusOf(trailers, false);
    });
    stream.on('data', (chunk: Buffer) => {
      try {
        deframer.push(chunk);
      } catch (err) {
        failure = err as Error;
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }
    });
    stream.on('error', (err) => {
      failure ??= err;
    });
    stream.on('close', () => {
      this.release();
      if (cancelled) return;
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

  /** Close the session; calls in flight fail with UNAVAILABLE and later calls are refused. */
  close(): void {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    session?.destroy();
  }

  private open(path: string): ClientHttp2Stream {
    const session = this.connected();
    let headers = this.headers.get(path);
    if (!headers) {
      headers = { ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' };
      this.headers.set(path, headers);
    }
    const stream = session.request(headers, { endStream: false });
    if (this.inFlight++ === 0) session.ref();
    return stream;
  }

  private release(): void {
    if (--this.inFlight === 0) this.session?.unref();
  }

  private connected(): ClientHttp2Session {
    if (this.closed) throw new GrpcError(GrpcCode.unavailable, 'the gRPC channel is closed');
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const endpoint = this.endpoints[this.next++ % this.endpoints.length]!;
    const url = new URL(endpoint);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port || 80);
    const session = http2.connect(endpoint, {
      settings: { enablePush: false, initialWindowSize: WINDOW_BYTES },
      maxSessionMemory: 64,
      createConnection: () => net.connect({ host, port, noDelay: true }),
    });
    this.session = session;
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    const timer = setTimeout(() => {
      session.destroy(new GrpcError(GrpcCode.unavailable, `no connection to ${endpoint} within ${this.connectTimeoutMs} ms`));
    }, this.connectTimeoutMs);
    timer.unref();
    session.once('connect', () => {
      clearTimeout(timer);
      session.setLocalWindowSize(WINDOW_BYTES);
    });
    session.on('error', (err) => {
      this.logger?.debug({ err, endpoint }, 'etcd HTTP/2 session failed');
      forget();
    });
    session.on('goaway', (code) => {
      this.logger?.debug({ code, endpoint }, 'etcd sent GOAWAY');
      forget();
    });
    session.once('close', () => {
      clearTimeout(timer);
      forget();
    });
    if (this.inFlight === 0) session.unref();
    return session;
  }
}

/** The status in a header block: null for OK, a GrpcError otherwise, undefined when there is none yet. */
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

function unavailable(err: Error): GrpcError {
  if (err instanceof GrpcError) return err;
  const wrapped = new GrpcError(GrpcCode.unavailable, err.message);
  wrapped.cause = err;
  return wrapped;
}
