import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { ApiError, type ApiHandler, type ApiRequest, type ApiResponse, type Status, type UserInfo } from '../api/index.js';
import type { Authenticator, Credentials } from './authn.js';
import { encodeBody, encodeWatchEvent } from './json-encoding.js';
import type { Pki } from './pki.js';
import { streamResponse, type StreamedResponse } from './stream-response.js';

/** Upstream's limit on a request body (3 MiB). */
export const maxRequestBodyBytes = 3 * 1024 * 1024;

/** Paths anyone may read, as upstream's `system:public-info-viewer` role allows. */
const publicPaths = new Set(['/healthz', '/livez', '/readyz', '/version']);
const anonymous: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
const methods = new Set<ApiRequest['method']>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const shutdownGraceMs = 2000;
/** Streams a client may open at once on one HTTP/2 connection (upstream's --http2-max-streams-per-connection is 1000). */
const maxStreamsPerConnection = 1000;

/** A request as either protocol's server hands it over. */
type Request = IncomingMessage | Http2ServerRequest;
/** What this server uses of a response; HTTP/1.1's and HTTP/2's compatibility responses both have it. */
interface Response extends StreamedResponse {
  readonly statusCode: number;
  readonly headersSent: boolean;
}

export interface HttpsServerOptions {
  handler: ApiHandler;
  authenticator: Authenticator;
  pki: Pick<Pki, 'caCert' | 'serverCert' | 'serverKey'>;
  /** 0 picks a free port */
  port: number;
  host?: string;
  logger: Logger;
  /** aborting it closes the server */
  signal?: AbortSignal;
  /** where to record `apiserver_request_total` and `apiserver_request_duration_seconds` */
  metrics?: Registry;
  /** defaults to upstream's 3 MiB */
  maxBodyBytes?: number;
}

export interface HttpsServer {
  port: number;
  /** the node server, e.g. to handle `upgrade` (exec, port-forward: HTTP/1.1 connections) */
  server: Http2SecureServer;
  /** stops accepting, ends streams, waits briefly for requests in flight, then drops connections */
  close(): Promise<void>;
}

/**
 * Serves the API over HTTPS, HTTP/2 or HTTP/1.1 as the client's ALPN offer chooses (as upstream:
 * client-go and kubectl speak HTTP/2, and upgrade to exec or port-forward over HTTP/1.1):
 * authenticates each request by client certificate or bearer token, reads its body up to the
 * limit, calls the handler and writes its answer, streaming watch events and text as they come.
 * On HTTP/2 the answers of many requests that finish in one turn leave in one socket write.
 */
export async function startHttpsServer(options: HttpsServerOptions): Promise<HttpsServer> {
  const log = options.logger.child({ component: 'https-server' });
  const metrics = options.metrics ? requestMetrics(options.metrics) : undefined;
  const limit = options.maxBodyBytes ?? maxRequestBodyBytes;
  const inFlight = new Set<RequestLifetime>();

  const server = createSecureServer({
    cert: options.pki.serverCert,
    key: options.pki.serverKey,
    ca: [options.pki.caCert],
    requestCert: true,
    rejectUnauthorized: false,
    allowHTTP1: true,
    settings: { maxConcurrentStreams: maxStreamsPerConnection },
    // the default (10 MB) refuses new streams while big lists are still queued to a slow client
    maxSessionMemory: 256,
  });
  const http1 = server as unknown as { keepAliveTimeout: number; headersTimeout: number; requestTimeout: number };
  http1.keepAliveTimeout = 65_000;
  http1.headersTimeout = 60_000;
  http1.requestTimeout = 300_000;
  const sockets = new Set<TLSSocket>();
  const sessions = new Set<ServerHttp2Session>();
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    session.on('error', (err) => log.debug({ err }, 'HTTP/2 session failed'));
  });

  server.on('request', (req: Request, answer: ServerResponse | Http2ServerResponse) => {
    const res = answer as unknown as Response;
    const controller = new RequestLifetime();
    inFlight.add(controller);
    const started = performance.now();
    res.once('close', () => {
      inFlight.delete(controller);
      // HTTP/2's compatibility response calls itself finished once its stream closes, even when the client reset it
      if (!res.writableEnded || !res.writableFinished) controller.abort();
      const labels = metricLabels(req, controller.url(req));
      metrics?.total.inc({ ...labels, code: String(res.statusCode) });
      metrics?.duration.observe(labels, (performance.now() - started) / 1000);
    });
    serve(req, res, controller).catch((err: unknown) => {
      log.error({ err, method: req.method, url: req.url }, 'request failed');
      if (!res.headersSent) writeStatus(res, internalError(err));
      else res.destroy();
    });
  });
  server.on('tlsClientError', (err) => log.debug({ err }, 'TLS handshake failed'));
  server.on('clientError', (err, socket) => {
    log.debug({ err }, 'bad HTTP request');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  async function serve(req: Request, res: Response, lifetime: RequestLifetime): Promise<void> {
    const { path, query } = lifetime.url(req);
    const method = (req.method ?? 'GET').toUpperCase() as ApiRequest['method'];
    const auth = options.authenticator.authenticate(credentials(req));
    if (auth === false || (auth === undefined && !publicPaths.has(path))) {
      writeStatus(res, new ApiError('Unauthorized', 'Unauthorized').toStatus());
      return;
    }
    if (!methods.has(method)) {
      writeStatus(res, new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource`).toStatus());
      return;
    }
    const body = await readBody(req, limit);
    if (body === 'too-large') {
      writeStatus(res, new ApiError('RequestEntityTooLarge', `Request entity too large: limit is ${limit}`).toStatus());
      return;
    }
    const request: ApiRequest = {
      method,
      path,
      query,
      headers: lowerCaseHeaders(req),
      user: auth ?? anonymous,
      get signal() {
        return lifetime.signal;
      },
    };
    if (body.length > 0) request.rawBody = body;

    let response: ApiResponse;
    try {
      response = await options.handler(request);
    } catch (err) {
      if (!(err instanceof ApiError)) log.error({ err, method, path }, 'handler failed');
      writeStatus(res, err instanceof ApiError ? err.toStatus() : internalError(err));
      return;
    }
    const client = () => ({ user: request.user?.name, address: remoteAddress(req), verb: method, path });
    if (response.watch) {
      await streamResponse(res, response, { source: response.watch, encode: encodeWatchEvent, defaultType: 'application/json', signal: lifetime.signal, log, client });
    } else if (response.text) {
      await streamResponse(res, response, { source: response.text, encode: (chunk) => chunk, defaultType: 'text/plain', signal: lifetime.signal, log, client });
    } else {
      writeBody(res, response);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'server error'));
  const port = (server.address() as AddressInfo).port;
  log.info({ port, host: options.host }, 'serving HTTPS');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, shutdownGraceMs);
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      for (const controller of inFlight) controller.abort();
      for (const session of sessions) session.close();
      // HTTP/1.1 keep-alive connections with no request in flight
      (server as unknown as { closeIdleConnections(): void }).closeIdleConnections();
    });
    return closing;
  };
  options.signal?.addEventListener('abort', () => void close(), { once: true });
  if (options.signal?.aborted) await close();
  return { port, server, close };
}

/**
 * What the server keeps of one request: its split URL and its abort signal, made only when
 * something asks for it (most requests never do); the signal aborts when the client leaves before
 * the answer is written or the server closes.
 */
class RequestLifetime {
  private controller: AbortController | undefined;
  private aborted = false;
  private split: SplitUrl | undefined;

  /** The request's path and query, split once for serving and for the metrics. */
  url(req: Request): SplitUrl {
    return (this.split ??= splitUrl(req.url ?? '/'));
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  abort(): void {
    this.aborted = true;
    this.controller?.abort();
  }
}

/** The credentials a request offers: a CA-verified client certificate and the Authorization header. */
export function credentials(req: Request): Credentials {
  // an HTTP/2 request's socket is a new proxy per stream: its session stands for the connection
  const connection = ('stream' in req ? req.stream.session : undefined) ?? req.socket;
  const out: Credentials = { ...peerCredentials(connection, req.socket as TLSSocket) };
  const authorization = req.headers.authorization;
  if (authorization) out.authorization = authorization;
  return out;
}

/** The client's address, for logs. */
function remoteAddress(req: Request): string | undefined {
  const socket = ('stream' in req ? req.stream.session?.socket : undefined) ?? req.socket;
  return socket?.remoteAddress === undefined ? undefined : `${socket.remoteAddress}:${socket.remotePort}`;
}

const peers = new WeakMap<object, Credentials>();

/** A connection's client certificate, read once per connection (it cannot change on a live TLS session). */
function peerCredentials(connection: object, socket: TLSSocket): Credentials {
  let peer = peers.get(connection);
  if (!peer) {
    peer = {};
    const subject = socket.getPeerCertificate?.()?.subject;
    if (subject && socket.authorized) peer.certificateSubject = subject as Credentials['certificateSubject'];
    else if (subject) peer.certificateError = String(socket.authorizationError);
    peers.set(connection, peer);
  }
  return peer;
}

function writeBody(res: Response, response: ApiResponse): void {
  const headers = { ...response.headers };
  const body = response.body;
  const payload = body === undefined ? '' : typeof body === 'string' || Buffer.isBuffer(body) ? body : encodeBody(body);
  if (!hasHeader(headers, 'content-type') && body !== undefined) headers['Content-Type'] = 'application/json';
  if (response.status !== 204 && response.status !== 304) headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}

function writeStatus(res: Response, status: Status): void {
  writeBody(res, { status: status.code ?? 500, body: status });
}

function internalError(err: unknown): Status {
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError('InternalError', `Internal error occurred: ${message}`).toStatus();
}

/** Reads the body into one buffer, or answers `too-large` as soon as it passes `limit` bytes. */
function readBody(req: Request, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        resolve('too-large');
      } else {
        chunks.push(chunk);
      }
    });
    req.once('end', () => {
      if (!done) resolve(Buffer.concat(chunks, size));
      done = true;
    });
    req.once('error', (err) => {
      if (!done) reject(err);
      done = true;
    });
  });
}

interface SplitUrl {
  path: string;
  query: URLSearchParams;
}

function splitUrl(url: string): SplitUrl {
  const at = url.indexOf('?');
  const rawPath = at < 0 ? url : url.slice(0, at);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    path = rawPath;
  }
  return { path, query: new URLSearchParams(at < 0 ? '' : url.slice(at + 1)) };
}

function lowerCaseHeaders(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    // HTTP/2's pseudo-headers (:method, :path …) are not headers of the request
    if (name.charCodeAt(0) === 58) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}

interface RequestMetrics {
  total: Counter<'verb' | 'resource' | 'subresource' | 'code'>;
  duration: Histogram<'verb' | 'resource' | 'subresource'>;
}

function requestMetrics(registry: Registry): RequestMetrics {
  const total =
    (registry.getSingleMetric('apiserver_request_total') as RequestMetrics['total'] | undefined) ??
    new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, resource, subresource and HTTP response code.',
      labelNames: ['verb', 'resource', 'subresource', 'code'],
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('apiserver_request_duration_seconds') as RequestMetrics['duration'] | undefined) ??
    new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, resource and subresource.',
      labelNames: ['verb', 'resource', 'subresource'],
      buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
      registers: [registry],
    });
  return { total, duration };
}

/** Upstream's metric verb (GET, LIST, WATCH, POST …) and the resource a path names. */
function metricLabels(req: Request, url: SplitUrl): { verb: string; resource: string; subresource: string } {
  const { path, query } = url;
  const parts = path.split('/').filter(Boolean);
  let rest: string[] = [];
  if (parts[0] === 'api') rest = parts.slice(2);
  else if (parts[0] === 'apis') rest = parts.slice(3);
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const [resource = '', name, subresource = ''] = rest;
  let verb = (req.method ?? 'GET').toUpperCase();
  if (verb === 'GET' && (query.get('watch') === 'true' || query.get('watch') === '1')) verb = 'WATCH';
  else if (verb === 'GET' && resource && name === undefined) verb = 'LIST';
  return { verb, resource, subresource };
}
