import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as connectHttp2, type ClientHttp2Session } from 'node:http2';
import { request, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ApiError, type ApiRequest, type ApiResponse, type WatchEvent } from '../api/index.js';
import { Authenticator } from './authn.js';
import { startHttpsServer, type HttpsServer } from './https-server.js';
import { writeKubeconfig } from './kubeconfig.js';
import { ensurePki, type Pki } from './pki.js';
import { WatcherQueue } from './watcher-queue.js';

const run = promisify(execFile);

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

interface Call {
  path: string;
  method?: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  asAdmin?: boolean;
  clientCert?: { cert: string; key: string };
}

interface WatchProbe {
  aborted: Promise<void>;
  finalized: Promise<void>;
}

describe('startHttpsServer', () => {
  let dir: string;
  let pki: Pki;
  let server: HttpsServer;
  let metrics: Registry;
  const seen: ApiRequest[] = [];
  let watchProbe: WatchProbe | undefined;
  const warnings: Record<string, unknown>[] = [];
  let stalledQueue: WatcherQueue | undefined;

  async function handler(req: ApiRequest): Promise<ApiResponse> {
    seen.push(req);
    switch (req.path) {
      case '/version':
        return { status: 200, body: { major: '1', minor: '32', gitVersion: 'v1.32.0-skiff' } };
      case '/healthz':
      case '/livez':
      case '/readyz':
        return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'ok' };
      case '/api/v1/namespaces':
        return {
          status: 200,
          body: { kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: [{ metadata: { name: 'default' } }], user: req.user },
        };
      case '/echo':
        return { status: 201, body: { size: req.rawBody?.length ?? 0, query: req.query.get('q'), contentType: req.headers['content-type'] } };
      case '/missing':
        throw new ApiError('NotFound', 'pods "x" not found', { name: 'x', kind: 'pods' });
      case '/boom':
        throw new Error('kaboom');
      case '/raw':
        return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'plain words' };
      case '/logs':
        return { status: 200, text: (async function* () { yield 'line 1\n'; yield Buffer.from('line 2\n'); })() };
      case '/api/v1/configmaps':
        return { status: 200, watch: watchEvents(req.signal) };
      case '/api/v1/secrets':
        stalledQueue = new WatcherQueue('/registry/core/secrets/', { maxBytes: 256 * 1024, graceMs: 100, hardMaxBytes: 1 << 30, maxEvents: 1_000_000 });
        req.signal.addEventListener('abort', () => stalledQueue?.close(), { once: true });
        return { status: 200, watch: stalledQueue };
      default:
        return { status: 404, body: new ApiError('NotFound', 'the server could not find the requested resource').toStatus() };
    }
  }

  function watchEvents(signal: AbortSignal): AsyncIterable<WatchEvent> {
    let onAbort!: () => void;
    let onFinal!: () => void;
    watchProbe = { aborted: new Promise((r) => (onAbort = r)), finalized: new Promise((r) => (onFinal = r)) };
    signal.addEventListener('abort', () => onAbort(), { once: true });
    return (async function* () {
      try {
        for (let i = 0; !signal.aborted; i++) {
          yield { type: 'ADDED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: `cm-${i}` } } } as WatchEvent;
          await sleep(20, undefined, { signal }).catch(() => undefined);
        }
      } finally {
        onFinal();
      }
    })();
  }

  /** Reads newline-delimited watch events from a response into `into`; `enough` runs once `count` are in. */
  function readEvents(body: NodeJS.ReadableStream, into: WatchEvent[], count: number, enough: () => void): void {
    let buffered = '';
    body.setEncoding('utf8');
    body.on('data', (chunk: string) => {
      buffered += chunk;
      let at: number;
      while ((at = buffered.indexOf('\n')) >= 0) {
        into.push(JSON.parse(buffered.slice(0, at)));
        buffered = buffered.slice(at + 1);
      }
      if (into.length >= count) enough();
    });
  }

  function call(options: Call): Promise<Reply> {
    const req: RequestOptions = {
      host: '127.0.0.1',
      port: server.port,
      path: options.path,
      method: options.method ?? 'GET',
      headers: options.headers,
      ca: pki.caCert,
      servername: 'localhost',
      agent: false,
    };
    if (options.asAdmin) {
      req.cert = pki.adminCert;
      req.key = pki.adminKey;
    }
    if (options.clientCert) {
      req.cert = options.clientCert.cert;
      req.key = options.clientCert.key;
    }
    return new Promise((resolve, reject) => {
      const r = request(req, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      });
      r.on('error', reject);
      r.end(options.body);
    });
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-https-'));
    pki = await ensurePki(dir);
    const tokenFile = join(dir, 'tokens.csv');
    await writeFile(tokenFile, 'token-abc,alice,uid-alice,"dev,ops"\n');
    const authenticator = await Authenticator.fromTokenFile(tokenFile, [{ token: 'join-123', user: { name: 'joiner', groups: ['system:bootstrappers'] } }]);
    metrics = new Registry();
    server = await startHttpsServer({ handler, authenticator, pki, port: 0, host: '127.0.0.1', logger: pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) }), metrics });
  });

  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lets a request with the admin client certificate through as admin in system:masters', async () => {
    const reply = await call({ path: '/api/v1/namespaces', asAdmin: true });
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /^application\/json/);
    assert.deepEqual(reply.json().user, { name: 'admin', groups: ['system:masters', 'system:authenticated'] });
  });

  it('accepts a bearer token from the token file and one given in code', async () => {
    const alice = await call({ path: '/api/v1/namespaces', headers: { Authorization: 'Bearer token-abc' } });
    assert.equal(alice.status, 200);
    assert.deepEqual(alice.json().user, { name: 'alice', uid: 'uid-alice', groups: ['dev', 'ops', 'system:authenticated'] });
    const joiner = await call({ path: '/api/v1/namespaces', headers: { Authorization: 'Bearer join-123' } });
    assert.equal(joiner.json().user.name, 'joiner');
  });

  it('answers 401 Unauthorized without credentials, with a bad token or a certificate from another CA', async () => {
    const unauthorized = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
    const none = await call({ path: '/api/v1/namespaces' });
    assert.equal(none.status, 401);
    assert.deepEqual(none.json(), unauthorized);
    const bad = await call({ path: '/healthz', headers: { Authorization: 'Bearer nope' } });
    assert.equal(bad.status, 401);
    assert.deepEqual(bad.json(), unauthorized);
    const foreign = await ensurePki(join(dir, 'other-cluster'));
    const stranger = await call({ path: '/healthz', clientCert: { cert: foreign.adminCert, key: foreign.adminKey } });
    assert.equal(stranger.status, 401);
    assert.deepEqual(stranger.json(), unauthorized);
  });

  it('serves health checks and /version to anonymous callers', async () => {
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const reply = await call({ path });
      assert.equal(reply.status, 200, path);
      assert.equal(reply.text, 'ok');
    }
    const version = await call({ path: '/version' });
    assert.equal(version.status, 200);
    assert.equal(version.json().gitVersion, 'v1.32.0-skiff');
    assert.deepEqual(seen.at(-1)?.user, { name: 'system:anonymous', groups: ['system:unauthenticated'] });
  });

  it('passes method, path, query, lower-case headers and the raw body to the handler', async () => {
    const reply = await call({ path: '/echo?q=a%20b', method: 'POST', asAdmin: true, headers: { 'Content-Type': 'application/yaml' }, body: 'a: 1\n' });
    assert.equal(reply.status, 201);
    assert.deepEqual(reply.json(), { size: 5, query: 'a b', contentType: 'application/yaml' });
  });

  it('answers 413 to a body over 3 MiB, declared or chunked, without calling the handler', async () => {
    const before = seen.length;
    const big = Buffer.alloc(3 * 1024 * 1024 + 1, 'x');
    const declared = await call({ path: '/echo', method: 'POST', asAdmin: true, body: big });
    assert.equal(declared.status, 413);
    assert.deepEqual(declared.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Request entity too large: limit is 3145728',
      reason: 'RequestEntityTooLarge',
      code: 413,
    });
    const chunked = await call({ path: '/echo', method: 'POST', asAdmin: true, headers: { 'Transfer-Encoding': 'chunked' }, body: big });
    assert.equal(chunked.status, 413);
    assert.equal(chunked.json().reason, 'RequestEntityTooLarge');
    assert.equal(seen.length, before);
    const exact = await call({ path: '/echo', method: 'POST', asAdmin: true, body: big.subarray(1) });
    assert.equal(exact.json().size, 3 * 1024 * 1024);
  });

  it('turns handler errors into Status answers', async () => {
    const missing = await call({ path: '/missing', asAdmin: true });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "x" not found',
      reason: 'NotFound',
      details: { name: 'x', kind: 'pods' },
      code: 404,
    });
    const boom = await call({ path: '/boom', asAdmin: true });
    assert.equal(boom.status, 500);
    assert.equal(boom.json().reason, 'InternalError');
    assert.equal((await call({ path: '/healthz' })).status, 200);
  });

  it('writes string bodies as they are and streams text', async () => {
    const raw = await call({ path: '/raw', asAdmin: true });
    assert.equal(raw.text, 'plain words');
    assert.equal(raw.headers['content-type'], 'text/plain');
    const logs = await call({ path: '/logs', asAdmin: true });
    assert.equal(logs.text, 'line 1\nline 2\n');
    assert.equal(logs.headers['transfer-encoding'], 'chunked');
    assert.match(String(logs.headers['content-type']), /^text\/plain/);
  });

  it('streams watch events one JSON line at a time and stops when the client goes away', async () => {
    const lines: WatchEvent[] = [];
    await new Promise<void>((resolve, reject) => {
      const r = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/v1/configmaps?watch=true',
          ca: pki.caCert,
          servername: 'localhost',
          cert: pki.adminCert,
          key: pki.adminKey,
          agent: false,
        },
        (res) => {
          assert.equal(res.statusCode, 200);
          assert.match(String(res.headers['content-type']), /^application\/json/);
          assert.equal(res.headers['transfer-encoding'], 'chunked');
          readEvents(res, lines, 3, () => {
            r.destroy();
            resolve();
          });
        },
      );
      r.on('error', (err) => (lines.length >= 3 ? undefined : reject(err)));
      r.end();
    });
    assert.deepEqual(
      lines.slice(0, 3).map((e) => [e.type, (e.object as { metadata: { name: string } }).metadata.name]),
      [['ADDED', 'cm-0'], ['ADDED', 'cm-1'], ['ADDED', 'cm-2']],
    );
    assert.ok(watchProbe);
    await watchProbe.aborted;
    await watchProbe.finalized;
  });

  /** An HTTP/2 connection with the admin certificate, as kubectl and client-go make by default. */
  function http2Session(): ClientHttp2Session {
    return connectHttp2(`https://127.0.0.1:${server.port}`, { ca: pki.caCert, servername: 'localhost', cert: pki.adminCert, key: pki.adminKey });
  }

  function http2Call(session: ClientHttp2Session, path: string, method = 'GET', body?: string, headers: Record<string, string> = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const stream = session.request({ ':method': method, ':path': path, ...headers }, { endStream: body === undefined });
      const chunks: Buffer[] = [];
      let status = 0;
      let answerHeaders: Reply['headers'] = {};
      stream.on('response', (h) => {
        status = Number(h[':status']);
        answerHeaders = h;
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status, headers: answerHeaders, text, json: () => JSON.parse(text) });
      });
      stream.on('error', reject);
      if (body !== undefined) stream.end(body);
    });
  }

  it('speaks HTTP/2 to a client that offers it: many requests on one connection, bodies, limits and errors as over HTTP/1.1', async (t) => {
    const session = http2Session();
    t.after(() => session.close());
    const [list, echo, missing] = await Promise.all([
      http2Call(session, '/api/v1/namespaces'),
      http2Call(session, '/echo?q=x', 'POST', 'a: 1\n', { 'content-type': 'application/yaml' }),
      http2Call(session, '/missing'),
    ]);
    assert.equal(list.status, 200);
    assert.deepEqual(list.json().user, { name: 'admin', groups: ['system:masters', 'system:authenticated'] });
    assert.deepEqual(echo.json(), { size: 5, query: 'x', contentType: 'application/yaml' });
    const echoed = [...seen].reverse().find((r) => r.path === '/echo')!;
    assert.deepEqual(Object.keys(echoed.headers).filter((h) => h.startsWith(':')), [], 'no HTTP/2 pseudo-headers among the request headers');
    assert.equal(missing.status, 404);
    assert.equal(missing.json().reason, 'NotFound');
    const before = seen.length;
    const tooBig = await http2Call(session, '/echo', 'POST', 'x'.repeat(3 * 1024 * 1024 + 1));
    assert.equal(tooBig.status, 413);
    assert.equal(tooBig.json().reason, 'RequestEntityTooLarge');
    assert.equal(seen.length, before, 'the handler was not called');
  });

  it('streams a watch over HTTP/2 and stops it when the client cancels the stream', async (t) => {
    const session = http2Session();
    t.after(() => session.close());
    const lines: WatchEvent[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = session.request({ ':path': '/api/v1/configmaps?watch=true' });
      stream.on('response', (h) => assert.match(String(h['content-type']), /^application\/json/));
      readEvents(stream, lines, 3, () => {
        stream.close();
        resolve();
      });
      stream.on('error', (err) => (lines.length >= 3 ? undefined : reject(err)));
    });
    assert.deepEqual(lines.slice(0, 3).map((e) => (e.object as { metadata: { name: string } }).metadata.name), ['cm-0', 'cm-1', 'cm-2']);
    assert.ok(watchProbe);
    await watchProbe.aborted;
    await watchProbe.finalized;
  });

  it('ends the watch of an HTTP/2 client that stopped reading once its queue stays over the bound, and keeps serving a reading one', async (t) => {
    const session = http2Session();
    t.after(() => session.close());
    const stalled = session.request({ ':path': '/api/v1/secrets?watch=true' });
    stalled.pause();
    const stalledClosed = new Promise<void>((resolve) => stalled.once('close', resolve));
    stalled.on('error', () => undefined);
    await new Promise((resolve) => stalled.once('response', resolve));
    const lines: WatchEvent[] = [];
    // its own connection: the paused stream holds the first one's connection-level flow-control window
    const other = http2Session();
    t.after(() => other.close());
    const reading = other.request({ ':path': '/api/v1/configmaps?watch=true' });
    const readingGotThree = new Promise<void>((resolve) => readEvents(reading, lines, 3, resolve));
    const data = { big: 'x'.repeat(64 * 1024) };
    let pushed = 0;
    while (stalledQueue && !stalledQueue.isClosed && pushed < 1000) {
      stalledQueue.push({ type: 'MODIFIED', object: { kind: 'Secret', apiVersion: 'v1', metadata: { name: `s-${pushed++}` }, data } }, 64 * 1024);
      await sleep(5);
    }
    assert.ok(stalledQueue?.isClosed, 'the watch cache side was closed');
    assert.equal(stalledQueue.queuedBytes, 0);
    const warned = () => warnings.find((w) => w.msg === 'closing the watch of a client that stopped reading');
    for (let i = 0; i < 200 && !warned(); i++) await sleep(10);
    // the stream was reset: once the client reads what it had received, it sees the end
    stalled.resume();
    await stalledClosed;
    const warning = warned();
    assert.ok(warning, 'one warning names the resource and the client');
    assert.equal(warning.resource, '/registry/core/secrets/');
    assert.equal(warning.user, 'admin');
    assert.equal(warning.path, '/api/v1/secrets');
    assert.match(String(warning.address), /^127\.0\.0\.1:\d+$/);
    await readingGotThree;
    reading.close();
  });

  it('records request metrics', async () => {
    await call({ path: '/api/v1/namespaces', asAdmin: true });
    const text = await metrics.metrics();
    assert.match(text, /apiserver_request_total\{verb="LIST",resource="namespaces",subresource="",code="200"\} \d+/);
    assert.match(text, /apiserver_request_duration_seconds_count\{verb="LIST",resource="namespaces",subresource=""\} \d+/);
  });

  it('is usable by the real kubectl with the written kubeconfig (client certificate or token)', async () => {
    const certConfig = join(dir, 'admin.kubeconfig');
    const tokenConfig = join(dir, 'token.kubeconfig');
    const url = `https://127.0.0.1:${server.port}`;
    await writeKubeconfig(certConfig, { server: url, caCert: pki.caCert, clientCert: pki.adminCert, clientKey: pki.adminKey });
    await writeKubeconfig(tokenConfig, { server: url, caCert: pki.caCert, token: 'token-abc', user: 'alice' });
    const env = { ...process.env, HOME: dir, KUBECACHEDIR: join(dir, 'cache') };

    const list = await run('kubectl', ['--kubeconfig', certConfig, 'get', '--raw', '/api/v1/namespaces'], { env });
    const body = JSON.parse(list.stdout);
    assert.equal(body.kind, 'NamespaceList');
    assert.deepEqual(body.user, { name: 'admin', groups: ['system:masters', 'system:authenticated'] });

    const version = await run('kubectl', ['--kubeconfig', tokenConfig, 'get', '--raw', '/version'], { env });
    assert.equal(JSON.parse(version.stdout).gitVersion, 'v1.32.0-skiff');
    const asAlice = await run('kubectl', ['--kubeconfig', tokenConfig, 'get', '--raw', '/api/v1/namespaces'], { env });
    assert.equal(JSON.parse(asAlice.stdout).user.name, 'alice');
  });
});
