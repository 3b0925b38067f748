import * as http from 'node:http';
import * as https from 'node:https';
import type { WatchEvent } from '../api/index.js';
import { defaultKubeconfigPath, loadKubeconfig, type ClusterCredentials } from './kubeconfig.js';
import { errorFromResponse, type Transport, type TransportRequest, type TransportResponse } from './transport.js';

/** Options beyond the credentials. */
export interface HttpsTransportOptions {
  /** sockets kept per host; must exceed the number of concurrent watches plus requests (default 128) */
  maxSockets?: number;
  userAgent?: string;
}

/**
 * Talks to an API server over HTTPS with JSON bodies and a keep-alive connection pool. A watch is
 * a streaming GET with `watch=true`, read as newline-delimited JSON events.
 */
export class HttpsTransport implements Transport {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly secure: boolean;

  constructor(creds: ClusterCredentials, options: HttpsTransportOptions = {}) {
    this.base = new URL(creds.server);
    this.secure = this.base.protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 128 };
    this.agent = this.secure
      ? new https.Agent({
          ...agentOptions,
          ca: creds.ca,
          cert: creds.cert,
          key: creds.key,
          rejectUnauthorized: !creds.insecureSkipTLSVerify,
        })
      : new http.Agent(agentOptions);
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
    const res = await this.send(req.method, this.url(req.path, req.query), headers, req.signal, payload);
    const text = await readAll(res);
    const body = decode(text, res.headers['content-type']);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw errorFromResponse(status, body);
    return { status, body };
  }

  async *watch(path: string, query: URLSearchParams, signal: AbortSignal): AsyncIterable<WatchEvent> {
    if (signal.aborted) return;
    const q = new URLSearchParams(query);
    q.set('watch', 'true');
    let res: http.IncomingMessage;
    try {
      res = await this.send('GET', this.url(path, q), { ...this.headers }, signal);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const text = await readAll(res);
      throw errorFromResponse(status, decode(text, res.headers['content-type']));
    }
    res.setEncoding('utf8');
    let pending = '';
    try {
      for await (const chunk of res as AsyncIterable<string>) {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line) yield JSON.parse(line) as WatchEvent;
        }
      }
      if (pending.trim()) yield JSON.parse(pending) as WatchEvent;
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    } finally {
      res.destroy();
    }
  }

  /** Closes idle pooled connections. */
  close(): void {
    this.agent.destroy();
  }

  private url(path: string, query?: URLSearchParams): URL {
    const url = new URL(this.base.pathname.replace(/\/+$/, '') + path, this.base);
    if (query) url.search = query.toString();
    return url;
  }

  private send(method: string, url: URL, headers: Record<string, string>, signal?: AbortSignal, payload?: Buffer): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const options: http.RequestOptions = { method, headers, agent: this.agent, signal };
      const req = (this.secure ? https.request : http.request)(url, options, resolve);
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/** An HttpsTransport for `$KUBECONFIG` or `~/.kube/config` (or the file at `path`). */
export function fromKubeconfigPath(path = defaultKubeconfigPath(), options?: HttpsTransportOptions): HttpsTransport {
  return HttpsTransport.fromKubeconfig(path, options);
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
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
