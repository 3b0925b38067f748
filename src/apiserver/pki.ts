import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { issueCertificate, type DistinguishedName } from './x509.js';

/** The cluster's certificates and keys, PEM-encoded. */
export interface Pki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
}

/** A certificate and its private key, PEM-encoded. */
export interface CertKeyPair {
  cert: string;
  key: string;
}

export interface EnsurePkiOptions {
  /** extra DNS names or IP addresses the serving certificate must name */
  hosts?: string[];
}

export interface ClientCertOptions {
  /** the user name (`CN`) */
  commonName: string;
  /** the groups (`O`) */
  organizations?: string[];
}

const caValidityYears = 10;
const leafValidityYears = 1;
const renewBeforeMs = 30 * 24 * 3600 * 1000;
const backdateMs = 5 * 60 * 1000;

const files = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'server.crt',
  serverKey: 'server.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
} as const satisfies Record<keyof Pki, string>;

/**
 * Loads the cluster PKI from `<dataDir>/tls/`, creating what is missing: a CA (`skiff-ca`), a
 * serving certificate and an admin client certificate (`CN=admin, O=system:masters`). The serving
 * certificate is reissued when the names it must carry change or it nears expiry; the CA is
 * never replaced once it exists.
 */
export async function ensurePki(dataDir: string, options: EnsurePkiOptions = {}): Promise<Pki> {
  const dir = join(dataDir, 'tls');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = await loadFiles(dir);

  let ca: CertKeyPair;
  if (existing.caCert && existing.caKey) {
    ca = { cert: existing.caCert, key: existing.caKey };
  } else {
    ca = await createCa();
    await store(dir, 'caCert', ca.cert);
    await store(dir, 'caKey', ca.key);
  }

  const names = servingNames(options.hosts ?? []);
  let server: CertKeyPair;
  if (existing.serverCert && existing.serverKey && servingCertFits(existing.serverCert, ca.cert, names)) {
    server = { cert: existing.serverCert, key: existing.serverKey };
  } else {
    server = await issueCert(ca, { subject: { commonName: 'skiff-apiserver' }, names, usage: 'serverAuth' });
    await store(dir, 'serverCert', server.cert);
    await store(dir, 'serverKey', server.key);
  }

  let admin: CertKeyPair;
  if (existing.adminCert && existing.adminKey && leafFits(existing.adminCert, ca.cert)) {
    admin = { cert: existing.adminCert, key: existing.adminKey };
  } else {
    admin = await issueClientCert({ caCert: ca.cert, caKey: ca.key }, { commonName: 'admin', organizations: ['system:masters'] });
    await store(dir, 'adminCert', admin.cert);
    await store(dir, 'adminKey', admin.key);
  }

  return {
    caCert: ca.cert,
    caKey: ca.key,
    serverCert: server.cert,
    serverKey: server.key,
    adminCert: admin.cert,
    adminKey: admin.key,
  };
}

/**
 * Issues a client certificate signed by the cluster CA, e.g. for a kubelet
 * (`system:node:<name>` in `system:nodes`). Valid for one year.
 */
export async function issueClientCert(pki: Pick<Pki, 'caCert' | 'caKey'>, options: ClientCertOptions): Promise<CertKeyPair> {
  if (!options.commonName) throw new Error('issueClientCert: commonName is required');
  return issueCert({ cert: pki.caCert, key: pki.caKey }, { subject: { commonName: options.commonName, organizations: options.organizations }, names: [], usage: 'clientAuth' });
}

/** The DNS names and IP addresses the serving certificate carries for the given extra hosts. */
export function servingNames(hosts: string[]): string[] {
  const base = [
    'localhost',
    '127.0.0.1',
    '::1',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    hostname(),
  ];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of [...base, ...hosts]) {
    const name = canonicalName(raw);
    if (name && !seen.has(name)) {
      seen.add(name);
      out.push(name);
    }
  }
  return out;
}

function canonicalName(name: string): string {
  const trimmed = name.trim();
  if (isIP(trimmed) === 6) return new URL(`http://[${trimmed}]/`).hostname.slice(1, -1);
  return isIP(trimmed) ? trimmed : trimmed.toLowerCase();
}

async function createCa(): Promise<CertKeyPair> {
  const now = Date.now();
  return issueCertificate({ subject: { commonName: 'skiff-ca' }, isCA: true, notBefore: new Date(now - backdateMs), notAfter: addYears(now, caValidityYears) });
}

interface LeafSpec {
  subject: DistinguishedName;
  names: string[];
  usage: 'serverAuth' | 'clientAuth';
}

async function issueCert(ca: CertKeyPair, spec: LeafSpec): Promise<CertKeyPair> {
  const now = Date.now();
  const caNotAfter = Date.parse(new X509Certificate(ca.cert).validTo);
  return issueCertificate({
    subject: spec.subject,
    issuer: ca,
    isCA: false,
    notBefore: new Date(now - backdateMs),
    notAfter: new Date(Math.min(addYears(now, leafValidityYears).getTime(), caNotAfter)),
    usage: spec.usage,
    altNames: spec.names,
  });
}

function leafFits(certPem: string, caPem: string): boolean {
  try {
    const ca = new X509Certificate(caPem);
    const cert = new X509Certificate(certPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey) && Date.parse(cert.validTo) - Date.now() > renewBeforeMs;
  } catch {
    return false;
  }
}

function servingCertFits(certPem: string, caPem: string, names: string[]): boolean {
  if (!leafFits(certPem, caPem)) return false;
  const san = new X509Certificate(certPem).subjectAltName ?? '';
  const present = new Set(
    san
      .split(', ')
      .map((entry) => /^(?:DNS|IP Address):(.*)$/.exec(entry)?.[1])
      .filter((name): name is string => name !== undefined)
      .map(canonicalName),
  );
  return present.size === names.length && names.every((n) => present.has(n));
}

function addYears(from: number, years: number): Date {
  const date = new Date(from);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date;
}

async function loadFiles(dir: string): Promise<Partial<Pki>> {
  const out: Partial<Pki> = {};
  for (const [field, file] of Object.entries(files) as [keyof Pki, string][]) {
    try {
      out[field] = await readFile(join(dir, file), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return out;
}

async function store(dir: string, field: keyof Pki, pem: string): Promise<void> {
  const path = join(dir, files[field]);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, pem, { mode: field.endsWith('Key') ? 0o600 : 0o644 });
  await rename(tmp, path);
}
