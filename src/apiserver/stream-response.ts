import type { Logger } from 'pino';
import type { ApiResponse } from '../api/index.js';
import { UnresponsiveWatcherError, type EndingSource } from './watcher-queue.js';

/** How long an ended answer may wait for its client to take what is still buffered before it is dropped. */
export const endGraceMs = 10_000;

/** What streaming uses of a response; HTTP/1.1's and HTTP/2's compatibility responses both have it. */
export interface StreamedResponse {
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  flushHeaders(): void;
  write(chunk: string | Buffer): boolean;
  end(chunk?: string | Buffer): unknown;
  cork(): void;
  uncork(): void;
  destroy(): void;
  once(event: 'close' | 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

export interface StreamOptions<T> {
  source: AsyncIterable<T>;
  encode: (item: T) => string | Buffer;
  defaultType: string;
  /** aborts when the client left or the server closes; sources end by themselves then */
  signal: AbortSignal;
  log: Logger;
  /** who the client is and what it asked for, for the warning when it is dropped */
  client: () => Record<string, unknown>;
  /** how long an ended answer may wait for its client (default `endGraceMs`) */
  graceMs?: number;
}

/**
 * Writes a streamed answer item by item, waiting for the client to take what was written (so what
 * a slow client has not taken waits in the source: a watch's queue, which the watch cache bounds,
 * see WatcherBounds). The items that arrive in one turn of the event loop (a watch gets a store
 * batch's events together) leave in one socket write. While it waits, the next item is already
 * asked for and a watch queue's end is watched (see EndingSource): when the watch cache dropped
 * the watcher of a client that stopped reading, one warning names the resource and the client and
 * the response is ended and reset (RST_STREAM, or the HTTP/1.1 connection closed), which frees
 * what it had buffered; client-go then watches again from its last resourceVersion, as after
 * upstream closes an unresponsive watcher. An ended answer whose client does not take the rest
 * within `endGraceMs` is reset too.
 */
export async function streamResponse<T>(res: StreamedResponse, response: ApiResponse, options: StreamOptions<T>): Promise<void> {
  const { source, encode, signal, log } = options;
  const graceMs = options.graceMs ?? endGraceMs;
  const headers = { ...response.headers };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = options.defaultType;
  res.writeHead(response.status, headers);
  res.flushHeaders();
  const iterator = source[Symbol.asyncIterator]();
  const ended = (source as Partial<EndingSource>).ended;
  // one reaction on the source's end for the whole response, not one per wait for the client
  let isEnded = false;
  let wakeOnEnd: ((why: 'closed') => void) | undefined;
  void ended?.then(() => {
    isEnded = true;
    wakeOnEnd?.('closed');
  });
  const whenEnded = (): Promise<'closed'> => (isEnded ? Promise.resolve('closed') : new Promise((resolve) => (wakeOnEnd = resolve)));
  let pending: Promise<IteratorResult<T>> | undefined;
  let finished = false;
  let dropped: UnresponsiveWatcherError | undefined;
  let stalled = false;
  try {
    let corked = false;
    const uncork = () => {
      corked = false;
      res.uncork();
    };
    for (;;) {
      const result = await (pending ?? iterator.next());
      pending = undefined;
      if (result.done) {
        finished = true;
        break;
      }
      if (signal.aborted) break;
      if (!corked) {
        corked = true;
        res.cork();
        setImmediate(uncork);
      }
      if (res.write(encode(result.value))) continue;
      const drain = drained(res, signal);
      pending = iterator.next();
      const closed = ended ? whenEnded() : new Promise<never>(() => undefined);
      let first = await Promise.race([drain, closed, pending.then((next) => (next.done ? 'done' : 'item'))]);
      if (first === 'item') first = await Promise.race([drain, closed]);
      wakeOnEnd = undefined;
      if (first === 'closed') {
        dropped = await ended;
        if (dropped) break;
        // closed as usual (a timeout, a reload's ERROR event): what it still holds goes out as the
        // client reads, if it reads within the grace
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, graceMs, 'late')));
        const outcome = await Promise.race([drain, late]);
        clearTimeout(timer);
        if (outcome === 'late') {
          stalled = true;
          break;
        }
      }
    }
  } catch (err) {
    finished = true;
    if (err instanceof UnresponsiveWatcherError) dropped = err;
    else if (!signal.aborted) log.error({ err }, 'response stream failed');
  } finally {
    if (dropped) log.warn({ resource: dropped.resource, queuedEvents: dropped.queuedEvents, queuedBytes: dropped.queuedBytes, ...options.client() }, 'closing the watch of a client that stopped reading');
    if (!finished) {
      pending?.catch(() => undefined);
      void iterator.return?.()?.catch(() => undefined);
    }
    endOrDrop(res, dropped || stalled ? 0 : graceMs);
  }
}

function drained(res: StreamedResponse, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Ends the response; one whose client has not taken it all within `graceMs` is dropped. */
function endOrDrop(res: StreamedResponse, graceMs: number): void {
  if (!res.writableEnded) res.end();
  if (res.writableFinished) return;
  if (graceMs === 0) {
    res.destroy();
    return;
  }
  const timer = setTimeout(() => {
    if (!res.writableFinished) res.destroy();
  }, graceMs);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
}
