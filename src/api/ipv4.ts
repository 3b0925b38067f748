/** An IPv4 network: its first address as a 32-bit number and its prefix length. */
export interface Ipv4Network {
  base: number;
  bits: number;
}

const cidrPattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n` (surrounding white space ignored) with the host bits masked off, so
 * `10.42.7.1/16` is the network `10.42.0.0/16`; undefined when the text is not an IPv4 CIDR.
 * Callers check the prefix lengths they accept and word their own errors.
 */
export function parseIpv4Network(cidr: string): Ipv4Network | undefined {
  const match = cidrPattern.exec(cidr.trim());
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  return { base: address - (address % 2 ** (32 - bits)), bits };
}

/** A dotted-decimal IPv4 address as a 32-bit number; undefined when it is not one. */
export function ipv4Number(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** A 32-bit number as a dotted-decimal IPv4 address. */
export function ipv4String(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
