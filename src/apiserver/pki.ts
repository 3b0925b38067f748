import 'reflect-metadata';
import { X509Certificate as NodeX509Certificate, randomBytes, webcrypto } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

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

const algorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;
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
    server = await issueCert(ca, { subject: [{ CN: ['skiff-apiserver'] }], names, usage: x509.ExtendedKeyUsage.serverAuth });
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
  const subject: x509.JsonName = [{ CN: [options.commonName] }];
  for (const org of options.organizations ?? []) subject.push({ O: [org] });
  return issueCert({ cert: pki.caCert, key: pki.caKey }, { subject, names: [], usage: x509.ExtendedKeyUsage.clientAuth });
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
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: ['skiff-ca'] }],
    notBefore: new Date(now - backdateMs),
    notAfter: addYears(now, caValidityYears),
    keys: keys as CryptoKeyPair,
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as CryptoKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey as CryptoKey) };
}

interface LeafSpec {
  subject: x509.JsonName;
  names: string[];
  usage: x509.ExtendedKeyUsage;
}

async function issueCert(ca: CertKeyPair, spec: LeafSpec): Promise<CertKeyPair> {
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = await importKey(ca.key);
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const now = Date.now();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([spec.usage]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (spec.names.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(spec.names.map((value): x509.JsonGeneralName => ({ type: isIP(value) ? 'ip' : 'dns', value }))));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: spec.subject,
    issuer: caCert.subject,
    notBefore: new Date(now - backdateMs),
    notAfter: new Date(Math.min(addYears(now, leafValidityYears).getTime(), caCert.notAfter.getTime())),
    publicKey: keys.publicKey as CryptoKey,
    signingKey: caKey,
    signingAlgorithm,
    extensions,
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey as CryptoKey) };
}

function leafFits(certPem: string, caPem: string): boolean {
  try {
    const cert = new x509.X509Certificate(certPem);
    const ca = new x509.X509Certificate(caPem);
    return cert.issuer === ca.subject && cert.notAfter.getTime() - Date.now() > renewBeforeMs && certSignedBy(certPem, caPem);
  } catch {
    return false;
  }
}

function servingCertFits(certPem: string, caPem: string, names: string[]): boolean {
  if (!leafFits(certPem, caPem)) return false;
  const cert = new x509.X509Certificate(certPem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  if (!san) return false;
  const present = new Set(san.names.items.map((n) => canonicalName(n.value)));
  return present.size === names.length && names.every((n) => present.has(n));
}

function certSignedBy(certPem: string, caPem: string): boolean {
  const ca = new NodeX509Certificate(caPem);
  const cert = new NodeX509Certificate(certPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  return (await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), algorithm, false, ['sign'])) as CryptoKey;
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
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
