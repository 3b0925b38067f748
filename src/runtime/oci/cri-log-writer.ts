import { writeSync } from 'node:fs';

/** Longest piece of a line written as one record; longer lines are split into `P` records. */
export const MAX_LOG_LINE = 16 * 1024;

/** Which stream a log record came from. */
export type LogStream = 'stdout' | 'stderr';

/** `2006-01-02T15:04:05.000000000Z`, nine fraction digits from `epochNanos`. */
export function rfc3339Nano(epochNanos: bigint): string {
  const ms = Number(epochNanos / 1_000_000n);
  const iso = new Date(ms).toISOString();
  const fraction = (epochNanos % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

/** Formats one CRI log record (`<time> <stream> <F|P> <content>\n`). */
export function formatCriRecord(time: string, stream: LogStream, full: boolean, content: Buffer | string): Buffer {
  const head = Buffer.from(`${time} ${stream} ${full ? 'F' : 'P'} `);
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  return Buffer.concat([head, body, Buffer.from('\n')]);
}

/** Parses one CRI log record; undefined for a malformed line. */
export function parseCriRecord(line: string): { time: string; stream: LogStream; full: boolean; content: string } | undefined {
  const m = /^(\S+) (stdout|stderr) ([FP]) (.*)$/s.exec(line);
  return m ? { time: m[1], stream: m[2] as LogStream, full: m[3] === 'F', content: m[4] } : undefined;
}

/**
 * Splits what a container writes into CRI log records (one `F` record per line, `P` records for
 * pieces of lines longer than `MAX_LOG_LINE`, the unterminated rest as `F` at end of stream) and
 * appends them to a file descriptor, as containerd's CRI plugin does.
 */
export class CriLogWriter {
  private readonly pending: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
  private readonly pendingSize: Record<LogStream, number> = { stdout: 0, stderr: 0 };
  private readonly base = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

  constructor(
    private readonly fd: number,
    private readonly now: () => bigint = () => this.base + process.hrtime.bigint(),
  ) {}

  /** Takes a chunk of `stream` output. */
  write(stream: LogStream, chunk: Buffer): void {
    let rest = chunk;
    for (;;) {
      const nl = rest.indexOf(0x0a);
      if (nl < 0) break;
      let line = this.take(stream, rest.subarray(0, nl));
      for (; line.length > MAX_LOG_LINE; line = line.subarray(MAX_LOG_LINE)) this.emit(stream, false, line.subarray(0, MAX_LOG_LINE));
      this.emit(stream, true, line);
      rest = rest.subarray(nl + 1);
    }
    if (rest.length) {
      this.pending[stream].push(rest);
      this.pendingSize[stream] += rest.length;
    }
    while (this.pendingSize[stream] >= MAX_LOG_LINE) {
      const all = this.take(stream, Buffer.alloc(0));
      this.emit(stream, false, all.subarray(0, MAX_LOG_LINE));
      if (all.length > MAX_LOG_LINE) {
        this.pending[stream].push(all.subarray(MAX_LOG_LINE));
        this.pendingSize[stream] = all.length - MAX_LOG_LINE;
      }
    }
  }

  /** Ends `stream`: an unterminated last line is written as a full record. */
  end(stream: LogStream): void {
    if (this.pendingSize[stream] > 0) this.emit(stream, true, this.take(stream, Buffer.alloc(0)));
  }

  private take(stream: LogStream, tail: Buffer): Buffer {
    if (!this.pendingSize[stream]) return tail;
    const all = Buffer.concat([...this.pending[stream], tail]);
    this.pending[stream] = [];
    this.pendingSize[stream] = 0;
    return all;
  }

  private emit(stream: LogStream, full: boolean, content: Buffer): void {
    const record = formatCriRecord(rfc3339Nano(this.now()), stream, full, content);
    let off = 0;
    while (off < record.length) off += writeSync(this.fd, record, off);
  }
}
