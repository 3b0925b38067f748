/** Entry types of a tar archive, as the layer unpacker sees them. */
export type TarEntryType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

export interface TarHeader {
  /** relative path as stored (pax/GNU long names applied) */
  path: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** seconds since the epoch */
  mtime: number;
  /** hard link or symlink target */
  linkPath: string;
  devMajor: number;
  devMinor: number;
}

export interface TarEntry {
  header: TarHeader;
  /** the entry's content; read it before asking for the next entry, or it is skipped */
  body(): AsyncIterable<Buffer>;
}

/** A malformed or unsupported tar stream; `code` is stable. */
export class TarFormatError extends Error {
  readonly code = 'TarFormat';
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

const BLOCK = 512;
const TYPES: Record<string, TarEntryType> = { '0': 'file', '\0': 'file', '7': 'file', '1': 'link', '2': 'symlink', '3': 'char', '4': 'block', '5': 'directory', '6': 'fifo' };

class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.buffered < n && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else if (next.value.length) {
        const buf = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.length);
        this.chunks.push(buf);
        this.buffered += buf.length;
      }
    }
    return this.buffered >= n;
  }

  private take(n: number): Buffer {
    const out: Buffer[] = [];
    let need = n;
    while (need > 0) {
      const head = this.chunks[0];
      if (head.length <= need) {
        out.push(head);
        this.chunks.shift();
        need -= head.length;
      } else {
        out.push(head.subarray(0, need));
        this.chunks[0] = head.subarray(need);
        need = 0;
      }
    }
    this.buffered -= n;
    return out.length === 1 ? out[0] : Buffer.concat(out, n);
  }

  /** exactly n bytes, or undefined at a clean end of stream before any byte */
  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) {
      if (this.buffered === 0) return undefined;
      throw new TarFormatError('unexpected end of tar stream');
    }
    return this.take(n);
  }

  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (!(await this.fill(1))) throw new TarFormatError('unexpected end of tar stream inside an entry');
      const piece = this.take(Math.min(left, this.chunks[0].length));
      left -= piece.length;
      yield piece;
    }
  }

  async drain(): Promise<void> {
    this.chunks = [];
    this.buffered = 0;
    while (!this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
    }
  }
}

function text(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
}

function numeric(block: Buffer, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  if (field[0] & 0x80) {
    let value = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    return value;
  }
  const s = text(block, start, length).trim();
  return s ? parseInt(s, 8) : 0;
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
  return sum === numeric(block, 148, 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0) throw new TarFormatError('malformed pax header');
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

async function readAll(reader: ByteReader, size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const piece of reader.stream(size)) parts.push(piece);
  const pad = (BLOCK - (size % BLOCK)) % BLOCK;
  if (pad) await reader.read(pad);
  return Buffer.concat(parts);
}

/**
 * Reads a tar stream (ustar, pax and GNU long names) entry by entry. Sparse files and other
 * exotic types are refused with `TarFormatError`. The source is read to its end, so a hash
 * taken over it covers trailing padding too.
 */
export async function* readTar(source: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let pax: Record<string, string> = {};
  let globalPax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const block = await reader.read(BLOCK);
    if (!block) break;
    if (block.every((b) => b === 0)) break;
    if (!checksumOk(block)) throw new TarFormatError('tar header checksum mismatch (not a tar stream, or corrupted)');
    const flag = String.fromCharCode(block[156]);
    const size = numeric(block, 124, 12);
    if (flag === 'x' || flag === 'g') {
      const records = parsePax(await readAll(reader, size));
      if (flag === 'x') pax = records;
      else globalPax = { ...globalPax, ...records };
      continue;
    }
    if (flag === 'L' || flag === 'K') {
      const value = (await readAll(reader, size)).toString('utf8').replace(/\0+$/, '');
      if (flag === 'L') longName = value;
      else longLink = value;
      continue;
    }
    const type = TYPES[flag];
    if (!type) throw new TarFormatError(`unsupported tar entry type "${flag}" for ${text(block, 0, 100)}`);
    const magic = text(block, 257, 6);
    const prefix = magic.startsWith('ustar') ? text(block, 345, 155) : '';
    const fields = { ...globalPax, ...pax };
    const baseName = text(block, 0, 100);
    const header: TarHeader = {
      path: fields.path ?? longName ?? (prefix ? `${prefix}/${baseName}` : baseName),
      type,
      mode: numeric(block, 100, 8) & 0o7777,
      uid: fields.uid !== undefined ? Number(fields.uid) : numeric(block, 108, 8),
      gid: fields.gid !== undefined ? Number(fields.gid) : numeric(block, 116, 8),
      size: fields.size !== undefined ? Number(fields.size) : size,
      mtime: fields.mtime !== undefined ? Math.floor(Number(fields.mtime)) : numeric(block, 136, 12),
      linkPath: fields.linkpath ?? longLink ?? text(block, 157, 100),
      devMajor: numeric(block, 329, 8),
      devMinor: numeric(block, 337, 8),
    };
    pax = {};
    longName = undefined;
    longLink = undefined;
    const bodySize = type === 'file' ? header.size : 0;
    let consumed = false;
    const entry: TarEntry = {
      header,
      body: () => {
        if (consumed) throw new TarFormatError('tar entry body read twice');
        consumed = true;
        return reader.stream(bodySize);
      },
    };
    yield entry;
    if (!consumed) for await (const _ of reader.stream(bodySize)) void _;
    const pad = (BLOCK - (bodySize % BLOCK)) % BLOCK;
    if (pad) await reader.read(pad);
  }
  await reader.drain();
}
