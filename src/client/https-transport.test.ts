import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { ApiError, type WatchEvent } from '../api/index.js';
import { Client } from './client.js';
import { fromKubeconfigPath, HttpsTransport } from './https-transport.js';
import { loadKubeconfig } from './kubeconfig.js';

await import('reflect-metadata');
const x509 = await import('@peculiar/x509');
x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

async function selfSigned(subject: string): Promise<{ cert: string; key: string }> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: alg,
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return { cert: cert.toString('pem'), key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n` };
}

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  user?: string;
  httpVersion: string;
}

/** A test server: HTTP/1.1 only, or HTTP/2 with HTTP/1.1 for clients that do not offer h2 (as skiff's). */
interface TestServer {
  close(): Promise<void>;
  /** ends every connection gracefully (HTTP/2 GOAWAY) */
  goAway(): void;
  url: string;
  watchClosed: Promise<void>;
}

let dir: string;
let serverUrl: string;
let serverPair: { cert: string; key: string };
let clientPair: { cert: string; key: string };
const seen: Seen[] = [];
let watchClosed: Promise<void>;
const servers = new Map<string, TestServer>();

async function startServer(protocol: 'http/1.1' | 'h2'): Promise<TestServer> {
  let markWatchClosed = () => {};
  const closed = new Promise<void>((resolve) => (markWatchClosed = resolve));
  const options = { ...serverPair, ca: clientPair.cert, requestCert: true, rejectUnauthorized: false };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const authorized = (req.socket as TLSSocket).authorized;
      const entry: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString(), user: authorized ? String(peer.subject?.CN) : undefined, httpVersion: req.httpVersion };
      seen.push(entry);
      const url = new URL(req.url!, 'https://x');
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const added = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '5' } } });
        res.write(added.slice(0, 10));
        res.write(added.slice(10) + '\n' + JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '6' } } }) + '\n');
        if (url.pathname.endsWith('/configmaps')) {
          res.end(JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '7' } } }));
          return;
        }
        res.on('close', () => markWatchClosed());
        return;
      }
      if (req.method === 'GET' && url.pathname === '/api/v1/namespaces/default/pods/missing') {
        return json(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "missing" not found', reason: 'NotFound', details: { name: 'missing', kind: 'pods' }, code: 404 });
      }
      if (req.method === 'GET' && url.pathname === '/broken') {
        res.writeHead(502, { 'content-type': 'text/plain' });
        return res.end('bad gateway');
      }
      if (req.method === 'POST') {
        const obj = JSON.parse(entry.body) as { metadata: Record<string, unknown> };
        return json(201, { ...obj, metadata: { ...obj.metadata, resourceVersion: '1' } });
      }
      return json(200, { apiVersion: 'v1', kind: 'Pod', metadata: { name: url.pathname.split('/').pop(), namespace: 'default', resourceVersion: '1' } });
    });
  };
  // HTTP/2's compatibility request and response have what the handler uses of HTTP/1.1's
  const server = protocol === 'h2' ? http2.createSecureServer({ ...options, allowHTTP1: true }, handler as unknown as Parameters<typeof http2.createSecureServer>[1]) : https.createServer(options, handler);
  const sockets = new Set<import('node:net').Socket>();
  server.on('secureConnection', (socket: import('node:net').Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session: http2.ServerHttp2Session) => sessions.add(session));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    goAway: () => {
      for (const session of sessions) session.close();
      sessions.clear();
    },
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    watchClosed: closed,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

before(async () => {
  serverPair = await selfSigned('CN=127.0.0.1');
  clientPair = await selfSigned('CN=alice, O=devs');
  dir = mkdtempSync(join(tmpdir(), 'skiff-https-'));
  for (const protocol of ['http/1.1', 'h2'] as const) servers.set(protocol, await startServer(protocol));
});

after(async () => {
  for (const server of servers.values()) await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeKubeconfig(name: string, user: Record<string, string>, cluster: Record<string, string>): string {
  const path = join(dir, name);
  const fields = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => `      ${k}: ${v}`).join('\n');
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
current-context: test
clusters:
  - name: other
    cluster:
      server: https://10.0.0.1:6443
  - name: skiff
    cluster:
      server: ${serverUrl}
${fields(cluster)}
users:
  - name: alice
    user:
${fields(user)}
contexts:
  - name: test
    context:
      cluster: skiff
      user: alice
`,
  );
  return path;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

for (const [protocol, httpVersion] of [['http/1.1', '1.1'], ['h2', '2.0']] as const) {
  const use = () => {
    serverUrl = servers.get(protocol)!.url;
    watchClosed = servers.get(protocol)!.watchClosed;
  };

  test(`${protocol}: a kubeconfig with client certificate data gives a transport that speaks JSON over TLS`, async (t) => {
    use();
    const path = writeKubeconfig('cert.yaml', { 'client-certificate-data': b64(clientPair.cert), 'client-key-data': b64(clientPair.key) }, { 'certificate-authority-data': b64(serverPair.cert) });
    const creds = loadKubeconfig(path);
    assert.equal(creds.server, serverUrl);
    assert.equal(creds.ca, serverPair.cert);
    const transport = HttpsTransport.fromKubeconfig(path);
    t.after(() => transport.close());
    const pods = new Client(transport).resource('pods');

    const created = await pods.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' } }, { fieldManager: 'me' });
    assert.equal(created.metadata.resourceVersion, '1');
    const post = seen.at(-1)!;
    assert.equal(post.url, '/api/v1/namespaces/default/pods?fieldManager=me');
    assert.equal(post.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(post.body), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' } });
    assert.equal(post.user, 'alice', 'the client certificate was presented');
    assert.equal(post.httpVersion, httpVersion, 'HTTP/2 when the server offers it, else HTTP/1.1');

    await pods.patch('default', 'web', { metadata: { labels: { a: 'b' } } }, 'strategic');
    assert.equal(seen.at(-1)!.method, 'PATCH');
    assert.equal(seen.at(-1)!.headers['content-type'], 'application/strategic-merge-patch+json');

    await assert.rejects(pods.get('default', 'missing'), (err: unknown) => err instanceof ApiError && err.reason === 'NotFound' && err.message === 'pods "missing" not found');
    await assert.rejects(transport.request({ method: 'GET', path: '/broken' }), (err: unknown) => err instanceof ApiError && err.reason === 'InternalError' && err.message === 'bad gateway');

    const many = await Promise.all(Array.from({ length: 40 }, (_, i) => pods.get('default', `p${i}`)));
    assert.deepEqual(many.map((p) => p.metadata.name), Array.from({ length: 40 }, (_, i) => `p${i}`));
  });

  test(`${protocol}: a token and a CA file relative to the kubeconfig work, found through $KUBECONFIG`, async (t) => {
    use();
    writeFileSync(join(dir, 'ca.pem'), serverPair.cert);
    const path = writeKubeconfig('token.yaml', { token: 'sekret' }, { 'certificate-authority': 'ca.pem' });
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = path;
    t.after(() => {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    });
    const transport = fromKubeconfigPath();
    t.after(() => transport.close());
    await new Client(transport).resource('nodes').get(undefined, 'n1');
    const req = seen.at(-1)!;
    assert.equal(req.url, '/api/v1/nodes/n1');
    assert.equal(req.headers.authorization, 'Bearer sekret');
    assert.equal(req.user, undefined);
  });

  test(`${protocol}: a watch streams newline-delimited events, even split across chunks, and closes on abort`, async (t) => {
    use();
    const transport = new HttpsTransport({ server: serverUrl, ca: serverPair.cert });
    t.after(() => transport.close());
    const client = new Client(transport);

    const finite: WatchEvent[] = [];
    for await (const ev of client.resource('configmaps').watch('default', { resourceVersion: '4' }, new AbortController().signal)) finite.push(ev);
    assert.deepEqual(finite.map((e) => [e.type, e.object.metadata.resourceVersion]), [
      ['ADDED', '5'],
      ['MODIFIED', '6'],
      ['BOOKMARK', '7'],
    ]);

    const controller = new AbortController();
    const events: WatchEvent[] = [];
    for await (const ev of client.resource('pods').watch('default', { resourceVersion: '4', allowWatchBookmarks: true, timeoutSeconds: 30 }, controller.signal)) {
      events.push(ev);
      if (events.length === 2) controller.abort();
    }
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED']);
    const req = seen.at(-1)!;
    assert.equal(req.url, '/api/v1/namespaces/default/pods?resourceVersion=4&allowWatchBookmarks=true&timeoutSeconds=30&watch=true');
    await watchClosed;
  });
}

test('h2: a connection the server ends is replaced by a new one for the next request', async (t) => {
  const server = servers.get('h2')!;
  const transport = new HttpsTransport({ server: server.url, ca: serverPair.cert });
  t.after(() => transport.close());
  const pods = new Client(transport).resource('pods');
  assert.equal((await pods.get('default', 'before')).metadata.name, 'before');
  server.goAway();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal((await pods.get('default', 'after')).metadata.name, 'after');
  assert.equal(seen.at(-1)!.httpVersion, '2.0');
});

test('h2: an idle connection does not keep a finished program alive', async () => {
  const script = `
    import { HttpsTransport } from ${JSON.stringify(new URL('./https-transport.js', import.meta.url).href)};
    const t = new HttpsTransport({ server: process.env.URL, ca: process.env.CA });
    const res = await t.request({ method: 'GET', path: '/api/v1/namespaces/default/pods/idle' });
    process.stdout.write(res.body.metadata.name);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, URL: servers.get('h2')!.url, CA: serverPair.cert }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(timer);
  assert.equal(out, 'idle');
  assert.deepEqual([code, signal], [0, null], 'the program exits once its request is answered');
});

test('loading a kubeconfig without a current context fails with a clear message', () => {
  const path = join(dir, 'empty.yaml');
  writeFileSync(path, 'apiVersion: v1\nkind: Config\n');
  assert.throws(() => loadKubeconfig(path), /no current-context/);
});

test('h2: a request whose connection dies fails instead of waiting forever, and an answer cut short is an error, not a 200', async (t) => {
  const server = http2.createSecureServer({ ...serverPair });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (headers[':path'] === '/partial') {
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.write('{"kind":"PodList","items":[');
    }
    // both: the connection is lost before the answer is whole
    setTimeout(() => stream.session?.destroy(), 30);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const transport = new HttpsTransport({ server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, ca: serverPair.cert });
  t.after(() => transport.close());
  await assert.rejects(transport.request({ method: 'GET', path: '/hang' }), /closed before an answer arrived/);
  await assert.rejects(transport.request({ method: 'GET', path: '/partial' }), /ended before the whole answer arrived/);
});

test('h2: a request the server refused unprocessed (REFUSED_STREAM, or above a GOAWAY) is sent again, on a new connection if need be', async (t) => {
  const server = http2.createSecureServer({ ...serverPair });
  const received: string[] = [];
  let refuseNext = true;
  let lastTaken: number | undefined;
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    const path = String(headers[':path']);
    // after its GOAWAY the server leaves later streams alone: the client's end refuses them
    if (lastTaken !== undefined && stream.id! > lastTaken) return;
    if (path === '/slow') {
      lastTaken = stream.id;
      stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, stream.id);
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      setTimeout(() => stream.end(JSON.stringify({ path })), 100).unref();
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      if (path === '/refused' && refuseNext) {
        refuseNext = false;
        return stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      }
      received.push(`${path} ${Buffer.concat(chunks).toString()}`);
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ path }));
    });
  });
  const sessions: http2.ServerHttp2Session[] = [];
  server.on('session', (s: http2.ServerHttp2Session) => sessions.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sessions) s.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  const transport = new HttpsTransport({ server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, ca: serverPair.cert });
  t.after(() => transport.close());

  assert.deepEqual((await transport.request({ method: 'POST', path: '/refused', body: { n: 1 } })).body, { path: '/refused' });
  assert.deepEqual(received, ['/refused {"n":1}'], 'sent again whole, and processed once');
  assert.equal(sessions.length, 1, 'a refused stream alone does not cost the connection');

  // sent together: the second stream is above the GOAWAY the first one provokes
  const [slow, beside] = await Promise.all([transport.request({ method: 'GET', path: '/slow' }), transport.request({ method: 'POST', path: '/beside', body: { n: 2 } })]);
  assert.deepEqual(slow.body, { path: '/slow' }, 'the stream the GOAWAY kept is answered on the old connection');
  assert.deepEqual(beside.body, { path: '/beside' });
  assert.deepEqual(received, ['/refused {"n":1}', '/beside {"n":2}']);
  assert.equal(sessions.length, 2, 'the refused request went on a new connection');
});

test('h2: close() ends the watches still open on the connection', async () => {
  const transport = new HttpsTransport({ server: servers.get('h2')!.url, ca: serverPair.cert });
  const events: WatchEvent[] = [];
  const watching = (async () => {
    for await (const ev of transport.watch('/api/v1/namespaces/default/pods', new URLSearchParams({ resourceVersion: '4' }), new AbortController().signal)) {
      events.push(ev);
      if (events.length === 2) transport.close();
    }
  })();
  // the test server keeps this watch open after its two events: only close() can end it
  const outcome = await Promise.race([watching.then(() => 'ended', () => 'ended'), new Promise((resolve) => setTimeout(resolve, 5000, 'still running')).then(String)]);
  assert.equal(outcome, 'ended');
  assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED']);
});
