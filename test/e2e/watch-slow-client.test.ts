import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCluster, type RunningCluster } from './lib/cluster.js';

let cluster: RunningCluster | undefined;
const sessions: ClientHttp2Session[] = [];

before(async () => {
  cluster = await startCluster();
});
after(async () => {
  for (const session of sessions) session.destroy();
  await cluster?.stop();
});

/** The sweep's scenario (finding 4b): watchers that never read while 40 ConfigMaps of 900 KB are relabelled round after round. */
describe('a watch client that stops reading', () => {
  it('is closed with a warning once over its bound, while a reading watcher gets every event and the server stays bounded', async (t) => {
    const c = cluster!;
    const kubeconfig = readFileSync(c.kubeconfig, 'utf8');
    const field = (name: string) => Buffer.from(kubeconfig.match(new RegExp(`${name}: (\\S+)`))![1]!, 'base64');
    const tls = { ca: field('certificate-authority-data'), cert: field('client-certificate-data'), key: field('client-key-data') };
    const session = (settings?: { initialWindowSize: number }) => {
      const s = connect(c.url, { ...tls, settings });
      s.on('error', () => undefined);
      sessions.push(s);
      return s;
    };
    const pid = serverPid(c.dataDir);
    const rssMiB = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);
    const watchPath = '/api/v1/namespaces/default/configmaps?watch=1&labelSelector=slow%3D1';

    const paused = session();
    const stalled: ClientHttp2Stream[] = [];
    for (let i = 0; i < 5; i++) {
      const stream = paused.request({ ':path': watchPath });
      stream.pause();
      stream.on('error', () => undefined);
      stalled.push(stream);
    }
    // client-go's flow-control windows (4 MiB a stream, 1 GiB the connection)
    const fastSession = session({ initialWindowSize: 4 << 20 });
    fastSession.on('connect', () => fastSession.setLocalWindowSize(1 << 30));
    const fast = fastSession.request({ ':path': watchPath });
    let fastEvents = 0;
    let partial = '';
    fast.setEncoding('utf8');
    fast.on('data', (chunk: string) => {
      partial += chunk;
      let at: number;
      while ((at = partial.indexOf('\n')) >= 0) {
        partial = partial.slice(at + 1);
        fastEvents++;
      }
    });
    await Promise.all([...stalled, fast].map((s) => new Promise((resolve) => s.once('response', resolve))));

    const writer = session();
    const big = 'x'.repeat(900 * 1024);
    const names = Array.from({ length: 40 }, (_, i) => `slow-${i}`);
    t.diagnostic(`server RSS before: ${rssMiB()} MiB`);
    await Promise.all(
      names.map((name) => send(writer, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { slow: '1' } }, data: { big } }, 201)),
    );
    const rounds = 4;
    for (let round = 1; round <= rounds; round++) {
      await Promise.all(names.map((name) => send(writer, 'PATCH', `/api/v1/namespaces/default/configmaps/${name}`, { metadata: { labels: { round: String(round) } } }, 200)));
      t.diagnostic(`server RSS after round ${round}: ${rssMiB()} MiB, reading watcher has ${fastEvents} events`);
    }

    const closing = () => c.logs().split('\n').filter((line) => line.includes('closing the watch of a client that stopped reading'));
    for (let i = 0; i < 300 && closing().length < stalled.length; i++) await sleep(100);
    assert.equal(closing().length, stalled.length, 'each stalled watch is closed with one warning');
    const warning = JSON.parse(closing()[0]!) as Record<string, unknown>;
    assert.equal(warning.resource, '/registry/core/configmaps/');
    assert.equal(warning.user, 'admin');
    assert.equal(warning.path, '/api/v1/namespaces/default/configmaps');

    const expected = names.length * (rounds + 1);
    for (let i = 0; i < 300 && fastEvents < expected; i++) await sleep(100);
    assert.equal(fastEvents, expected, 'the reading watcher got every event');
    assert.equal(fast.closed, false, 'and is still open');

    // a stalled client sees its watch end once it reads what it had received
    await Promise.all(
      stalled.map((stream) => {
        const closed = new Promise((resolve) => stream.once('close', resolve));
        stream.resume();
        return closed;
      }),
    );
    await Promise.all(names.map((name) => send(writer, 'DELETE', `/api/v1/namespaces/default/configmaps/${name}`, undefined, 200)));
    t.diagnostic(`server RSS at the end: ${rssMiB()} MiB`);
    fast.close();
  });
});

/** The pid of the `skiff server` process running on `dataDir`. */
function serverPid(dataDir: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes('server') && args.includes(dataDir)) return Number(entry);
    } catch {
      // the process went away
    }
  }
  throw new Error(`no skiff server on ${dataDir}`);
}

function send(session: ClientHttp2Session, method: string, path: string, body: unknown, status: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const contentType = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    const stream = session.request({ ':method': method, ':path': path, 'content-type': contentType }, { endStream: body === undefined });
    let got = 0;
    let text = '';
    stream.on('response', (headers) => (got = Number(headers[':status'])));
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => (got === status ? resolve() : reject(new Error(`${method} ${path}: ${got} ${text.slice(0, 300)}`))));
    stream.on('error', reject);
    if (body !== undefined) stream.end(JSON.stringify(body));
  });
}
