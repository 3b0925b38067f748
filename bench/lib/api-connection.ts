import * as https from 'node:https';
import { loadKubeconfig } from '../../src/client/index.js';

/** One answered request: status, body text and the time from send to the last byte. */
export interface ApiResponse {
  status: number;
  body: string;
  bytes: number;
  ms: number;
}

/** Plain HTTPS to the API server with the kubeconfig's client certificate over a keep-alive agent. */
export class ApiConnection {
  readonly agent: https.Agent;
  private readonly base: URL;

  constructor(kubeconfigPath: string, maxSockets: number) {
    const creds = loadKubeconfig(kubeconfigPath);
    this.base = new URL(creds.server);
    this.agent = new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ca: creds.ca, cert: creds.cert, key: creds.key });
  }

  /** Sends one request and reads the whole answer. */
  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const allHeaders: Record<string, string> = { accept: 'application/json', ...headers };
    if (payload) {
      allHeaders['content-type'] = 'application/json';
      allHeaders['content-length'] = String(payload.length);
    }
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(path, this.base), { method, agent: this.agent, headers: allHeaders }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, body: buf.toString('utf8'), bytes: buf.length, ms: performance.now() - started });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like request(), but throws unless the status is 2xx. */
  async ok(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse> {
    const res = await this.request(method, path, body, headers);
    if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status}: ${res.body.slice(0, 500)}`);
    return res;
  }

  /** Opens a streaming GET and hands each chunk to onChunk with its arrival time; resolves on the response head. */
  stream(path: string, onChunk: (chunk: Buffer, at: number) => void, signal: AbortSignal): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(path, this.base), { method: 'GET', agent: this.agent, headers: { accept: 'application/json' }, signal }, (res) => {
        res.on('data', (chunk: Buffer) => onChunk(chunk, performance.now()));
        res.on('error', () => undefined);
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (error) => (signal.aborted ? resolve(0) : reject(error)));
      req.end();
    });
  }

  /** Closes every pooled socket. */
  close(): void {
    this.agent.destroy();
  }
}
