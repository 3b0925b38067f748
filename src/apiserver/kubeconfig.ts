import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  /** the API server URL, e.g. `https://127.0.0.1:6443` */
  server: string;
  /** PEM of the CA that signed the serving certificate */
  caCert: string;
  /** PEM client certificate; with `clientKey` */
  clientCert?: string;
  /** PEM private key of `clientCert` */
  clientKey?: string;
  /** a bearer token, instead of or beside a client certificate */
  token?: string;
  /** the name of the cluster and the context; `default` unless given */
  contextName?: string;
  /** the name of the user entry; `admin` unless given */
  user?: string;
}

/** Renders a kubeconfig (one cluster, one user, one context, current) as YAML. */
export function renderKubeconfig(options: KubeconfigOptions): string {
  const contextName = options.contextName ?? 'default';
  const user = options.user ?? 'admin';
  if (!options.server) throw new Error('kubeconfig: server is required');
  if (Boolean(options.clientCert) !== Boolean(options.clientKey)) {
    throw new Error('kubeconfig: clientCert and clientKey go together');
  }
  const credentials: Record<string, string> = {};
  if (options.clientCert && options.clientKey) {
    credentials['client-certificate-data'] = base64(options.clientCert);
    credentials['client-key-data'] = base64(options.clientKey);
  }
  if (options.token) credentials.token = options.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: contextName, cluster: { server: options.server, 'certificate-authority-data': base64(options.caCert) } }],
    users: [{ name: user, user: credentials }],
    contexts: [{ name: contextName, context: { cluster: contextName, user } }],
    'current-context': contextName,
  });
}

/** Writes a kubeconfig file readable only by its owner (mode 0600), replacing any old one atomically. */
export async function writeKubeconfig(path: string, options: KubeconfigOptions): Promise<void> {
  const text = renderKubeconfig(options);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
