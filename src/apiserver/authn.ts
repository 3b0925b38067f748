import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { UserInfo } from '../api/index.js';

/** The group every authenticated caller belongs to. */
export const authenticatedGroup = 'system:authenticated';

/** What a request offers as credentials. */
export interface Credentials {
  /**
   * The subject of a client certificate the TLS layer verified against the cluster CA (as
   * `tls.TLSSocket#getPeerCertificate().subject`); pass it only when `socket.authorized`.
   */
  certificateSubject?: { CN?: string | string[]; O?: string | string[] };
  /** set when a client certificate was offered but did not verify against the cluster CA */
  certificateError?: string;
  /** the `Authorization` header */
  authorization?: string;
}

/**
 * The outcome: a user, `undefined` when no credentials were offered (anonymous), or `false` when
 * credentials were offered and rejected (upstream answers 401 even where anonymous is allowed).
 */
export type AuthenticationResult = UserInfo | undefined | false;

/** A static token: who it stands for. */
export interface TokenEntry {
  token: string;
  user: UserInfo;
}

/**
 * Authenticates requests by verified client certificate (CN → name, O → groups) or by bearer
 * token. Tokens come from a static token file (`--token-file`) and from code (the node-join
 * token); they are compared in constant time.
 */
export class Authenticator {
  readonly #tokens: { digest: Buffer; user: UserInfo }[] = [];

  constructor(tokens: TokenEntry[] = []) {
    for (const entry of tokens) this.addToken(entry.token, entry.user);
  }

  /** Builds an authenticator from an upstream-format token file plus tokens given in code. */
  static async fromTokenFile(path: string | undefined, extra: TokenEntry[] = []): Promise<Authenticator> {
    const fromFile = path ? parseTokenFile(await readFile(path, 'utf8'), path) : [];
    return new Authenticator([...fromFile, ...extra]);
  }

  /** Accepts `token` as `user`; a later token equal to an earlier one replaces it. */
  addToken(token: string, user: UserInfo): void {
    if (!token) throw new Error('a token must not be empty');
    const digest = sha256(token);
    const existing = this.#tokens.find((t) => timingSafeEqual(t.digest, digest));
    if (existing) existing.user = user;
    else this.#tokens.push({ digest, user });
  }

  authenticate(credentials: Credentials): AuthenticationResult {
    if (credentials.certificateError) return false;
    const subject = credentials.certificateSubject;
    const cn = subject ? first(subject.CN) : undefined;
    if (subject && cn) {
      return withAuthenticated({ name: cn, groups: all(subject.O) });
    }
    const header = credentials.authorization?.trim();
    if (!header) return undefined;
    const match = /^bearer\s+(\S+)$/i.exec(header);
    if (!match) return false;
    const user = this.#lookup(match[1]!);
    return user ? withAuthenticated(user) : false;
  }

  #lookup(token: string): UserInfo | undefined {
    const digest = sha256(token);
    let found: UserInfo | undefined;
    for (const entry of this.#tokens) {
      if (timingSafeEqual(entry.digest, digest)) found = entry.user;
    }
    return found;
  }
}

/**
 * Parses upstream's static token file: CSV lines `token,user,uid[,"group1,group2"]`. Throws with
 * the file and line on a line with fewer than three columns; skips blank lines and empty tokens.
 */
export function parseTokenFile(text: string, source = 'token file'): TokenEntry[] {
  const entries: TokenEntry[] = [];
  let line = 0;
  for (const record of parseCsv(text)) {
    line = record.line;
    const fields = record.fields;
    if (fields.length === 1 && fields[0] === '') continue;
    if (fields.length < 3) {
      throw new Error(`token file '${source}' must have at least 3 columns (token, user name, user uid), found ${fields.length} on line ${line}`);
    }
    const [token, name, uid, groups] = fields as [string, string, string, string | undefined];
    if (!token) continue;
    const user: UserInfo = { name, groups: groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [] };
    if (uid) user.uid = uid;
    entries.push({ token, user });
  }
  return entries;
}

function parseCsv(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      records.push({ line: start, fields });
      fields = [];
      field = '';
      start = ++line;
    } else {
      field += c;
    }
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    records.push({ line: start, fields });
  }
  return records;
}

function withAuthenticated(user: UserInfo): UserInfo {
  const groups = user.groups.includes(authenticatedGroup) ? [...user.groups] : [...user.groups, authenticatedGroup];
  return user.uid === undefined ? { name: user.name, groups } : { name: user.name, groups, uid: user.uid };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function all(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
