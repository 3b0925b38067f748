import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * A minimal X.509 v3 certificate issuer on node:crypto (ECDSA P-256 with SHA-256): just the
 * fields and extensions a cluster PKI needs. Loading a general X.509 library costs about half a
 * second at start; writing DER directly costs nothing.
 */

/** DER: tag, length, content. */
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let length: Buffer;
  if (n < 0x80) length = Buffer.from([n]);
  else if (n < 0x100) length = Buffer.from([0x81, n]);
  else if (n < 0x10000) length = Buffer.from([0x82, n >> 8, n & 0xff]);
  else length = Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const octets = (b: Buffer) => tlv(0x04, b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const bitString = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner);

function oid(text: string): Buffer {
  const parts = text.split('.').map(Number);
  const bytes = [parts[0]! * 40 + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let v = Math.floor(part / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function positiveInteger(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) b = b.subarray(1);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const oids = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

export interface DistinguishedName {
  commonName: string;
  organizations?: string[];
}

function name(dn: DistinguishedName): Buffer {
  const rdns = [...(dn.organizations ?? []).map((o) => set(seq(oid(oids.organization), utf8(o)))), set(seq(oid(oids.commonName), utf8(dn.commonName)))];
  return seq(...rdns);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

/** Key usage bits as DER BIT STRING content: digitalSignature(0) keyEncipherment(2) keyCertSign(5) cRLSign(6). */
function keyUsage(bits: number[]): Buffer {
  let byte = 0;
  for (const bit of bits) byte |= 0x80 >> bit;
  let unused = 0;
  while (unused < 7 && (byte & (1 << unused)) === 0) unused++;
  return bitString(Buffer.from([byte]), unused);
}

function subjectAltNames(names: string[]): Buffer {
  return seq(
    ...names.map((n) => {
      const family = isIP(n);
      if (family === 4) return tlv(0x87, Buffer.from(n.split('.').map(Number)));
      if (family === 6) return tlv(0x87, ipv6Bytes(n));
      return tlv(0x82, Buffer.from(n, 'ascii'));
    }),
  );
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function keyId(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

export interface CertificateSpec {
  subject: DistinguishedName;
  /** the issuer's certificate and key (PEM); absent for a self-signed CA */
  issuer?: { cert: string; key: string };
  isCA: boolean;
  notBefore: Date;
  notAfter: Date;
  usage?: 'serverAuth' | 'clientAuth';
  /** DNS names and IP addresses */
  altNames?: string[];
}

/** Issues a certificate with a fresh P-256 key; both PEM-encoded. */
export function issueCertificate(spec: CertificateSpec): { cert: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuerKey = spec.issuer ? createPrivateKey(spec.issuer.key) : privateKey;
  const issuerCert = spec.issuer ? new X509Certificate(spec.issuer.cert) : undefined;
  const issuerName = issuerCert ? Buffer.from(issuerNameDer(issuerCert)) : name(spec.subject);
  const algorithm = seq(oid(oids.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  const extensions: Buffer[] = [
    extension(oids.basicConstraints, true, spec.isCA ? seq(bool(true)) : seq()),
    extension(oids.keyUsage, true, keyUsage(spec.isCA ? [0, 5, 6] : [0, 2])),
  ];
  if (spec.usage) extensions.push(extension(oids.extKeyUsage, false, seq(oid(oids[spec.usage]))));
  if (spec.altNames?.length) extensions.push(extension(oids.subjectAltName, false, subjectAltNames(spec.altNames)));
  extensions.push(extension(oids.subjectKeyId, false, octets(keyId(publicKey))));
  if (issuerCert) extensions.push(extension(oids.authorityKeyId, false, seq(tlv(0x80, keyId(issuerCert.publicKey)))));
  const tbs = seq(
    explicit(0, tlv(0x02, Buffer.from([2]))),
    positiveInteger(serial),
    algorithm,
    issuerName,
    seq(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject),
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, { key: issuerKey, dsaEncoding: 'der' });
  const der = seq(tbs, algorithm, bitString(signature));
  const body = der.toString('base64').replace(/.{64}/g, '$&\n');
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${body}${body.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/** The issuer certificate's subject Name, byte for byte (chains match on exact DER). */
function issuerNameDer(cert: X509Certificate): Buffer {
  const [certificate] = readElements(cert.raw);
  const [tbs] = readElements(certificate!.content);
  return readElements(tbs!.content)[5]!.whole;
}

/** The DER elements laid one after another in `buf`. */
function readElements(buf: Buffer): { whole: Buffer; content: Buffer }[] {
  const out: { whole: Buffer; content: Buffer }[] = [];
  let i = 0;
  while (i < buf.length) {
    const start = i;
    let length = buf[i + 1]!;
    let header = 2;
    if (length & 0x80) {
      const n = length & 0x7f;
      length = 0;
      for (let k = 0; k < n; k++) length = length * 256 + buf[i + 2 + k]!;
      header += n;
    }
    i = start + header + length;
    out.push({ whole: buf.subarray(start, i), content: buf.subarray(start + header, i) });
  }
  return out;
}
