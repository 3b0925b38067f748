import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, describe, it } from 'node:test';
import { EtcdClient, EtcdWatchCanceledError } from './etcd-client.js';
import type { EtcdEvent } from './etcd-messages.js';
import { GrpcError } from './grpc-frames.js';
import { ProtoReader, ProtoWriter } from '../../api/index.js';
import { startFakeGrpcServer, type FakeCall, type FakeGrpcServer } from './testing/fake-grpc-server.js';

const header = (w: ProtoWriter, revision: number) => w.begin(1).varint(3, revision).end();

/** The `key` (field 1) of a Range or Put request. */
function requestKey(message: Buffer): string {
  const r = new ProtoReader(message);
  while (r.next()) {
    if (r.field === 1) return r.string();
    r.skip();
  }
  return '';
}

/** A RangeResponse holding one kv whose value is `value`. */
function rangeAnswer(revision: number, key: string, value: string): Buffer {
  const w = header(new ProtoWriter(), revision);
  w.begin(2).bytes(1, key).varint(2, 1).varint(3, revision).varint(4, 1).bytes(5, value).end();
  return w.finish();
}

const servers: FakeGrpcServer[] = [];
const clients: EtcdClient[] = [];
async function serve(handler: (call: FakeCall) => void, port?: number): Promise<FakeGrpcServer> {
  const server = await startFakeGrpcServer(handler, port);
  servers.push(server);
  return server;
}
function client(...urls: string[]): EtcdClient {
  const c = new EtcdClient(urls, { connectTimeoutMs: 2000 });
  clients.push(c);
  return c;
}
after(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
});

describe('EtcdClient over a fake gRPC server', () => {
  it('makes unary calls on the KV service paths and decodes the answers', async () => {
    const server = await serve((call) => {
      if (call.path === '/etcdserverpb.KV/Range') call.reply([rangeAnswer(7, requestKey(call.messages[0]!), 'v')]);
      else if (call.path === '/etcdserverpb.KV/Put') call.reply([header(new ProtoWriter(), 8).finish()]);
      else call.reply([], 12, `unknown method ${call.path}`);
    });
    const etcd = client(server.url);
    const res = await etcd.range({ key: '/a' });
    assert.equal(res.revision, 7);
    assert.deepEqual(res.kvs, [{ key: '/a', value: 'v', createRevision: 1, modRevision: 7, version: 1 }]);
    assert.deepEqual(await etcd.put({ key: '/b', value: 'x' }), { revision: 8 });
    assert.equal(server.calls[0]!.stream.sentHeaders['content-type'], 'application/grpc');
    await assert.rejects(etcd.deleteRange({ key: '/c' }), (err: unknown) => err instanceof GrpcError && err.grpcCode === 12 && /DeleteRange/.test(err.details));
    assert.equal(server.sessions.length, 1, 'all calls share one HTTP/2 session');
  });

  it('reads the status of trailers-only answers and percent-decodes grpc-message', async () => {
    const server = await serve((call) => {
      call.stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '11', 'grpc-message': encodeURIComponent('etcdserver: mvcc: required revision has been compacted') }, { endStream: true });
    });
    await assert.rejects(client(server.url).range({ key: '/a', revision: 2 }), (err: unknown) => {
      assert.ok(err instanceof GrpcError);
      assert.equal(err.grpcCode, 11);
      assert.equal(err.details, 'etcdserver: mvcc: required revision has been compacted');
      return true;
    });
  });

  it('keeps 64 calls in flight at once on one session', async () => {
    const waiting: FakeCall[] = [];
    const server = await serve((call) => {
      waiting.push(call);
      if (waiting.length === 64) for (const c of waiting) c.reply([rangeAnswer(3, requestKey(c.messages[0]!), 'v')]);
    });
    const etcd = client(server.url);
    const keys = Array.from({ length: 64 }, (_, i) => `/k/${i}`);
    const answers = await Promise.all(keys.map((key) => etcd.range({ key })));
    assert.deepEqual(answers.map((a) => a.kvs[0]!.key), keys);
    assert.equal(server.sessions.length, 1);
  });

  it('moves values larger than the HTTP/2 windows both ways', async () => {
    const big = 'b'.repeat(5 * 1024 * 1024);
    const server = await serve((call) => {
      const put = new ProtoReader(call.messages[0]!);
      let value = '';
      while (put.next()) {
        if (put.field === 2) value = put.string();
        else put.skip();
      }
      call.reply([rangeAnswer(4, 'echo', value + value)]);
    });
    const etcd = client(server.url);
    const echoed = await Promise.all([1, 2, 3].map(() => etcd.range({ key: 'x', rangeEnd: big })));
    for (const e of echoed) assert.equal(e.kvs[0]!.value.length, 2 * big.length);
  });

  it('connects again after GOAWAY, and after the server restarts', async () => {
    const handler = (call: FakeCall) => call.reply([rangeAnswer(5, requestKey(call.messages[0]!), 'v')]);
    const first = await serve(handler);
    const etcd = client(first.url);
    await etcd.range({ key: '/1' });
    first.sessions[0]!.goaway();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await etcd.range({ key: '/2' });
    assert.equal(first.sessions.length, 2, 'a new session after GOAWAY');

    await first.close();
    await assert.rejects(etcd.range({ key: '/3' }), (err: unknown) => err instanceof GrpcError && err.grpcCode === 14);
    const second = await serve(handler, first.port);
    assert.equal((await etcd.range({ key: '/4' })).kvs[0]!.key, '/4');
    assert.equal(second.sessions.length, 1);
  });

  it('sends a call again when the server refused it unprocessed (REFUSED_STREAM, or past a GOAWAY)', async () => {
    let seen = 0;
    const server = await serve((call) => {
      seen++;
      if (seen === 1) call.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      else if (seen === 3) call.stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, call.stream.id! - 2);
      else call.reply([rangeAnswer(6, requestKey(call.messages[0]!), 'v')]);
    });
    const etcd = client(server.url);
    assert.equal((await etcd.range({ key: '/refused' })).kvs[0]!.key, '/refused');
    assert.equal((await etcd.range({ key: '/goaway' })).kvs[0]!.key, '/goaway');
    assert.equal(seen, 4);
    assert.equal(server.sessions.length, 3, 'each refusal moves later calls to a new session');
  });

  it('opens a new session before a session runs out of stream IDs', async () => {
    const server = await serve((call) => call.reply([rangeAnswer(1, requestKey(call.messages[0]!), 'v')]));
    const etcd = new EtcdClient([server.url], { maxStreamsPerSession: 2 });
    clients.push(etcd);
    for (let i = 0; i < 5; i++) await etcd.range({ key: `/${i}` });
    assert.equal(server.sessions.length, 3);
  });

  it('fails calls with UNAVAILABLE when nothing listens, and tries the next endpoint', async () => {
    const down = await serve(() => undefined);
    await down.close();
    const etcd = client(down.url);
    await assert.rejects(etcd.range({ key: '/a' }), (err: unknown) => err instanceof GrpcError && err.grpcCode === 14);
    const up = await serve((call) => call.reply([rangeAnswer(1, '/a', 'v')]));
    const failover = client(down.url, up.url);
    await assert.rejects(failover.range({ key: '/a' }));
    assert.equal((await failover.range({ key: '/a' })).revision, 1);
  });

  it('gives each call a deadline (grpc-timeout), cancels a call not answered by then and fails it with DEADLINE_EXCEEDED', async () => {
    const server = await serve(() => undefined);
    const etcd = new EtcdClient([server.url], { callTimeoutMs: 300 });
    clients.push(etcd);
    await assert.rejects(etcd.range({ key: '/stalled' }), (err: unknown) => err instanceof GrpcError && err.grpcCode === 4 && /context deadline exceeded/.test(err.message));
    const seen = server.calls[0]!;
    assert.match(String(seen.headers['grpc-timeout']), /^\d+m$/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(seen.stream.closed, true, 'the call was cancelled');
    assert.equal(seen.stream.rstCode, http2.constants.NGHTTP2_CANCEL);
  });

  it('with a deadline, sends a call that found no connection again until etcd is up, or fails it at the deadline', async () => {
    const down = await serve(() => undefined);
    await down.close();
    const etcd = new EtcdClient([down.url], { callTimeoutMs: 5000, connectTimeoutMs: 2000 });
    clients.push(etcd);
    const pending = etcd.range({ key: '/later' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await serve((call) => call.reply([rangeAnswer(3, requestKey(call.messages[0]!), 'v')]), down.port);
    assert.equal((await pending).kvs[0]!.key, '/later');

    const gone = await serve(() => undefined);
    await gone.close();
    const never = new EtcdClient([gone.url], { callTimeoutMs: 400 });
    clients.push(never);
    await assert.rejects(never.range({ key: '/a' }), (err: unknown) => err instanceof GrpcError && err.grpcCode === 4);
  });

  it('fails calls in flight and later calls once closed', async () => {
    const server = await serve(() => undefined);
    const etcd = client(server.url);
    const pending = etcd.range({ key: '/never' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    etcd.close();
    await assert.rejects(pending, GrpcError);
    await assert.rejects(etcd.range({ key: '/a' }), /closed/);
  });

  it('streams watch events, and cancels by closing the stream', async () => {
    let serverSawClose: Promise<void> | undefined;
    const server = await serve((call) => {
      serverSawClose = new Promise((resolve) => call.stream.on('close', resolve));
      call.stream.once('data', () => {
        call.send(header(new ProtoWriter(), 10).bool(3, true).finish());
        const w = header(new ProtoWriter(), 11);
        w.begin(11).begin(2).bytes(1, '/w/a').varint(2, 11).varint(3, 11).varint(4, 1).bytes(5, 'v').end().end();
        w.begin(11).varint(1, 1).begin(2).bytes(1, '/w/b').varint(3, 11).end().end();
        call.send(w.finish());
      });
    });
    const seen = await new Promise<EtcdEvent[]>((resolve, reject) => {
      const watch = client(server.url).watch(
        { key: '/w/', rangeEnd: '/w0', startRevision: 10, prevKv: true },
        {
          events: (events) => {
            watch.cancel();
            resolve(events);
          },
          end: reject,
        },
      );
    });
    assert.deepEqual(
      seen.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`),
      ['put /w/a@11', 'delete /w/b@11'],
    );
    await serverSawClose;
    const create = new ProtoReader(server.calls[0]!.messages[0]!);
    assert.ok(create.next());
    assert.equal(create.field, 1, 'a WatchRequest with create_request');
  });

  it('ends a watch that etcd cancels for compaction with the compact revision', async () => {
    const server = await serve((call) => {
      call.stream.once('data', () => {
        call.send(header(new ProtoWriter(), 30).bool(3, true).finish());
        call.send(header(new ProtoWriter(), 30).bool(4, true).varint(5, 25).finish());
      });
    });
    const err = await new Promise<Error>((resolve) => {
      client(server.url).watch({ key: '/w/', startRevision: 3 }, { events: () => assert.fail('no events expected'), end: resolve });
    });
    assert.ok(err instanceof EtcdWatchCanceledError);
    assert.equal(err.compactRevision, 25);
  });

  it('ends a watch with UNAVAILABLE when the server goes away', async () => {
    const server = await serve((call) => call.stream.once('data', () => call.send(header(new ProtoWriter(), 2).bool(3, true).finish())));
    const etcd = client(server.url);
    const ended = new Promise<Error>((resolve) => etcd.watch({ key: '/w/' }, { events: () => undefined, end: resolve }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    const err = await ended;
    assert.ok(err instanceof GrpcError);
    assert.equal(err.grpcCode, 14);
  });
});
