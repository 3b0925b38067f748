import { request } from 'node:https';
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import { kubeletCertificatePath } from '../apiserver/index.js';
import { defaultKubeletPort, startKubeletServer, type KubeletServer } from '../kubelet/index.js';
import type { ContainerRuntime } from '../runtime/index.js';

/** The kubelet's serving certificate and key, and the cluster CA that signs its clients (PEM). */
export interface KubeletTls {
  cert: string;
  key: string;
  caCert: string;
}

/** Every IP address of this machine's interfaces, for the kubelet serving certificate. */
export function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((i) => i.address.replace(/%.*$/, ''));
}

/**
 * Asks the API server for this node's kubelet serving certificate, authenticated by the node
 * token (`POST /skiff/v1/kubelet-serving-certificate`).
 */
export function fetchKubeletTls(options: { server: string; token: string; ca?: string; nodeName: string }): Promise<KubeletTls> {
  const url = new URL(kubeletCertificatePath, options.server);
  const body = JSON.stringify({ nodeName: options.nodeName, addresses: localAddresses() });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        ...(options.ca ? { ca: options.ca } : { rejectUnauthorized: false }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            const parsed = JSON.parse(text) as KubeletTls & { message?: string };
            if (res.statusCode === 200 && parsed.cert && parsed.key && parsed.caCert) resolve({ cert: parsed.cert, key: parsed.key, caCert: parsed.caCert });
            else reject(new Error(`the server refused a kubelet certificate (${res.statusCode}): ${parsed.message ?? text}`));
          } catch {
            reject(new Error(`the server answered ${res.statusCode} to the kubelet certificate request: ${text.slice(0, 200)}`));
          }
        });
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * Starts the kubelet's HTTPS server on `--kubelet-port`. When the port is the default and taken
 * (another kubelet on this machine, e.g. in tests), a free port is used instead and said so; the
 * Node publishes whichever port it got.
 */
export async function startKubeletHttps(options: { flag: string | undefined; runtime: ContainerRuntime; tls: KubeletTls; logger: Logger; signal: AbortSignal }): Promise<KubeletServer> {
  const explicit = options.flag !== undefined && options.flag !== '';
  const port = explicit ? Number(options.flag) : defaultKubeletPort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--kubelet-port must be a port number, got ${options.flag}`);
  const start = (p: number) => startKubeletServer({ runtime: options.runtime, tls: options.tls, port: p, logger: options.logger, signal: options.signal });
  try {
    return await start(port);
  } catch (error) {
    if (explicit || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    options.logger.warn(`kubelet port ${port} is in use; serving the kubelet API on a free port instead (set --kubelet-port to choose)`);
    return start(0);
  }
}
