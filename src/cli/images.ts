import { resolve } from 'node:path';
import { pino } from 'pino';
import { ImageStore } from '../runtime/oci/images/index.js';
import type { ImageStatus, PullProgress } from '../runtime/index.js';
import type { FlagSpec } from './flags.js';
import { UsageError } from './flags.js';

export const imagesFlags: FlagSpec[] = [
  { name: 'data-dir', description: 'the node\'s data folder (images live in <data-dir>/images)', default: process.getuid?.() === 0 ? '/var/lib/skiff' : './.skiff' },
  { name: 'base-name', description: 'import: repository for OCI archive images named only by a tag' },
  { name: 'insecure-registry', description: 'pull: registries (host:port, comma-separated) to reach over plain HTTP' },
  { name: 'quiet', description: 'ls: print image IDs only', boolean: true },
  { name: 'q', description: 'same as --quiet', boolean: true },
];


/** go-units HumanSizeWithPrecision(size, 3), as crictl prints sizes. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return `${Number(value.toPrecision(3))}${units[i]}`;
}

/** Rows of `skiff images ls`, as `crictl images` prints them (one per tag). */
export function formatImageTable(images: ImageStatus[]): string {
  const rows: string[][] = [['IMAGE', 'TAG', 'IMAGE ID', 'SIZE']];
  for (const image of images) {
    const id = image.id.replace(/^sha256:/, '').slice(0, 13);
    const names = image.repoTags.length
      ? image.repoTags.map((t) => {
          const at = t.lastIndexOf(':');
          return [t.slice(0, at), t.slice(at + 1)];
        })
      : [[image.repoDigests[0]?.split('@')[0] ?? '<none>', '<none>']];
    for (const [repo, tag] of names) rows.push([repo, tag, id, humanSize(image.size)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] + 3))).join('')).join('\n');
}

function progressBar(label: string, write: (s: string) => void, isTty: boolean): { update: (p: PullProgress) => void; finish: () => void } {
  let last = 0;
  let drawn = false;
  const draw = (p: PullProgress) => {
    const width = 30;
    const ratio = p.total ? Math.min(1, p.done / p.total) : 0;
    const filled = Math.round(ratio * width);
    write(`\r${label} [${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}] ${humanSize(p.done)}/${humanSize(p.total)}\x1b[K`);
    drawn = true;
  };
  return {
    update: (p) => {
      if (!isTty) return;
      const now = Date.now();
      if (now - last < 100 && p.done < p.total) return;
      last = now;
      draw(p);
    },
    finish: () => {
      if (drawn) write('\r\x1b[K');
    },
  };
}

/** `skiff images …`: reads and changes the image store in `--data-dir`, beside a running node. */
export async function runImages(flags: Map<string, string>, args: string[], signal: AbortSignal, out: (line: string) => void): Promise<void> {
  const [sub, ...rest] = args;
  const logger = pino({ level: 'warn', base: { component: 'images' } }, pino.destination(2));
  const store = await ImageStore.open({
    dataDir: resolve(flags.get('data-dir')!),
    logger,
    insecureRegistries: (flags.get('insecure-registry') ?? '').split(',').filter(Boolean),
  });
  const isTty = Boolean(process.stdout.isTTY);
  const writeRaw = (s: string) => void process.stdout.write(s);
  switch (sub) {
    case 'ls':
    case 'list': {
      const images = await store.list();
      if (flags.get('quiet') === 'true' || flags.get('q') === 'true') for (const image of images) out(image.id);
      else out(formatImageTable(images));
      return;
    }
    case 'pull': {
      if (rest.length !== 1) throw new UsageError('images pull takes one image reference');
      const bar = progressBar(`Pulling ${rest[0]}`, writeRaw, isTty);
      try {
        const status = await store.pull(rest[0], { onProgress: bar.update, signal });
        bar.finish();
        out(`Image is up to date for ${status.id}`);
      } catch (error) {
        bar.finish();
        throw error;
      }
      return;
    }
    case 'import':
    case 'load': {
      if (!rest.length) throw new UsageError('images import takes one or more archive files');
      for (const file of rest) {
        const bar = progressBar(`Importing ${file}`, writeRaw, isTty);
        try {
          const images = await store.importArchive(resolve(file), { baseName: flags.get('base-name'), onProgress: bar.update, onWarning: (m) => logger.warn(m) });
          bar.finish();
          for (const image of images) for (const name of image.repoTags.length ? image.repoTags : [image.id]) out(`Loaded image: ${name}`);
        } catch (error) {
          bar.finish();
          throw error;
        }
      }
      return;
    }
    case 'rm':
    case 'rmi': {
      if (!rest.length) throw new UsageError('images rm takes one or more image references or IDs');
      for (const ref of rest) {
        const status = await store.status(ref);
        await store.remove(ref);
        for (const name of status?.repoTags.length ? status.repoTags : [status?.id ?? ref]) out(`Deleted: ${name}`);
      }
      return;
    }
    default:
      throw new UsageError(sub ? `unknown images subcommand "${sub}"` : 'images needs a subcommand: ls, pull, import or rm');
  }
}
