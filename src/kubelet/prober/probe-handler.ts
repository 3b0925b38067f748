import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import type { ContainerRuntime } from '../../runtime/index.js';
import type { Container, Handler } from '../pod-types.js';

/** Upstream keeps at most 10 KiB of an exec probe's output for its message. */
const maxOutputBytes = 10 * 1024;

/** The outcome of one probe or hook run. */
export interface ProbeResult {
  ok: boolean;
  message: string;
}

/** Where a handler runs: the container (exec) and the pod's IP (httpGet, tcpSocket). */
export interface HandlerTarget {
  runtime: ContainerRuntime;
  containerId: string;
  container: Container;
  podIP: string;
}

function resolvePort(port: number | string, container: Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`couldn't find port ${port} in container ${container.name}`);
  return named.containerPort;
}

/** Runs an exec, httpGet or tcpSocket handler (probe or lifecycle hook) with a timeout. */
export async function runHandler(handler: Handler, target: HandlerTarget, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  try {
    if (handler.exec) {
      const chunks: Buffer[] = [];
      let size = 0;
      const output = new Writable({
        write(chunk: Buffer, _encoding, done) {
          if (size < maxOutputBytes) chunks.push(chunk.subarray(0, maxOutputBytes - size));
          size += chunk.length;
          done();
        },
      });
      const code = await target.runtime.exec(target.containerId, { command: handler.exec.command ?? [], tty: false, timeoutMs, signal, stdout: output, stderr: output });
      const text = Buffer.concat(chunks).toString('utf8').trim();
      return code === 0 ? { ok: true, message: '' } : { ok: false, message: text || `command ${JSON.stringify((handler.exec.command ?? []).join(' '))} exited with ${code}` };
    }
    if (handler.httpGet) {
      const g = handler.httpGet;
      const port = resolvePort(g.port, target.container);
      const host = g.host || target.podIP;
      const scheme = (g.scheme ?? 'HTTP').toLowerCase();
      const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${g.path ?? '/'}`;
      return await httpProbe(url, g.httpHeaders ?? [], timeoutMs, scheme === 'https');
    }
    if (handler.tcpSocket) {
      const port = resolvePort(handler.tcpSocket.port, target.container);
      return await tcpProbe(handler.tcpSocket.host || target.podIP, port, timeoutMs);
    }
    if (handler.sleep) return { ok: true, message: '' };
    return { ok: false, message: 'unsupported probe handler (grpc probes are not supported yet)' };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function httpProbe(url: string, headers: { name: string; value: string }[], timeoutMs: number, tls: boolean): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const h: Record<string, string> = { 'user-agent': 'kube-probe/1.32', accept: '*/*' };
    for (const x of headers) h[x.name.toLowerCase()] = x.value;
    const req = (tls ? httpsRequest : httpRequest)(url, { method: 'GET', headers: h, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true, message: '' } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on('error', (error) => resolve({ ok: false, message: `Get "${url}": ${error.message}` }));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true, message: '' });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    });
    socket.once('error', (error) => resolve({ ok: false, message: `dial tcp ${host}:${port}: ${error.message}` }));
  });
}
