import { execFile } from 'node:child_process';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, rm, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readTar, TarFormatError, type TarHeader } from './tar-reader.js';

const run = promisify(execFile);
const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** What unpacking a layer found, kept beside the unpacked files (`layer.json`). */
export interface UnpackResult {
  /** bytes of regular file content */
  size: number;
  /** paths the layer deletes from the layers below it */
  whiteouts: string[];
  /** directories whose lower content the layer hides */
  opaqueDirs: string[];
  /** device files skipped because the process is not root */
  skippedDevices: number;
  /** whiteouts were also written the way overlayfs reads them (char 0/0, trusted.overlay.opaque) */
  overlayWhiteouts: boolean;
}

export interface UnpackOptions {
  /** preserve ownership, create device nodes and overlayfs whiteouts; default: running as root */
  root?: boolean;
  onWarning?: (message: string) => void;
}

function cleanPath(raw: string): string {
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new TarFormatError(`layer entry "${raw}" escapes the layer root`);
    parts.push(part);
  }
  return parts.join('/');
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Sets `trusted.overlay.opaque=y` through perl's syscall (perl-base is always installed on Debian). */
async function setOpaque(dir: string): Promise<void> {
  const nr = process.arch === 'arm64' ? 6 : 189;
  await run('perl', ['-e', `my ($p,$n,$v)=($ARGV[0],"trusted.overlay.opaque","y"); syscall(${nr}, $p, $n, $v, 1, 0) == 0 or die "lsetxattr: $!\\n"`, dir]);
}

/**
 * Unpacks an uncompressed layer tar into the empty directory `dest`, the way one overlayfs lower
 * layer looks: OCI whiteouts become char 0/0 devices and opaque directories get
 * `trusted.overlay.opaque` (as root); both are also returned so a copy can apply them without
 * overlayfs. Refuses entries that leave `dest` or go through a symlink.
 */
export async function unpackLayer(source: AsyncIterable<Uint8Array>, dest: string, options: UnpackOptions = {}): Promise<UnpackResult> {
  const root = options.root ?? process.getuid?.() === 0;
  const result: UnpackResult = { size: 0, whiteouts: [], opaqueDirs: [], skippedDevices: 0, overlayWhiteouts: root };
  const knownDirs = new Set<string>(['']);
  const dirMeta = new Map<string, TarHeader>();

  const ensureDir = async (rel: string): Promise<void> => {
    if (knownDirs.has(rel)) return;
    await ensureDir(parentOf(rel));
    const full = join(dest, rel);
    try {
      const st = await lstat(full);
      if (!st.isDirectory()) throw new TarFormatError(`layer entry goes through "${rel}", which is not a directory`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(full, { mode: 0o755 });
    }
    knownDirs.add(rel);
  };

  const clear = async (full: string, keepDir: boolean): Promise<void> => {
    try {
      const st = await lstat(full);
      if (keepDir && st.isDirectory()) return;
      await rm(full, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  };

  const finish = async (full: string, h: TarHeader, isLink: boolean): Promise<void> => {
    if (root) await lchown(full, h.uid, h.gid);
    if (isLink) {
      await lutimes(full, h.mtime, h.mtime);
      return;
    }
    await chmod(full, h.mode);
    await utimes(full, h.mtime, h.mtime);
  };

  for await (const entry of readTar(source)) {
    const h = entry.header;
    const path = cleanPath(h.path);
    if (!path) {
      if (h.type === 'directory') dirMeta.set('', h);
      continue;
    }
    const dir = parentOf(path);
    const name = baseOf(path);
    if (name === OPAQUE) {
      await ensureDir(dir);
      result.opaqueDirs.push(dir);
      if (root) await setOpaque(join(dest, dir));
      continue;
    }
    if (name.startsWith(WHITEOUT)) {
      if (name.startsWith(`${WHITEOUT}${WHITEOUT}`)) continue;
      const target = dir ? `${dir}/${name.slice(WHITEOUT.length)}` : name.slice(WHITEOUT.length);
      result.whiteouts.push(target);
      if (root) {
        await ensureDir(dir);
        await clear(join(dest, target), false);
        await run('mknod', ['-m', '000', join(dest, target), 'c', '0', '0']);
      }
      continue;
    }
    await ensureDir(dir);
    const full = join(dest, path);
    switch (h.type) {
      case 'directory':
        await clear(full, true);
        if (!knownDirs.has(path)) await mkdir(full, { recursive: true, mode: 0o755 });
        knownDirs.add(path);
        dirMeta.set(path, h);
        break;
      case 'file': {
        await clear(full, false);
        const file = await open(full, 'wx', 0o600);
        try {
          for await (const chunk of entry.body()) await file.write(chunk);
        } finally {
          await file.close();
        }
        result.size += h.size;
        await finish(full, h, false);
        break;
      }
      case 'symlink':
        await clear(full, false);
        await symlink(h.linkPath, full);
        await finish(full, h, true);
        break;
      case 'link': {
        const target = cleanPath(h.linkPath);
        await clear(full, false);
        try {
          await link(join(dest, target), full);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          options.onWarning?.(`hard link ${path} → ${target}: target not in this layer, skipped`);
        }
        break;
      }
      case 'char':
      case 'block':
      case 'fifo':
        if (h.type !== 'fifo' && !root) {
          result.skippedDevices++;
          break;
        }
        await clear(full, false);
        await run('mknod', h.type === 'fifo' ? [full, 'p'] : [full, h.type === 'char' ? 'c' : 'b', String(h.devMajor), String(h.devMinor)]);
        await finish(full, h, false);
        break;
    }
  }
  for (const [path, h] of [...dirMeta].reverse()) await finish(join(dest, path), h, false);
  return result;
}
