import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { ApiError, type KubeObject } from '../api/index.js';

/** The API server's client certificate for kubelets, and the CA their serving certificates chain to (PEM). */
export interface KubeletClientCredentials {
  caCert: string;
  cert: string;
  key: string;
}

interface NodeShape {
  status?: { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
}

/** Address types tried in order (upstream's `--kubelet-preferred-address-types`, InternalIP first here). */
const preferredAddressTypes = ['InternalIP', 'Hostname', 'InternalDNS', 'ExternalIP', 'ExternalDNS'];

/**
 * Connects the API server to kubelets over HTTPS with its kubelet client certificate, verifying
 * each kubelet's serving certificate against the cluster CA. Where a kubelet is comes from its
 * Node: the first preferred address and `status.daemonEndpoints.kubeletEndpoint.Port`.
 */
export class KubeletConnector {
  constructor(
    private readonly credentials: KubeletClientCredentials,
    private readonly getNode: (name: string) => Promise<KubeObject>,
  ) {}

  /** host and port of a node's kubelet. */
  async endpoint(nodeName: string): Promise<{ host: string; port: number }> {
    const node = (await this.getNode(nodeName)) as KubeObject & NodeShape;
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    if (!port) throw new ApiError('ServiceUnavailable', `the kubelet of node "${nodeName}" has no endpoint (status.daemonEndpoints.kubeletEndpoint.Port is not set)`);
    const addresses = node.status?.addresses ?? [];
    for (const type of preferredAddressTypes) {
      const found = addresses.find((a) => a.type === type && a.address);
      if (found) return { host: found.address, port };
    }
    throw new ApiError('ServiceUnavailable', `node "${nodeName}" has no address to reach its kubelet at`);
  }

  /** A GET to the kubelet; resolves with the response once its headers arrived. */
  async get(nodeName: string, path: string, query: URLSearchParams, signal: AbortSignal): Promise<IncomingMessage> {
    const { host, port } = await this.endpoint(nodeName);
    const search = query.toString();
    return new Promise((resolve, reject) => {
      const req = httpsRequest({ host, port, path: search ? `${path}?${search}` : path, method: 'GET', ...this.tls(), signal }, resolve);
      req.once('error', (error) => reject(unreachable(nodeName, error)));
      req.end();
    });
  }

  /** Opens a WebSocket to the kubelet offering `protocols`; the caller waits for `open` or `unexpected-response`. */
  async websocket(nodeName: string, path: string, query: URLSearchParams, protocols: string[]): Promise<WebSocket> {
    const { host, port } = await this.endpoint(nodeName);
    const search = query.toString();
    const hostPart = host.includes(':') ? `[${host}]` : host;
    return new WebSocket(`wss://${hostPart}:${port}${path}${search ? `?${search}` : ''}`, protocols, { ...this.tls(), perMessageDeflate: false });
  }

  private tls(): { ca: string; cert: string; key: string } {
    return { ca: this.credentials.caCert, cert: this.credentials.cert, key: this.credentials.key };
  }
}

/** The error a client sees when the kubelet cannot be reached. */
export function unreachable(nodeName: string, error: unknown): ApiError {
  return new ApiError('InternalError', `error dialing the kubelet of node "${nodeName}": ${error instanceof Error ? error.message : String(error)}`);
}
