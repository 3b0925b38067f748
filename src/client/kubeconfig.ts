import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';

/** What a client needs to reach one API server as one user: the current context of a kubeconfig. */
export interface ClusterCredentials {
  /** `https://host:port` */
  server: string;
  /** PEM of the CA that signed the server's certificate; the system roots when absent */
  ca?: string;
  /** PEM client certificate and key, for client-certificate authentication */
  cert?: string;
  key?: string;
  /** bearer token */
  token?: string;
  insecureSkipTLSVerify?: boolean;
}

type Fields = Record<string, unknown>;

/** Reads a kubeconfig file and resolves its current context to credentials. */
export function loadKubeconfig(path: string): ClusterCredentials {
  return parseKubeconfig(readFileSync(path, 'utf8'), dirname(resolve(path)));
}

/** The kubeconfig a user means: `$KUBECONFIG` (its first entry) or `~/.kube/config`. */
export function defaultKubeconfigPath(): string {
  const env = process.env.KUBECONFIG?.split(':').find((p) => p.length > 0);
  return env ?? join(homedir(), '.kube', 'config');
}

/**
 * Parses kubeconfig YAML. Relative file paths (`certificate-authority`, `client-certificate`,
 * `client-key`, `tokenFile`) are resolved against `baseDir`.
 */
export function parseKubeconfig(text: string, baseDir = process.cwd()): ClusterCredentials {
  const doc = (parse(text) ?? {}) as Fields;
  const contextName = doc['current-context'];
  if (typeof contextName !== 'string' || !contextName) throw new Error('kubeconfig has no current-context');
  const context = findNamed(doc.contexts, contextName, 'context');
  const cluster = findNamed(doc.clusters, String(context.cluster ?? ''), 'cluster');
  const user = context.user ? findNamed(doc.users, String(context.user), 'user') : {};
  if (typeof cluster.server !== 'string' || !cluster.server) throw new Error(`kubeconfig cluster ${String(context.cluster)} has no server`);

  const read = (file: unknown) => readFileSync(isAbsolute(String(file)) ? String(file) : join(baseDir, String(file)), 'utf8');
  const pem = (data: unknown, file: unknown): string | undefined => {
    if (typeof data === 'string' && data) return Buffer.from(data, 'base64').toString('utf8');
    if (typeof file === 'string' && file) return read(file);
    return undefined;
  };

  const creds: ClusterCredentials = { server: cluster.server.replace(/\/+$/, '') };
  const ca = pem(cluster['certificate-authority-data'], cluster['certificate-authority']);
  if (ca) creds.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) creds.insecureSkipTLSVerify = true;
  const cert = pem(user['client-certificate-data'], user['client-certificate']);
  const key = pem(user['client-key-data'], user['client-key']);
  if (cert && key) {
    creds.cert = cert;
    creds.key = key;
  }
  if (typeof user.token === 'string' && user.token) creds.token = user.token;
  else if (typeof user.tokenFile === 'string' && user.tokenFile) creds.token = read(user.tokenFile).trim();
  return creds;
}

function findNamed(list: unknown, name: string, field: 'cluster' | 'user' | 'context'): Fields {
  const entry = Array.isArray(list) ? (list as Fields[]).find((e) => e?.name === name) : undefined;
  if (!entry) throw new Error(`kubeconfig has no ${field} named "${name}"`);
  return (entry[field] as Fields | undefined) ?? {};
}
