import { PassThrough, Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { ExecOptions } from '../../runtime/index.js';
import { channels, exitStatus, failureStatus, frame, parseMessage, type ChannelProtocol } from './channel-protocol.js';

/** Which streams the client asked for (`stdin`, `stdout`, `stderr`, `tty` query parameters). */
export interface StreamRequest {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** What the session runs: exec resolves with an exit code, attach with nothing. */
export type StreamRunner = (io: Omit<ExecOptions, 'command'>) => Promise<number | void>;

/** Terminal sizes as an async iterable fed by resize messages. */
class SizeQueue implements AsyncIterable<{ width: number; height: number }> {
  private readonly items: { width: number; height: number }[] = [];
  private wake?: () => void;
  private ended = false;

  push(size: { width: number; height: number }): void {
    this.items.push(size);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<{ width: number; height: number }> {
    for (;;) {
      const next = this.items.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

function channelWriter(ws: WebSocket, channel: number): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (ws.readyState !== ws.OPEN) return callback();
      ws.send(frame(channel, chunk), { binary: true }, () => callback());
    },
  });
}

/**
 * Runs an exec or attach over an accepted channel-protocol WebSocket: stdin messages feed the
 * command, its output goes out on channels 1 and 2, resize messages become terminal sizes, and
 * the session ends with a Status on channel 3 (exit code as `NonZeroExitCode`) and close 1000.
 */
export async function runStreamSession(ws: WebSocket, protocol: ChannelProtocol, request: StreamRequest, command: string[], run: StreamRunner, logger: Logger): Promise<void> {
  const controller = new AbortController();
  const stdin = request.stdin ? new PassThrough() : undefined;
  const sizes = new SizeQueue();
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const bytes = isBinary ? data : Buffer.from(data);
    const message = parseMessage(bytes, protocol);
    if (message.kind === 'data' && message.channel === channels.stdin) stdin?.write(message.payload);
    else if (message.kind === 'close' && message.channel === channels.stdin) stdin?.end();
    else if (message.kind === 'resize') sizes.push({ width: message.width, height: message.height });
    else if (message.kind === 'invalid') logger.debug({ reason: message.reason }, 'ignored stream message');
  });
  ws.once('close', () => {
    controller.abort();
    stdin?.end();
    sizes.end();
  });
  const stdout = request.stdout ? channelWriter(ws, channels.stdout) : undefined;
  const stderr = request.stderr && !request.tty ? channelWriter(ws, channels.stderr) : undefined;
  let status: object;
  try {
    const code = await run({ tty: request.tty, stdin, stdout, stderr, resize: request.tty ? sizes : undefined, signal: controller.signal });
    status = exitStatus(code ?? 0, command);
  } catch (error) {
    logger.info({ err: error }, 'stream session failed');
    status = failureStatus(error instanceof Error ? error.message : String(error));
  } finally {
    sizes.end();
  }
  await Promise.all([stdout, stderr].map((w) => (w ? new Promise<void>((resolve) => w.end(() => resolve())) : undefined)));
  if (ws.readyState === ws.OPEN) {
    ws.send(frame(channels.error, JSON.stringify(status)), { binary: true });
    ws.close(1000);
  }
}
