import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import type { WatchEvent } from '../api/index.js';
import { defaultKubeconfigPath, loadKubeconfig, type ClusterCredentials } from './kubeconfig.js';
import { errorFromResponse, type Transport, type TransportRequest, type TransportResponse } from './transport.js';

/** Options beyond the credentials. */
export interface HttpsTransportOptions {
  /** HTTP/1.1 sockets kept per host when the server does not speak HTTP/2 (default 128) */
  maxSockets?: number;
  userAgent?: string;
}

/** One answer being read: its status, content type and body, whichever protocol carries it. */
interface Exchange {
  status: number;
  contentType: string | undefined;
  /** the body; fails at its end when the answer was cut short */
  body: AsyncIterable<Buffer>;
  /** stops reading (a watch the caller leaves) */
  close(): void;
}

/** Stream and connection windows of an HTTP/2 connection, as client-go's (4 MiB per stream) so big lists are not throttled by the 64 KiB default. */
const streamWindowBytes = 4 * 1024 * 1024;
const connectionWindowBytes = 32 * 1024 * 1024;
/** How often a connection with open streams is checked with a PING, and TCP keep-alive's idle time. */
const healthCheckMs = 30_000;

/**
 * Talks to an API server over HTTPS with JSON bodies. As client-go, it offers HTTP/2 by ALPN and
 * multiplexes every request and watch over one connection when the server takes it (a new one is
 * made when that connection ends, and a request the server refused unprocessed is sent again); a server that answers HTTP/1.1 gets a keep-alive pool. A watch
 * is a streaming GET with `watch=true`, read as newline-delimited JSON events.
 */
export class HttpsTransport implements Transport {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly secure: boolean;
  private readonly tlsOptions: tls.ConnectionOptions;
  /** the HTTP/2 connection, or undefined once the server has answered that it speaks HTTP/1.1 only */
  private session: Promise<http2.ClientHttp2Session | undefined> | undefined;
  private http1Only: boolean;
  private closed = false;

  constructor(creds: ClusterCredentials, options: HttpsTransportOptions = {}) {
    this.base = new URL(creds.server);
    this.secure = this.base.protocol === 'https:';
    this.http1Only = !this.secure;
    this.tlsOptions = { ca: creds.ca, cert: creds.cert, key: creds.key, rejectUnauthorized: !creds.insecureSkipTLSVerify };
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 128 };
    this.agent = this.secure ? new https.Agent({ ...agentOptions, ...this.tlsOptions }) : new http.Agent(agentOptions);
    this.headers = { accept: 'application/json', 'user-agent': options.userAgent ?? 'skiff-client' };
    if (creds.token) this.headers.authorization = `Bearer ${creds.token}`;
  }

  /** A transport for the current context of the kubeconfig at `path`. */
  static fromKubeconfig(path: string, options?: HttpsTransportOptions): HttpsTransport {
    return new HttpsTransport(loadKubeconfig(path), options);
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    const headers = { ...this.headers };
    let payload: Buffer | undefined;
    if (req.body !== undefined) {
      payload = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const res = await this.send(req.method, this.pathOf(req.path, req.query), headers, req.signal, payload);
    const body = decode(await readAll(res), res.contentType);
    if (res.status < 200 || res.status >= 300) throw errorFromResponse(res.status, body);
    return { status: res.status, body };
  }

  async *watch(path: string, query: URLSearchParams, signal: AbortSignal): AsyncIterable<WatchEvent> {
    if (signal.aborted) return;
    const q = new URLSearchParams(query);
    q.set('watch', 'true');
    let res: Exchange;
    try {
      res = await this.send('GET', this.pathOf(path, q), { ...this.headers }, signal);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    if (res.status < 200 || res.status >= 300) throw errorFromResponse(res.status, decode(await readAll(res), res.contentType));
    let pending = '';
    const utf8 = new TextDecoder();
    try {
      for await (const chunk of res.body) {
        pending += utf8.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line) yield JSON.parse(line) as WatchEvent;
        }
      }
      pending += utf8.decode();
      if (pending.trim()) yield JSON.parse(pending) as WatchEvent;
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    } finally {
      res.close();
    }
  }

  /** Closes the connections, ending the requests and watches still open on them. */
  close(): void {
    this.closed = true;
    this.agent.destroy();
    void this.session?.then((s) => s?.destroy(), () => undefined);
    this.session = undefined;
  }

  private pathOf(path: string, query?: URLSearchParams): string {
    const search = query?.toString();
    return this.base.pathname.replace(/\/+$/, '') + path + (search ? `?${search}` : '');
  }

  private async send(method: string, path: string, headers: Record<string, string>, signal?: AbortSignal, payload?: Buffer): Promise<Exchange> {
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      if (this.http1Only) return this.sendHttp1(method, path, headers, signal, payload);
      const session = await this.liveConnection();
      if (!session) return this.sendHttp1(method, path, headers, signal, payload);
      try {
        return await this.sendHttp2(session, method, path, headers, signal, payload);
      } catch (err) {
        // a stream the server refused was never processed (RFC 9113 §8.7): it is safe to send
        // again, on a new connection if the old one is going away, as Go's transport does
        if (!(err instanceof RefusedStreamError) || attempt === maxRefusedAttempts) throw err;
      }
    }
  }

  /** The HTTP/2 connection, a new one if the server has said goodbye (GOAWAY) since; none if the server speaks HTTP/1.1 only. */
  private async liveConnection(): Promise<http2.ClientHttp2Session | undefined> {
    const current = this.connection();
    const session = await current;
    if (!session || !(session.closed || session.destroyed)) return session;
    if (this.session === current) this.session = undefined;
    return this.connection();
  }

  private sendHttp2(conn: http2.ClientHttp2Session, method: string, path: string, headers: Record<string, string>, signal?: AbortSignal, payload?: Buffer): Promise<Exchange> {
    return new Promise((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = conn.request({ ':method': method, ':path': path, ...headers }, { endStream: payload === undefined, signal });
      } catch (err) {
        // the session began closing after liveConnection() looked: nothing was sent
        const code = (err as { code?: string }).code;
        return reject(code === 'ERR_HTTP2_GOAWAY_SESSION' || code === 'ERR_HTTP2_INVALID_SESSION' ? new RefusedStreamError(method, path) : err);
      }
      let answered = false;
      hold(conn);
      stream.once('close', () => {
        release(conn);
        if (answered) return;
        if (stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) return reject(new RefusedStreamError(method, path));
        // the connection went away (or the server reset the stream) before any answer
        reject(new Error(`the HTTP/2 stream of ${method} ${path} closed before an answer arrived${stream.rstCode ? ` (code ${stream.rstCode})` : ''}`));
      });
      stream.on('error', (err) => {
        if (stream.rstCode !== http2.constants.NGHTTP2_REFUSED_STREAM) reject(err);
      });
      stream.once('response', (answer) => {
        answered = true;
        // from here the body's reader learns of a failure from the stream itself (and cutShort)
        stream.removeAllListeners('error');
        stream.on('error', () => undefined);
        resolve({
          status: Number(answer[':status']),
          contentType: answer['content-type'],
          // a stream cut off by a lost connection or a reset ends like a whole one, but with a code
          body: whole(stream, () => (stream.rstCode ? new Error(`the HTTP/2 stream of ${method} ${path} ended before the whole answer arrived (code ${stream.rstCode})`) : undefined)),
          close: () => {
            if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
          },
        });
      });
      if (payload !== undefined) stream.end(payload);
    });
  }

  private sendHttp1(method: string, path: string, headers: Record<string, string>, signal?: AbortSignal, payload?: Buffer): Promise<Exchange> {
    return new Promise((resolve, reject) => {
      const options: http.RequestOptions = { method, headers, agent: this.agent, signal };
      const req = (this.secure ? https.request : http.request)(new URL(path, this.base), options, (res) =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          body: whole(res, () => (res.complete ? undefined : new Error(`the connection closed before the whole answer to ${method} ${path} arrived`))),
          close: () => res.destroy(),
        }),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** The HTTP/2 connection, made when there is none; undefined when the server chose HTTP/1.1. */
  private connection(): Promise<http2.ClientHttp2Session | undefined> {
    if (this.closed) return Promise.reject(new Error('the transport is closed'));
    return (this.session ??= this.connect());
  }

  private connect(): Promise<http2.ClientHttp2Session | undefined> {
    const made = new Promise<http2.ClientHttp2Session | undefined>((resolve, reject) => {
      const host = this.base.hostname.replace(/^\[|\]$/g, '');
      const socket = tls.connect({
        ...this.tlsOptions,
        host,
        port: Number(this.base.port || 443),
        servername: isIP(host) ? undefined : host,
        ALPNProtocols: ['h2', 'http/1.1'],
      });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        if (socket.alpnProtocol !== 'h2') {
          this.http1Only = true;
          socket.destroy();
          resolve(undefined);
          return;
        }
        socket.setKeepAlive(true, healthCheckMs);
        const session = http2.connect(this.base, { createConnection: () => socket, settings: { initialWindowSize: streamWindowBytes } });
        session.setLocalWindowSize(connectionWindowBytes);
        const health = checkHealth(session);
        const forget = () => {
          clearInterval(health);
          if (this.session === made) this.session = undefined;
        };
        session.once('close', forget);
        session.once('goaway', forget);
        session.on('error', forget);
        session.unref();
        resolve(session);
      });
    });
    made.catch(() => {
      if (this.session === made) this.session = undefined;
    });
    return made;
  }
}

/** How often a request the server refused unprocessed is sent before its refusal is the answer. */
const maxRefusedAttempts = 3;

/** The server refused a stream without processing it (REFUSED_STREAM, or above a GOAWAY's last stream). */
class RefusedStreamError extends Error {
  constructor(method: string, path: string) {
    super(`the API server refused the HTTP/2 stream of ${method} ${path} unprocessed (REFUSED_STREAM), ${maxRefusedAttempts} times`);
  }
}

/**
 * While streams are open, a PING every `healthCheckMs`; a connection that has not answered the
 * previous one by the next is destroyed, so its requests and watches fail and are made again on a
 * new one (client-go pings after 30 s without a frame and gives up 15 s later).
 */
function checkHealth(session: http2.ClientHttp2Session): NodeJS.Timeout {
  let waiting = false;
  const timer = setInterval(() => {
    if ((openStreams.get(session) ?? 0) === 0 || session.destroyed) {
      waiting = false;
      return;
    }
    if (waiting) {
      session.destroy(new Error(`the API server did not answer an HTTP/2 PING within ${healthCheckMs / 1000} s`));
      return;
    }
    waiting = true;
    session.ping((err) => {
      if (!err) waiting = false;
    });
  }, healthCheckMs);
  timer.unref();
  return timer;
}

/** Open streams per HTTP/2 connection: an open stream keeps the process alive, an idle connection does not (as an idle keep-alive socket). */
const openStreams = new WeakMap<http2.ClientHttp2Session, number>();

function hold(session: http2.ClientHttp2Session): void {
  const n = openStreams.get(session) ?? 0;
  openStreams.set(session, n + 1);
  if (n === 0) session.ref();
}

function release(session: http2.ClientHttp2Session): void {
  const n = (openStreams.get(session) ?? 1) - 1;
  openStreams.set(session, n);
  if (n === 0 && !session.destroyed) session.unref();
}

/** An HttpsTransport for `$KUBECONFIG` or `~/.kube/config` (or the file at `path`). */
export function fromKubeconfigPath(path = defaultKubeconfigPath(), options?: HttpsTransportOptions): HttpsTransport {
  return HttpsTransport.fromKubeconfig(path, options);
}

/** A body that, once read to its end, fails with what `cutShort` says is missing. */
async function* whole(body: AsyncIterable<Buffer>, cutShort: () => Error | undefined): AsyncIterable<Buffer> {
  yield* body;
  const cut = cutShort();
  if (cut) throw cut;
}

async function readAll(res: Exchange): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function decode(text: string, contentType: string | undefined): unknown {
  if (!text) return undefined;
  if (contentType?.includes('json') || /^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
