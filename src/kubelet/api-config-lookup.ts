import { ApiError, type KubeObject } from '../api/index.js';
import type { Client } from '../client/index.js';
import type { ConfigLookup } from './env.js';

async function getOrUndefined(client: Client, plural: 'configmaps' | 'secrets', namespace: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await client.resource(plural).get(namespace, name);
  } catch (error) {
    if (error instanceof ApiError && error.reason === 'NotFound') return undefined;
    throw error;
  }
}

/** ConfigMaps and Secrets read through the API (Secret data base64-decoded); none without a client. */
export function apiConfigLookup(client: () => Client | undefined): ConfigLookup {
  return {
    async configMap(namespace, name) {
      const c = client();
      const cm = c ? await getOrUndefined(c, 'configmaps', namespace, name) : undefined;
      if (!cm) return undefined;
      const out: Record<string, string> = { ...((cm.data as Record<string, string>) ?? {}) };
      for (const [k, v] of Object.entries((cm.binaryData as Record<string, string>) ?? {})) out[k] = Buffer.from(v, 'base64').toString('latin1');
      return out;
    },
    async secret(namespace, name) {
      const c = client();
      const s = c ? await getOrUndefined(c, 'secrets', namespace, name) : undefined;
      if (!s) return undefined;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries((s.data as Record<string, string>) ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
      for (const [k, v] of Object.entries((s.stringData as Record<string, string>) ?? {})) out[k] = v;
      return out;
    },
  };
}
