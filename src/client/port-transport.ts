import { setMaxListeners } from 'node:events';
import type { MessagePort } from 'node:worker_threads';
import { ApiError, cloneJson, objectJson, type Status, type WatchEvent } from '../api/index.js';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';

/** An error as it crosses the port: an ApiError as its Status, anything else by name and message. */
type WireError = { status: Status } | { name: string; message: string };

/** What the thread that uses the API sends: a request, a watch, or the cancel of either. */
type Call =
  | { t: 'req'; id: number; method: TransportRequest['method']; path: string; query?: string; body?: unknown; contentType?: string; cancellable?: 1 }
  | { t: 'watch'; id: number; path: string; query: string }
  | { t: 'cancel'; id: number };

/** What the serving thread answers: a response, an error, watch events, the end of a watch. */
type Answer =
  | { t: 'res'; id: number; status: number; body: unknown }
  | { t: 'err'; id: number; error: WireError }
  | { t: 'events'; id: number; events: WatchEvent[] }
  | { t: 'end'; id: number; error?: WireError };

function encodeError(error: unknown): WireError {
  if (error instanceof ApiError) return { status: error.toStatus() };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

function decodeError(wire: WireError): Error {
  if ('status' in wire) return ApiError.fromStatus(wire.status);
  const error = new Error(wire.message);
  error.name = wire.name;
  return error;
}

/**
 * Messages bound for one port, sent as one JSON string per turn of the event loop: encoding to
 * JSON costs the sender about half of a structured clone of the same API objects, and one post
 * per batch instead of one per message saves the rest of the per-message cost.
 */
class Outbox<T> {
  private batch: T[] = [];

  constructor(
    private readonly port: MessagePort,
    private readonly encode: (message: T) => string = (message) => JSON.stringify(message),
  ) {}

  /** Queues a message; `merge` may fold it into the last queued one instead. */
  push(message: T, merge?: (last: T) => boolean): void {
    const last = this.batch[this.batch.length - 1];
    if (last !== undefined && merge?.(last)) return;
    if (this.batch.length === 0) setImmediate(() => this.flush());
    this.batch.push(message);
  }

  flush(): void {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    let data = '[';
    for (let i = 0; i < batch.length; i++) data += (i > 0 ? ',' : '') + this.encode(batch[i]);
    this.port.postMessage(`${data}]`);
  }
}

/**
 * An answer as JSON. A watch event's object is encoded through the API's `objectJson` memo, so an
 * object the API server's watch cache also sends to HTTPS watchers is encoded once for all; a
 * response's body through `encodeBody` (the server's own encoder, which may have the JSON ready).
 */
function encodeAnswer(answer: Answer, encodeBody: (body: unknown) => string): string {
  if (answer.t === 'res') return `{"t":"res","id":${answer.id},"status":${answer.status}${answer.body === undefined ? '' : `,"body":${encodeBody(answer.body)}`}}`;
  if (answer.t !== 'events') return JSON.stringify(answer);
  let events = '';
  for (let i = 0; i < answer.events.length; i++) {
    const e = answer.events[i];
    events += `${i > 0 ? ',' : ''}{"type":${JSON.stringify(e.type)},"object":${objectJson(e.object)}}`;
  }
  return `{"t":"events","id":${answer.id},"events":[${events}]}`;
}

/** One request on the using side, waiting for its answer. */
interface PendingRequest {
  resolve: (r: TransportResponse) => void;
  reject: (e: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** One watch on the using side: events buffered until its iterator takes them. */
interface RemoteWatch {
  events: WatchEvent[];
  ended: boolean;
  error?: Error;
  wake?: () => void;
}

/**
 * A {@link Transport} over a `MessagePort`, for a component that runs on a worker thread: each
 * request and watch is served on the other side of the port by a {@link PortTransportServer}
 * (which hands it to that thread's transport, an in-process one in `skiff server`). Answers and
 * errors come back as that transport gave them, an {@link ApiError} as an ApiError. Aborting a
 * watch's signal ends it on the serving side too. When the port closes, pending requests reject
 * with ServiceUnavailable and watches end.
 */
export class PortTransport implements Transport {
  private nextId = 1;
  private closed = false;
  private readonly outbox: Outbox<Call>;
  private readonly requests = new Map<number, PendingRequest>();
  private readonly watches = new Map<number, RemoteWatch>();

  constructor(private readonly port: MessagePort) {
    this.outbox = new Outbox(port);
    port.on('message', (data: string) => this.receive(JSON.parse(data) as Answer[]));
    port.once('close', () => this.shutDown());
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    if (this.closed) return Promise.reject(closedError());
    const id = this.nextId++;
    return new Promise<TransportResponse>((resolve, reject) => {
      const pending: PendingRequest = { resolve, reject };
      this.requests.set(id, pending);
      const call: Call = { t: 'req', id, method: req.method, path: req.path };
      const query = req.query?.toString();
      if (query) call.query = query;
      // copied now: the body leaves at the end of this turn, and the caller may change its own
      if (req.body !== undefined) call.body = cloneJson(req.body);
      if (req.contentType) call.contentType = req.contentType;
      if (req.signal) {
        // as for watches: a component's many requests in flight may share its one signal
        setMaxListeners(0, req.signal);
        call.cancellable = 1;
        pending.signal = req.signal;
        pending.onAbort = () => this.outbox.push({ t: 'cancel', id });
        req.signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.outbox.push(call);
      if (req.signal?.aborted) this.outbox.push({ t: 'cancel', id });
    });
  }

  async *watch(path: string, query: URLSearchParams, signal: AbortSignal): AsyncIterable<WatchEvent> {
    if (signal.aborted) return;
    if (this.closed) throw closedError();
    // many informers' watches legitimately hang on one component's signal at once
    setMaxListeners(0, signal);
    const id = this.nextId++;
    const w: RemoteWatch = { events: [], ended: false };
    this.watches.set(id, w);
    this.outbox.push({ t: 'watch', id, path, query: query.toString() });
    const onAbort = () => endWatch(w);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (w.events.length > 0) {
          const events = w.events;
          w.events = [];
          for (const e of events) {
            if (signal.aborted) return;
            yield e;
          }
          continue;
        }
        if (w.ended) {
          if (w.error && !signal.aborted) throw w.error;
          return;
        }
        await new Promise<void>((resolve) => (w.wake = resolve));
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (this.watches.delete(id) && !this.closed) this.outbox.push({ t: 'cancel', id });
    }
  }

  /** Closes the port: pending requests reject, watches end, the serving side stops their work. */
  close(): void {
    this.outbox.flush();
    this.port.close();
    this.shutDown();
  }

  private receive(answers: Answer[]): void {
    for (const a of answers) {
      switch (a.t) {
        case 'res':
        case 'err': {
          const pending = this.requests.get(a.id);
          if (!pending) break;
          this.requests.delete(a.id);
          if (pending.onAbort) pending.signal!.removeEventListener('abort', pending.onAbort);
          if (a.t === 'res') pending.resolve({ status: a.status, body: a.body });
          else pending.reject(decodeError(a.error));
          break;
        }
        case 'events': {
          const w = this.watches.get(a.id);
          if (!w || w.ended) break;
          for (const e of a.events) w.events.push(e);
          wakeWatch(w);
          break;
        }
        case 'end': {
          const w = this.watches.get(a.id);
          if (!w) break;
          this.watches.delete(a.id);
          if (a.error) w.error = decodeError(a.error);
          endWatch(w);
          break;
        }
      }
    }
  }

  private shutDown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const pending of this.requests.values()) {
      if (pending.onAbort) pending.signal!.removeEventListener('abort', pending.onAbort);
      pending.reject(closedError());
    }
    this.requests.clear();
    for (const w of this.watches.values()) endWatch(w);
  }
}

function wakeWatch(w: RemoteWatch): void {
  const wake = w.wake;
  w.wake = undefined;
  wake?.();
}

function endWatch(w: RemoteWatch): void {
  w.ended = true;
  wakeWatch(w);
}

function closedError(): ApiError {
  return new ApiError('ServiceUnavailable', 'the connection to the API server was closed');
}

/**
 * The serving side of a {@link PortTransport}: answers each request and watch that arrives on
 * `port` by handing it to `transport`, and streams watch events back until either side ends the
 * watch. `close()` (or the other side closing its port) aborts every request and watch in flight.
 * The objects of `transport`'s watch events must never change once handed out (true of the API
 * server's watch cache, which the in-process transport's watches serve).
 */
export class PortTransportServer {
  private closed = false;
  private readonly outbox: Outbox<Answer>;
  private readonly requests = new Map<number, AbortController>();
  private readonly watches = new Map<number, AbortController>();

  /** `encodeBody` encodes a response's body (JSON.stringify when absent; `skiff server` gives the API server's, which reuses a written object's JSON) */
  constructor(
    private readonly port: MessagePort,
    private readonly transport: Transport,
    encodeBody: (body: unknown) => string = (body) => JSON.stringify(body),
  ) {
    this.outbox = new Outbox(port, (answer) => encodeAnswer(answer, encodeBody));
    port.on('message', (data: string) => {
      for (const call of JSON.parse(data) as Call[]) this.serve(call);
    });
    port.once('close', () => this.close());
  }

  /** How many watches are being streamed. */
  get openWatches(): number {
    return this.watches.size;
  }

  /** Stops serving: aborts what is in flight and closes the port. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of [...this.requests.values(), ...this.watches.values()]) c.abort();
    this.requests.clear();
    this.watches.clear();
    this.outbox.flush();
    this.port.close();
  }

  private serve(call: Call): void {
    if (this.closed) return;
    switch (call.t) {
      case 'req':
        this.request(call);
        break;
      case 'watch':
        void this.watch(call);
        break;
      case 'cancel':
        (this.requests.get(call.id) ?? this.watches.get(call.id))?.abort();
        break;
    }
  }

  private request(call: Extract<Call, { t: 'req' }>): void {
    const controller = call.cancellable ? new AbortController() : undefined;
    if (controller) this.requests.set(call.id, controller);
    const query = call.query ? new URLSearchParams(call.query) : undefined;
    this.transport.request({ method: call.method, path: call.path, query, body: call.body, contentType: call.contentType, signal: controller?.signal }).then(
      (res) => this.answer(call.id, { t: 'res', id: call.id, status: res.status, body: res.body }),
      (error: unknown) => this.answer(call.id, { t: 'err', id: call.id, error: encodeError(error) }),
    );
  }

  private answer(id: number, answer: Answer): void {
    this.requests.delete(id);
    if (!this.closed) this.outbox.push(answer);
  }

  private async watch(call: Extract<Call, { t: 'watch' }>): Promise<void> {
    const controller = new AbortController();
    this.watches.set(call.id, controller);
    let error: WireError | undefined;
    try {
      for await (const event of this.transport.watch(call.path, new URLSearchParams(call.query), controller.signal)) {
        if (this.closed) break;
        this.outbox.push({ t: 'events', id: call.id, events: [event] }, (last) => {
          if (last.t !== 'events' || last.id !== call.id) return false;
          last.events.push(event);
          return true;
        });
      }
    } catch (e) {
      if (!controller.signal.aborted) error = encodeError(e);
    }
    this.watches.delete(call.id);
    if (!this.closed && !controller.signal.aborted) this.outbox.push(error ? { t: 'end', id: call.id, error } : { t: 'end', id: call.id });
  }
}
