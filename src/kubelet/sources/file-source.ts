import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { sleep, type Clock } from '../../client/index.js';
import type { Pod } from '../pod-types.js';
import { parsePods, staticPodFrom } from './static-pod.js';

/** Largest manifest file read (upstream's 10 MiB). */
export const maxManifestBytes = 10 * 1024 * 1024;

export interface FileSourceOptions {
  path: string;
  nodeName: string;
  clock: Clock;
  logger: Logger;
  /** every rescan's full set of static pods from the folder */
  onPods: (pods: Pod[]) => void;
  /** a file that could not be used (reported as an Event on the Node) */
  onBadFile: (file: string, message: string) => void;
  /** periodic rescan (upstream's fileCheckFrequency, 20 s) */
  rescanMs?: number;
}

/**
 * The static pod folder: every non-dot file directly inside, sorted, one pod per file, YAML or
 * JSON, at most 10 MiB. inotify (fs.watch) triggers a rescan at once; a periodic rescan catches
 * anything missed. A bad file is reported and skipped (its previous pod, if any, is dropped);
 * the other files still apply.
 */
export class FileSource {
  private readonly seen = new Map<string, { text: string; at: number }>();
  private readonly reported = new Map<string, string>();
  private scanning: Promise<void> | undefined;
  private again = false;

  constructor(private readonly o: FileSourceOptions) {}

  /** Scans now and keeps watching until `signal` aborts; resolves after the first scan. */
  async start(signal: AbortSignal): Promise<void> {
    await mkdir(this.o.path, { recursive: true });
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(this.o.path, { persistent: false }, () => void this.rescan());
      watcher.on('error', (error) => this.o.logger.warn({ err: error }, 'manifest folder watch failed; relying on the periodic rescan'));
    } catch (error) {
      this.o.logger.warn({ err: error, path: this.o.path }, 'cannot watch the manifest folder; relying on the periodic rescan');
    }
    signal.addEventListener('abort', () => watcher?.close(), { once: true });
    await this.rescan();
    void (async () => {
      while (await sleep(this.o.clock, this.o.rescanMs ?? 20_000, signal)) await this.rescan();
    })();
  }

  /** Reads the folder again (coalescing overlapping calls); resolves when the set was delivered. */
  rescan(): Promise<void> {
    if (this.scanning) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      do {
        this.again = false;
        await this.scanOnce();
      } while (this.again);
      this.scanning = undefined;
    })();
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(this.o.path)).filter((n) => !n.startsWith('.')).sort();
    } catch (error) {
      this.o.logger.warn({ err: error, path: this.o.path }, 'cannot read the manifest folder');
      return;
    }
    const pods: Pod[] = [];
    const present = new Set<string>();
    for (const name of names) {
      const file = join(this.o.path, name);
      try {
        const st = await stat(file);
        if (!st.isFile()) continue;
        present.add(file);
        if (st.size > maxManifestBytes) throw new Error(`file is ${st.size} bytes, more than the ${maxManifestBytes} allowed`);
        const text = await readFile(file, 'utf8');
        const prev = this.seen.get(file);
        const at = prev && prev.text === text ? prev.at : this.o.clock.now();
        this.seen.set(file, { text, at });
        const [raw] = parsePods(text, false);
        pods.push(staticPodFrom(raw!, 'file', file, this.o.nodeName, at));
        this.reported.delete(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        const message = `could not read static pod file ${file}: ${error instanceof Error ? error.message : String(error)}`;
        if (this.reported.get(file) !== message) {
          this.reported.set(file, message);
          this.o.logger.warn({ file }, message);
          this.o.onBadFile(file, message);
        }
      }
    }
    for (const file of this.seen.keys()) if (!present.has(file)) this.seen.delete(file);
    for (const file of this.reported.keys()) if (!present.has(file)) this.reported.delete(file);
    this.o.onPods(pods);
  }
}
