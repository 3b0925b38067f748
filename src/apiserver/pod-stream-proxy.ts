import type { IncomingMessage } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ApiError, type KubeObject, type Status, type UserInfo } from '../api/index.js';
import type { AuthenticationResult } from './authn.js';
import type { KubeletConnector } from './kubelet-connector.js';
import { podContainer, podNode } from './pod-container.js';

/** Subprotocols of exec and attach this server proxies, preferred first. */
const channelProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const streamPath = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)\/?$/;

export interface StreamProxyOptions {
  /** the HTTPS server whose `upgrade` events carry exec and attach */
  server: Pick<Http2SecureServer, 'on' | 'off'>;
  authenticate(req: IncomingMessage): AuthenticationResult;
  getPod(namespace: string, name: string): Promise<KubeObject>;
  kubelet: KubeletConnector;
  logger: Logger;
}

/**
 * Serves `pods/<name>/exec` and `pods/<name>/attach` as WebSocket upgrades (v5.channel.k8s.io,
 * v4 as fallback): authenticates the caller, checks the pod and container, opens a WebSocket to
 * the kubelet with the same subprotocol and pipes messages both ways. Requests that cannot be
 * served get a Status (kubectl 1.30+ then falls back to SPDY, which gets the same Status).
 */
export function serveStreamUpgrades(options: StreamProxyOptions): { close(): void } {
  const log = options.logger.child({ component: 'stream-proxy' });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (_offered, req) => (req as IncomingMessage & { kubeletProtocol?: string }).kubeletProtocol ?? false });
  const pairs = new Set<WebSocket>();
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    proxy(req, socket, head).catch((error: unknown) => {
      const err = error instanceof ApiError ? error : new ApiError('InternalError', `Internal error occurred: ${error instanceof Error ? error.message : String(error)}`);
      if (err.code >= 500) log.warn({ err: error, url: req.url }, 'exec/attach failed');
      writeStatus(socket, err.toStatus());
    });
  };
  options.server.on('upgrade', onUpgrade);

  async function proxy(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://apiserver');
    const match = streamPath.exec(url.pathname);
    if (!match) throw new ApiError('NotFound', 'the server could not find the requested resource');
    const auth = options.authenticate(req);
    if (!auth) throw new ApiError('Unauthorized', 'Unauthorized');
    const [namespace, name, kind] = [decodeURIComponent(match[1]!), decodeURIComponent(match[2]!), match[3]!];
    const pod = await options.getPod(namespace, name);
    const container = podContainer(pod, url.searchParams.get('container'));
    const nodeName = podNode(pod);
    if (!nodeName) throw new ApiError('BadRequest', `pod ${name} does not have a host assigned`);
    const phase = (pod as { status?: { phase?: string } }).status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') throw new ApiError('BadRequest', `cannot ${kind} into a container in a completed pod; current phase is ${phase}`);
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      // kubectl falls back to SPDY after any failed WebSocket upgrade: a kubelet that cannot be
      // reached is the real answer then, not the protocol
      await options.kubelet.endpoint(nodeName);
      throw new ApiError('BadRequest', `${kind} over SPDY is not supported by this server: use kubectl 1.30 or later, which speaks WebSocket (v5.channel.k8s.io)`);
    }
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const protocols = channelProtocols.filter((p) => offered.includes(p));
    if (protocols.length === 0) throw new ApiError('BadRequest', `none of the offered subprotocols is supported (want ${channelProtocols.join(' or ')})`);
    const query = new URLSearchParams();
    for (const key of ['command', 'stdin', 'stdout', 'stderr', 'tty']) for (const value of url.searchParams.getAll(key)) query.append(key, value);
    const path = `/${kind}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}`;
    const upstream = await options.kubelet.websocket(nodeName, path, query, protocols);
    log.debug({ user: (auth as UserInfo).name, pod: `${namespace}/${name}`, container, kind }, 'stream opened');
    await new Promise<void>((resolve, reject) => {
      const early: { data: RawData; binary: boolean }[] = [];
      const buffer = (data: RawData, binary: boolean) => early.push({ data, binary });
      upstream.on('message', buffer);
      upstream.once('unexpected-response', (_r, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => {
          try {
            const status = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Status;
            reject(ApiError.fromStatus({ ...status, code: status.code ?? res.statusCode ?? 500 }));
          } catch {
            reject(new ApiError('InternalError', `the kubelet answered ${res.statusCode}`));
          }
          upstream.terminate();
        });
      });
      upstream.once('error', (error) => reject(new ApiError('InternalError', `error dialing the kubelet of node "${nodeName}": ${error.message}`)));
      upstream.once('open', () => {
        (req as IncomingMessage & { kubeletProtocol?: string }).kubeletProtocol = upstream.protocol;
        wss.handleUpgrade(req, socket, head, (client) => {
          upstream.off('message', buffer);
          pipe(client, upstream);
          for (const m of early) client.send(m.data, { binary: m.binary });
          resolve();
        });
      });
    });
  }

  function pipe(client: WebSocket, upstream: WebSocket): void {
    pairs.add(client);
    pairs.add(upstream);
    const forward = (to: WebSocket) => (data: RawData, binary: boolean) => {
      if (to.readyState === WebSocket.OPEN) to.send(data, { binary });
    };
    client.on('message', forward(upstream));
    upstream.on('message', forward(client));
    const closer = (other: WebSocket, self: WebSocket) => (code: number, reason: Buffer) => {
      pairs.delete(self);
      if (other.readyState === WebSocket.OPEN || other.readyState === WebSocket.CONNECTING) {
        if (code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 && code !== 1015) other.close(code, reason);
        else other.close(1000);
      }
    };
    client.once('close', closer(upstream, client));
    upstream.once('close', closer(client, upstream));
    client.on('error', () => upstream.terminate());
    upstream.on('error', () => client.terminate());
  }

  return {
    close() {
      options.server.off('upgrade', onUpgrade);
      for (const ws of pairs) ws.terminate();
    },
  };
}

function writeStatus(socket: Duplex, status: Status): void {
  if (!socket.writable) return void socket.destroy();
  const payload = JSON.stringify(status);
  socket.end(`HTTP/1.1 ${status.code ?? 500} ${status.reason ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`);
}
