import { X509Certificate } from 'node:crypto';
import { ApiError, type ApiHandler } from '../api/index.js';
import { decodeBody } from './body.js';
import type { KubeletClientCredentials } from './kubelet-connector.js';
import { issueClientCert, servingNames, type CertKeyPair, type Pki } from './pki.js';
import { issueCertificate } from './x509.js';

/** The user the API server is towards kubelets (kubeadm's name for it). */
export const apiserverKubeletClientUser = 'system:apiserver-kubelet-client';

/** Where a joining agent asks for its kubelet serving certificate (POST `{nodeName, addresses}`). */
export const kubeletCertificatePath = '/skiff/v1/kubelet-serving-certificate';

const validityMs = 365 * 24 * 3600 * 1000;
const backdateMs = 5 * 60 * 1000;

/** A fresh client certificate for the API server to show kubelets, with the CA that verifies them. */
export async function issueApiserverKubeletClient(pki: Pick<Pki, 'caCert' | 'caKey'>): Promise<KubeletClientCredentials> {
  const pair = await issueClientCert(pki, { commonName: apiserverKubeletClientUser, organizations: ['system:masters'] });
  return { caCert: pki.caCert, cert: pair.cert, key: pair.key };
}

/**
 * A serving certificate for a node's kubelet, signed by the cluster CA, naming the node, its
 * addresses and the loopback names (`CN=system:node:<name>`, `O=system:nodes`, as upstream).
 */
export function issueKubeletServingCert(pki: Pick<Pki, 'caCert' | 'caKey'>, nodeName: string, addresses: string[]): CertKeyPair {
  const now = Date.now();
  const caNotAfter = Date.parse(new X509Certificate(pki.caCert).validTo);
  return issueCertificate({
    subject: { commonName: `system:node:${nodeName}`, organizations: ['system:nodes'] },
    issuer: { cert: pki.caCert, key: pki.caKey },
    isCA: false,
    notBefore: new Date(now - backdateMs),
    notAfter: new Date(Math.min(now + validityMs, caNotAfter)),
    usage: 'serverAuth',
    altNames: servingNames([nodeName, ...addresses]).filter((n) => !n.startsWith('kubernetes')),
  });
}

/**
 * Wraps the API handler with `POST /skiff/v1/kubelet-serving-certificate`: a member of
 * `system:nodes` (a joining agent, by its node token) or `system:masters` gets a kubelet serving
 * certificate for the node it names, and the CA that signs the API server's kubelet client.
 */
export function withKubeletCertificates(pki: Pick<Pki, 'caCert' | 'caKey'>, next: ApiHandler): ApiHandler {
  return async (request) => {
    if (request.path !== kubeletCertificatePath) return next(request);
    try {
      if (request.method !== 'POST') throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const groups = request.user?.groups ?? [];
      if (!request.user || request.user.name === 'system:anonymous') throw new ApiError('Unauthorized', 'Unauthorized');
      if (!groups.includes('system:nodes') && !groups.includes('system:masters')) throw new ApiError('Forbidden', `user "${request.user.name}" may not get kubelet certificates`);
      const body = decodeBody(request) as { nodeName?: unknown; addresses?: unknown } | undefined;
      const nodeName = typeof body?.nodeName === 'string' ? body.nodeName : '';
      const addresses = Array.isArray(body?.addresses) ? body.addresses.filter((a): a is string => typeof a === 'string') : [];
      if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(nodeName)) throw new ApiError('BadRequest', `nodeName must be a lower-case DNS name, got ${JSON.stringify(body?.nodeName)}`);
      const pair = issueKubeletServingCert(pki, nodeName, addresses);
      return { status: 200, body: { cert: pair.cert, key: pair.key, caCert: pki.caCert } };
    } catch (error) {
      if (error instanceof ApiError) return { status: error.code, body: error.toStatus() };
      throw error;
    }
  };
}
