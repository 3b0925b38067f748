import { Readable } from 'node:stream';
import type { PullAuth } from '../../types.js';
import { isLoopbackRegistry, type ImageReference } from './reference.js';
import { manifestAccept } from './manifest.js';

/** A registry said no, or could not be reached; `code` is stable. */
export class RegistryError extends Error {
  constructor(readonly code: 'NotFound' | 'Unauthorized' | 'Unreachable' | 'Registry', message: string, readonly status?: number) {
    super(message);
    this.name = 'RegistryError';
  }
}

export interface RegistryClientOptions {
  /** registries (host[:port]) reached over plain HTTP besides loopback ones */
  insecureRegistries?: string[];
  userAgent?: string;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (the first challenge only). */
export function parseChallenge(header: string): Challenge | undefined {
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const m of match[2].matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) params[m[1].toLowerCase()] = m[2] ?? m[3] ?? '';
  return { scheme: match[1].toLowerCase(), params };
}

function basicCredentials(auth: PullAuth | undefined): string | undefined {
  if (auth?.username !== undefined && auth.password !== undefined) return Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  if (auth?.auth && Buffer.from(auth.auth, 'base64').toString().includes(':')) return auth.auth;
  return undefined;
}

/**
 * A client of the distribution spec v2 API: manifests and blobs, with Bearer-token and Basic
 * authentication. Loopback registries (and `insecureRegistries`) are spoken to over HTTP.
 */
export class RegistryClient {
  private readonly tokens = new Map<string, string>();
  private readonly insecure: Set<string>;

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.insecure = new Set(options.insecureRegistries ?? []);
  }

  private baseUrl(ref: ImageReference): string {
    const scheme = isLoopbackRegistry(ref.registryHost) || this.insecure.has(ref.registryHost) ? 'http' : 'https';
    return `${scheme}://${ref.registryHost}/v2/${ref.repository}`;
  }

  /** GETs a manifest by tag or digest, with every manifest media type the store reads in Accept. */
  async manifest(ref: ImageReference, tagOrDigest: string, auth?: PullAuth, signal?: AbortSignal): Promise<{ body: Buffer; contentType: string }> {
    const res = await this.request(ref, `/manifests/${tagOrDigest}`, manifestAccept, auth, signal);
    const body = Buffer.from(await res.arrayBuffer());
    return { body, contentType: res.headers.get('content-type') ?? '' };
  }

  /** GETs a blob; the caller verifies its digest while streaming it. */
  async blob(ref: ImageReference, digest: string, auth?: PullAuth, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const res = await this.request(ref, `/blobs/${digest}`, '*/*', auth, signal);
    if (!res.body) throw new RegistryError('Registry', `empty response for blob ${digest}`);
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }

  private async request(ref: ImageReference, path: string, accept: string, auth: PullAuth | undefined, signal?: AbortSignal): Promise<Response> {
    const url = this.baseUrl(ref) + path;
    const scopeKey = `${ref.registryHost}/${ref.repository}`;
    const send = (authorization?: string) =>
      fetch(url, {
        headers: { accept, 'user-agent': this.options.userAgent ?? 'skiff', ...(authorization ? { authorization } : {}) },
        signal,
      }).catch((error: unknown) => {
        if (signal?.aborted) throw error;
        throw new RegistryError('Unreachable', `cannot reach registry ${ref.registryHost}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`);
      });
    const cached = this.tokens.get(scopeKey);
    let res = await send(cached);
    if (res.status === 401) {
      await res.body?.cancel();
      const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
      const authorization = await this.authorize(ref, challenge, auth, signal);
      this.tokens.set(scopeKey, authorization);
      res = await send(authorization);
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    const detail = text.slice(0, 300).trim();
    if (res.status === 404) throw new RegistryError('NotFound', `${ref.name}: ${path.split('/')[1].replace(/s$/, '')} ${path.split('/')[2]} not found`, 404);
    if (res.status === 401 || res.status === 403) throw new RegistryError('Unauthorized', `${ref.registryHost}: pull access denied for ${ref.repository} (HTTP ${res.status}${detail ? `: ${detail}` : ''})`, res.status);
    throw new RegistryError('Registry', `${ref.registryHost}: HTTP ${res.status} for ${path}${detail ? `: ${detail}` : ''}`, res.status);
  }

  private async authorize(ref: ImageReference, challenge: Challenge | undefined, auth: PullAuth | undefined, signal?: AbortSignal): Promise<string> {
    const basic = basicCredentials(auth);
    if (challenge?.scheme === 'basic') {
      if (!basic) throw new RegistryError('Unauthorized', `${ref.registryHost} requires credentials (basic auth); give the pod an imagePullSecret`, 401);
      return `Basic ${basic}`;
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
      if (auth?.auth && !basic) return `Bearer ${auth.auth}`;
      throw new RegistryError('Unauthorized', `${ref.registryHost} refused the request without a usable WWW-Authenticate challenge`, 401);
    }
    const realm = new URL(challenge.params.realm);
    const scope = challenge.params.scope || `repository:${ref.repository}:pull`;
    let res: Response;
    try {
      if (auth?.identityToken) {
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: auth.identityToken, scope, client_id: 'skiff' });
        if (challenge.params.service) form.set('service', challenge.params.service);
        res = await fetch(realm, { method: 'POST', body: form, signal });
      } else {
        if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
        realm.searchParams.set('scope', scope);
        res = await fetch(realm, { headers: basic ? { authorization: `Basic ${basic}` } : {}, signal });
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new RegistryError('Unreachable', `cannot reach the token service ${realm.origin}: ${(error as Error).message}`);
    }
    if (!res.ok) throw new RegistryError('Unauthorized', `token service ${realm.origin} answered HTTP ${res.status} for ${scope}`, res.status);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token || body.access_token;
    if (!token) throw new RegistryError('Unauthorized', `token service ${realm.origin} returned no token`);
    return `Bearer ${token}`;
  }
}
