import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { ContainerRuntime } from '../../runtime/index.js';
import { chooseChannelProtocol, type ChannelProtocol } from './channel-protocol.js';
import { containerInstances } from './container-lookup.js';
import { readCriLog } from './cri-log.js';
import { runStreamSession, type StreamRequest } from './stream-session.js';

/** Upstream's kubelet port. */
export const defaultKubeletPort = 10250;

/** The user name of the API server's client certificate for kubelets (as kubeadm names it). */
export const apiserverKubeletClientUser = 'system:apiserver-kubelet-client';

export interface KubeletServerOptions {
  runtime: ContainerRuntime;
  /** the kubelet's serving certificate and key, and the cluster CA that signs clients (PEM) */
  tls: { cert: string; key: string; caCert: string };
  /** `--kubelet-port` (10250); 0 picks a free port */
  port: number;
  /** address to listen on (all interfaces unless told) */
  host?: string;
  logger: Logger;
  /** aborting it closes the server */
  signal?: AbortSignal;
  /** users allowed besides members of `system:masters` (default: the API server's kubelet client) */
  allowedUsers?: string[];
  /** poll period of followed logs (100 ms) */
  logPollMs?: number;
}

export interface KubeletServer {
  port: number;
  server: Server;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }

  status(): object {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
  }
}

const flag = (query: URLSearchParams, ...names: string[]) => names.some((n) => query.get(n) === 'true' || query.get(n) === '1');

function intParam(query: URLSearchParams, name: string, min: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new HttpError(400, 'BadRequest', `${name}: must be an integer greater than or equal to ${min}, got ${raw}`);
  return value;
}

/**
 * The kubelet's HTTPS server: `GET /containerLogs/<ns>/<pod>/<container>` from the CRI log
 * files (`containerID` picks the runtime container, else the newest, or the one before it with
 * `previous`), and `/exec/…` and `/attach/…` as WebSocket upgrades speaking the channel protocol
 * (v5.channel.k8s.io, v4 as fallback). Callers need a client certificate signed by the cluster
 * CA, for the API server's kubelet client or a member of `system:masters`.
 */
export async function startKubeletServer(options: KubeletServerOptions): Promise<KubeletServer> {
  const log = options.logger.child({ component: 'kubelet-server' });
  const allowed = new Set(options.allowedUsers ?? [apiserverKubeletClientUser]);
  const server = createServer({ cert: options.tls.cert, key: options.tls.key, ca: [options.tls.caCert], requestCert: true, rejectUnauthorized: false });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => chooseChannelProtocol(offered) ?? false });
  const sockets = new Set<Duplex>();

  const authorize = (req: IncomingMessage): void => {
    const socket = req.socket as TLSSocket;
    const subject = socket.getPeerCertificate?.()?.subject as { CN?: string | string[]; O?: string | string[] } | undefined;
    if (!socket.authorized || !subject?.CN) throw new HttpError(401, 'Unauthorized', 'Unauthorized');
    const cn = [subject.CN].flat()[0]!;
    const groups = subject.O === undefined ? [] : [subject.O].flat();
    if (!allowed.has(cn) && !groups.includes('system:masters')) throw new HttpError(403, 'Forbidden', `user "${cn}" may not use the kubelet API`);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const controller = new AbortController();
    res.once('close', () => controller.abort());
    serveRequest(req, res, controller.signal).catch((error: unknown) => {
      const err = error instanceof HttpError ? error : new HttpError(500, 'InternalError', error instanceof Error ? error.message : String(error));
      if (err.code >= 500) log.error({ err: error, url: req.url }, 'kubelet request failed');
      if (res.headersSent) res.destroy();
      else writeJson(res, err.code, err.status());
    });
  });

  async function serveRequest(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    }
    authorize(req);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'containerLogs' || parts.length !== 4 || req.method !== 'GET') throw new HttpError(404, 'NotFound', `no such kubelet resource: ${url.pathname}`);
    const [, namespace, pod, container] = parts as [string, string, string, string];
    const q = url.searchParams;
    const tailLines = intParam(q, 'tailLines', 0);
    const limitBytes = intParam(q, 'limitBytes', 1);
    const sinceSeconds = intParam(q, 'sinceSeconds', 1);
    const sinceTime = q.get('sinceTime');
    let sinceMs = sinceSeconds !== undefined ? Date.now() - sinceSeconds * 1000 : undefined;
    if (sinceTime) {
      sinceMs = Date.parse(sinceTime);
      if (Number.isNaN(sinceMs)) throw new HttpError(400, 'BadRequest', `sinceTime: not an RFC3339 time: ${sinceTime}`);
    }
    const instances = await containerInstances(options.runtime, namespace, pod, container);
    const previous = flag(q, 'previous');
    const wanted = q.get('containerID');
    const target = wanted ? instances.find((c) => c.id === wanted) : previous ? instances[1] : instances[0];
    if (!target) {
      if (wanted) throw new HttpError(404, 'NotFound', `container "${container}" (${wanted}) in pod "${pod}" is gone from the runtime`);
      throw new HttpError(400, 'BadRequest', previous ? `previous terminated container "${container}" in pod "${pod}" not found` : `container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`);
    }
    const isRunning = async () => {
      const state = (await options.runtime.containerStatus(target.id))?.state;
      return state === 'running' || state === 'created';
    };
    const lines = readCriLog(target.logPath, { timestamps: flag(q, 'timestamps'), tailLines, sinceMs, limitBytes, follow: flag(q, 'follow'), isRunning, signal, pollMs: options.logPollMs });
    res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Content-Type-Options': 'nosniff' });
    res.flushHeaders();
    for await (const chunk of lines) {
      if (!res.write(chunk)) await new Promise<void>((resolve) => (res.once('drain', resolve), signal.addEventListener('abort', () => resolve(), { once: true })));
      if (signal.aborted) break;
    }
    res.end();
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    serveUpgrade(req, socket, head).catch((error: unknown) => {
      const err = error instanceof HttpError ? error : new HttpError(500, 'InternalError', error instanceof Error ? error.message : String(error));
      if (err.code >= 500) log.error({ err: error, url: req.url }, 'kubelet stream failed');
      writeUpgradeError(socket, err.code, err.status());
    });
  });

  async function serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    authorize(req);
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const kind = parts[0];
    if ((kind !== 'exec' && kind !== 'attach') || parts.length !== 4) throw new HttpError(404, 'NotFound', `no such kubelet resource: ${url.pathname}`);
    const [, namespace, pod, container] = parts as [string, string, string, string];
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new HttpError(400, 'BadRequest', 'only WebSocket streams (v5.channel.k8s.io, v4.channel.k8s.io) are served; SPDY is not');
    const protocol = chooseChannelProtocol(req.headers['sec-websocket-protocol']);
    if (!protocol) throw new HttpError(400, 'BadRequest', `none of the offered subprotocols is served (want v5.channel.k8s.io or v4.channel.k8s.io), got "${req.headers['sec-websocket-protocol'] ?? ''}"`);
    const q = url.searchParams;
    const request: StreamRequest = { stdin: flag(q, 'stdin', 'input'), stdout: flag(q, 'stdout', 'output'), stderr: flag(q, 'stderr', 'error'), tty: flag(q, 'tty') };
    if (!request.stdin && !request.stdout && !request.stderr) throw new HttpError(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr');
    const command = q.getAll('command');
    if (kind === 'exec' && command.length === 0) throw new HttpError(400, 'BadRequest', 'you must specify at least 1 command');
    const [latest] = await containerInstances(options.runtime, namespace, pod, container);
    if (!latest) throw new HttpError(404, 'NotFound', `container "${container}" in pod "${pod}" not found`);
    if (latest.state !== 'running') throw new HttpError(400, 'BadRequest', `container "${container}" in pod "${pod}" is not running`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const sessionLog = log.child({ pod: `${namespace}/${pod}`, container, stream: kind });
      const run =
        kind === 'exec'
          ? (io: Parameters<ContainerRuntime['attach']>[1]) => options.runtime.exec(latest.id, { ...io, command })
          : (io: Parameters<ContainerRuntime['attach']>[1]) => options.runtime.attach(latest.id, io);
      void runStreamSession(ws, protocol as ChannelProtocol, request, command, run, sessionLog);
    });
  }

  server.on('tlsClientError', (err) => log.debug({ err }, 'TLS handshake failed'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'kubelet server error'));
  const port = (server.address() as AddressInfo).port;
  log.info({ port, host: options.host ?? '0.0.0.0' }, 'kubelet server listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const ws of wss.clients) ws.terminate();
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
    });
    return closing;
  };
  options.signal?.addEventListener('abort', () => void close(), { once: true });
  return { port, server, close };
}

function writeJson(res: ServerResponse, code: number, body: object): void {
  const payload = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) }).end(payload);
}

/** Answers an upgrade request that will not be upgraded with a Status and closes the connection. */
function writeUpgradeError(socket: Duplex, code: number, status: object): void {
  if (!socket.writable) return void socket.destroy();
  const payload = JSON.stringify(status);
  const text = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[code] ?? 'Error';
  socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`);
}
