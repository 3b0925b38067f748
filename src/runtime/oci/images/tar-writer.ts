import type { TarEntryType } from './tar-reader.js';

/** One entry of a tar built in memory (tests and small synthetic layers). */
export interface TarWriterEntry {
  path: string;
  type?: TarEntryType;
  content?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkPath?: string;
  devMajor?: number;
  devMinor?: number;
}

const FLAGS: Record<TarEntryType, string> = { file: '0', link: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6' };

function header(name: string, flag: string, size: number, e: TarWriterEntry, linkPath: string): Buffer {
  const block = Buffer.alloc(512);
  const put = (value: string, start: number, length: number) => block.write(value, start, Math.min(length, Buffer.byteLength(value)), 'utf8');
  const octal = (value: number, start: number, length: number) => put(value.toString(8).padStart(length - 1, '0'), start, length - 1);
  put(name, 0, 100);
  octal(e.mode ?? (flag === '5' ? 0o755 : 0o644), 100, 8);
  octal(e.uid ?? 0, 108, 8);
  octal(e.gid ?? 0, 116, 8);
  octal(size, 124, 12);
  octal(e.mtime ?? 1_700_000_000, 136, 12);
  block[156] = flag.charCodeAt(0);
  put(linkPath, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  octal(e.devMajor ?? 0, 329, 8);
  octal(e.devMinor ?? 0, 337, 8);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return block;
}

function padded(data: Buffer): Buffer[] {
  const pad = (512 - (data.length % 512)) % 512;
  return pad ? [data, Buffer.alloc(pad)] : [data];
}

/**
 * Builds a ustar archive in memory; names or link targets over 100 bytes get a pax header.
 * Meant for tests and synthetic layers, not for large content.
 */
export function buildTar(entries: TarWriterEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? (e.linkPath ? 'symlink' : 'file');
    const content = type === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0);
    const linkPath = e.linkPath ?? '';
    if (Buffer.byteLength(e.path) > 100 || Buffer.byteLength(linkPath) > 100) {
      const records = [`path=${e.path}`, ...(linkPath ? [`linkpath=${linkPath}`] : [])].map((r) => {
        let len = Buffer.byteLength(r) + 3;
        while (String(len).length + 2 + Buffer.byteLength(r) !== len) len = String(len).length + 2 + Buffer.byteLength(r);
        return `${len} ${r}\n`;
      });
      const pax = Buffer.from(records.join(''));
      parts.push(header('PaxHeader', 'x', pax.length, { path: 'PaxHeader' }, ''), ...padded(pax));
    }
    parts.push(header(e.path.slice(0, 100), FLAGS[type], content.length, e, linkPath.slice(0, 100)), ...padded(content));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
