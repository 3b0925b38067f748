import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** One record of a CRI log file: `<RFC3339Nano> stdout|stderr F|P <content>`. */
export interface CriLogRecord {
  time: string;
  stream: 'stdout' | 'stderr';
  /** `P`: a piece of a longer line, no newline follows it */
  partial: boolean;
  content: Buffer;
}

/** What `kubectl logs` asks for (the container's log options upstream). */
export interface LogOptions {
  /** prefix each line with its RFC3339Nano time */
  timestamps?: boolean;
  /** only the last N lines of the file */
  tailLines?: number;
  /** only records at or after this time (ms since the epoch) */
  sinceMs?: number;
  /** stop after this many bytes */
  limitBytes?: number;
  /** keep reading as the file grows, until `isRunning` says no or `signal` aborts */
  follow?: boolean;
  isRunning?: () => Promise<boolean>;
  signal?: AbortSignal;
  /** wait between reads at the end of a followed file (100 ms) */
  pollMs?: number;
}

const chunkSize = 64 * 1024;

/** Parses one line of a CRI log file (without its newline); undefined when malformed. */
export function parseCriLogLine(line: Buffer): CriLogRecord | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 <= 0) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.toString('latin1', s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = line.toString('latin1', s2 + 1, s2 + 2);
  if ((tag !== 'F' && tag !== 'P') || (line.length > s2 + 2 && line[s2 + 2] !== 0x20)) return undefined;
  return { time: line.toString('latin1', 0, s1), stream, partial: tag === 'P', content: line.subarray(Math.min(line.length, s2 + 3)) };
}

/**
 * A CRI time as Go's `time.RFC3339Nano` prints it (what upstream's `--timestamps` shows): the
 * fraction without trailing zeros, no dot when it is zero.
 */
export function formatLogTime(time: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return time;
  const [, seconds, fraction = '', zone] = m;
  const utc = zone === 'Z' || zone === '+00:00' || zone === '-00:00' ? seconds : new Date(`${seconds}${zone}`).toISOString().slice(0, 19);
  const digits = fraction.replace(/0+$/, '');
  return `${utc}${digits ? `.${digits}` : ''}Z`;
}

/** Milliseconds since the epoch of an RFC3339(Nano) time; NaN when unreadable. */
export function parseLogTime(time: string): number {
  return Date.parse(time.replace(/(\.\d{3})\d+/, '$1'));
}

/** The bytes `kubectl logs` shows for one record. */
export function renderRecord(record: CriLogRecord, timestamps: boolean): Buffer {
  const parts: Buffer[] = [];
  if (timestamps) parts.push(Buffer.from(`${formatLogTime(record.time)} `));
  parts.push(record.content);
  if (!record.partial) parts.push(Buffer.from('\n'));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Offset of the first of the last `lines` lines of the file (counting raw file lines, as upstream does). */
export async function tailOffset(file: FileHandle, size: number, lines: number): Promise<number> {
  if (lines <= 0) return size;
  let end = size;
  let seen = 0;
  const buffer = Buffer.alloc(chunkSize);
  let first = true;
  while (end > 0) {
    const start = Math.max(0, end - chunkSize);
    const { bytesRead } = await file.read(buffer, 0, end - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buffer[i] !== 0x0a) continue;
      if (first && start + i === size - 1) continue;
      if (++seen === lines) return start + i + 1;
    }
    first = false;
    end = start;
  }
  return 0;
}

/**
 * Reads a CRI log file as `kubectl logs` shows it: records stripped of their prefix (or with
 * their time when `timestamps`), filtered by `tailLines`, `sinceMs` and `limitBytes`, following
 * the file while the container runs when `follow`. A missing file reads as empty.
 */
export async function* readCriLog(path: string, options: LogOptions = {}): AsyncGenerator<Buffer> {
  let file: FileHandle | undefined;
  const pollMs = options.pollMs ?? 100;
  let left = options.limitBytes ?? Infinity;
  let offset: number | undefined;
  let rest = Buffer.alloc(0);
  const buffer = Buffer.alloc(chunkSize);
  try {
    for (;;) {
      if (options.signal?.aborted) return;
      if (!file) {
        file = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return undefined;
          throw error;
        });
      }
      let progressed = false;
      if (file) {
        if (offset === undefined) {
          const size = (await file.stat()).size;
          offset = options.tailLines !== undefined ? await tailOffset(file, size, options.tailLines) : 0;
        }
        const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
        if (bytesRead > 0) {
          progressed = true;
          offset += bytesRead;
          const data = rest.length ? Buffer.concat([rest, buffer.subarray(0, bytesRead)]) : Buffer.from(buffer.subarray(0, bytesRead));
          let start = 0;
          const out: Buffer[] = [];
          for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
            const record = parseCriLogLine(data.subarray(start, nl));
            start = nl + 1;
            if (!record) continue;
            if (options.sinceMs !== undefined && !(parseLogTime(record.time) >= options.sinceMs)) continue;
            let bytes = renderRecord(record, options.timestamps === true);
            if (bytes.length >= left) bytes = bytes.subarray(0, left);
            left -= bytes.length;
            out.push(bytes);
            if (left <= 0) break;
          }
          rest = Buffer.from(data.subarray(start));
          if (out.length) yield Buffer.concat(out);
          if (left <= 0) return;
        }
      }
      if (progressed) continue;
      if (!options.follow) return;
      if (!(await (options.isRunning?.() ?? Promise.resolve(false)))) {
        if (await drainedAfterExit(file, offset, buffer)) return;
        continue;
      }
      await sleep(pollMs, undefined, { signal: options.signal }).catch(() => undefined);
    }
  } finally {
    await file?.close();
  }
}

/** True when nothing was appended after the container exited (one last look, to miss no line). */
async function drainedAfterExit(file: FileHandle | undefined, offset: number | undefined, buffer: Buffer): Promise<boolean> {
  if (!file) return true;
  const { bytesRead } = await file.read(buffer, 0, 1, offset ?? 0);
  return bytesRead === 0;
}
