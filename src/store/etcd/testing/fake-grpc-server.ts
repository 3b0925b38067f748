import http2, { type Http2Server, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { GrpcDeframer } from '../grpc-frames.js';

/** One call as the fake server sees it. */
export interface FakeCall {
  path: string;
  /** the request's headers */
  headers: IncomingHttpHeaders;
  stream: ServerHttp2Stream;
  /** the request messages so far */
  messages: Buffer[];
  /** answer OK with these messages (or fail with grpc-status), in trailers */
  reply(messages: Buffer[], status?: number, message?: string): void;
  /** send one message on an open streaming call */
  send(message: Buffer): void;
}

/** What a test's handler does with a call: it is called once the request has ended (unary) or at once (`/Watch`). */
export type FakeHandler = (call: FakeCall) => void;

/** A plaintext HTTP/2 gRPC server on 127.0.0.1 for client tests. */
export interface FakeGrpcServer {
  url: string;
  port: number;
  /** HTTP/2 sessions accepted so far */
  sessions: Http2Session[];
  /** calls seen so far */
  calls: FakeCall[];
  close(): Promise<void>;
}

/** A length-prefixed gRPC message. */
export function grpcFrame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** Start a fake gRPC server; streaming paths (ending in `/Watch`) reach the handler before their request ends. */
export async function startFakeGrpcServer(handler: FakeHandler, port = 0): Promise<FakeGrpcServer> {
  const server: Http2Server = http2.createServer();
  const sessions: Http2Session[] = [];
  const calls: FakeCall[] = [];
  server.on('session', (session) => sessions.push(session));
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    const call: FakeCall = {
      path,
      headers,
      stream,
      messages: [],
      reply(messages, status = 0, message = '') {
        if (stream.closed || stream.destroyed) return;
        if (!stream.headersSent) stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(status), 'grpc-message': encodeURIComponent(message) }));
        stream.end(messages.length ? Buffer.concat(messages.map(grpcFrame)) : undefined);
      },
      send(message) {
        if (stream.closed || stream.destroyed) return;
        if (!stream.headersSent) stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.write(grpcFrame(message));
      },
    };
    calls.push(call);
    stream.on('error', () => undefined);
    const deframer = new GrpcDeframer((m) => call.messages.push(Buffer.from(m)));
    stream.on('data', (chunk: Buffer) => deframer.push(chunk));
    if (path.endsWith('/Watch')) handler(call);
    else stream.on('end', () => handler(call));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    sessions,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
