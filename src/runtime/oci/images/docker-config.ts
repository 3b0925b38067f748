import type { PullAuth } from '../../types.js';

interface DockerAuthEntry {
  username?: string;
  password?: string;
  auth?: string;
  identitytoken?: string;
  registrytoken?: string;
}

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

function hostOf(key: string): string {
  let host = key.trim().replace(/^[a-z]+:\/\//i, '');
  host = host.split('/')[0];
  return host.toLowerCase();
}

function hostMatches(pattern: string, host: string): boolean {
  if (DOCKER_HUB_ALIASES.has(pattern) && DOCKER_HUB_ALIASES.has(host)) return true;
  if (!pattern.includes('*')) return pattern === host;
  const [patternName, patternPort] = pattern.split(':');
  const [hostName, hostPort] = host.split(':');
  if (patternPort !== hostPort) return false;
  const p = patternName.split('.');
  const h = hostName.split('.');
  return p.length === h.length && p.every((part, i) => part === '*' || part === h[i]);
}

function toPullAuth(entry: DockerAuthEntry): PullAuth {
  const auth: PullAuth = {};
  if (entry.username !== undefined) auth.username = entry.username;
  if (entry.password !== undefined) auth.password = entry.password;
  if (entry.auth) {
    auth.auth = entry.auth;
    const decoded = Buffer.from(entry.auth, 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon > 0 && auth.username === undefined) {
      auth.username = decoded.slice(0, colon);
      auth.password = decoded.slice(colon + 1);
    }
  }
  if (entry.identitytoken) auth.identityToken = entry.identitytoken;
  if (entry.registrytoken && !entry.auth) auth.auth = entry.registrytoken;
  return auth;
}

/**
 * Finds credentials for `registryHost` in the data of an image pull Secret: type
 * `kubernetes.io/dockerconfigjson` (key `.dockerconfigjson`, `{auths:{…}}`) or
 * `kubernetes.io/dockercfg` (key `.dockercfg`). `data` is the Secret's `data` map (base64
 * values). Keys may be URLs (`https://index.docker.io/v1/`) or host globs (`*.example.com`).
 */
export function pullAuthFromSecretData(data: Record<string, string> | undefined, registryHost: string): PullAuth | undefined {
  if (!data) return undefined;
  const raw = data['.dockerconfigjson'] ?? data['.dockercfg'];
  if (!raw) return undefined;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const auths = (data['.dockerconfigjson'] ? parsed.auths : parsed) as Record<string, DockerAuthEntry> | undefined;
  if (!auths || typeof auths !== 'object') return undefined;
  const host = registryHost.toLowerCase();
  const exact = Object.entries(auths).find(([key]) => hostOf(key) === host);
  const match = exact ?? Object.entries(auths).find(([key]) => hostMatches(hostOf(key), host));
  return match ? toPullAuth(match[1]) : undefined;
}

/** The first Secret of `secrets` (in imagePullSecrets order) with credentials for `registryHost`. */
export function pullAuthFromSecrets(secrets: ({ data?: Record<string, string> } | undefined)[], registryHost: string): PullAuth | undefined {
  for (const secret of secrets) {
    const auth = pullAuthFromSecretData(secret?.data, registryHost);
    if (auth) return auth;
  }
  return undefined;
}
