import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { masqueradeTable, OciRuntime, removeMasquerade, type ContainerConfig, type SandboxConfig } from '../../src/runtime/index.js';
import { startRegistry, type RunningRegistry } from './lib/registry.js';
import { buildTestImage, pushTestImage, type TestImage } from './lib/test-image.js';

const run = promisify(execFile);
const suffix = Math.random().toString(16).slice(2, 8);
const bridge = `skt${suffix}`;
const subnetByte = 100 + Math.floor(Math.random() * 100);
const subnet = `10.231.${subnetByte}.0/24`;

function hasRunc(): boolean {
  try {
    execFileSync('runc', ['--version'], { stdio: 'ignore' });
    return existsSync('/usr/lib/cni/bridge');
  } catch {
    return false;
  }
}
const skip = process.getuid?.() !== 0 ? 'needs root' : !hasRunc() ? 'needs runc and the CNI plugins' : false;

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function hostIPv4(): string {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (name.startsWith('skt') || name.startsWith('veth')) continue;
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

describe('oci runtime on runc and CNI', { skip }, () => {
  let dataDir: string;
  let runcRoot: string;
  let image: TestImage;
  let registry: RunningRegistry;
  let runtime: OciRuntime;
  let ref: string;
  const podUids: string[] = [];
  const timings: Record<string, number[]> = { sandbox: [], createStart: [], stopRemove: [] };

  const newRuntime = () => new OciRuntime({ dataDir, runcRoot, bridge, defaultPodCIDR: subnet });

  const sandboxConfig = (name: string, over: Partial<SandboxConfig> = {}): SandboxConfig => {
    const podUid = `e2e-${suffix}-${name}`;
    podUids.push(podUid);
    return {
      podUid,
      name,
      namespace: 'default',
      attempt: 0,
      hostname: name,
      hostNetwork: false,
      portMappings: [],
      dns: { servers: [], searches: [], options: [] },
      hostAliases: [],
      labels: { 'io.kubernetes.pod.uid': podUid },
      cgroupParent: `/skiff/pod${podUid}`,
      ...over,
    };
  };

  const containerConfig = (name: string, command: string[], over: Partial<ContainerConfig> = {}): ContainerConfig => ({
    name,
    attempt: 0,
    image: ref,
    command,
    args: [],
    env: [],
    mounts: [],
    tty: false,
    stdin: false,
    stdinOnce: false,
    readOnlyRootFilesystem: false,
    resources: {},
    labels: { 'io.kubernetes.container.name': name },
    annotations: {},
    logPath: join(dataDir, 'logs', `${name}-${Math.random().toString(16).slice(2, 6)}.log`),
    ...over,
  });

  const startSandbox = async (config: SandboxConfig) => {
    const t = performance.now();
    const sandbox = await runtime.runPodSandbox(config);
    timings.sandbox.push(performance.now() - t);
    return sandbox;
  };

  const startContainer = async (sandboxId: string, config: ContainerConfig, sandbox: SandboxConfig) => {
    const t = performance.now();
    const id = await runtime.createContainer(sandboxId, config, sandbox);
    await runtime.startContainer(id);
    timings.createStart.push(performance.now() - t);
    return id;
  };

  const removeSandbox = async (id: string) => {
    const t = performance.now();
    await runtime.removePodSandbox(id);
    timings.stopRemove.push(performance.now() - t);
  };

  const exited = (id: string) => waitFor(`container ${id} to exit`, async () => {
    const s = await runtime.containerStatus(id);
    return s?.state === 'exited' ? s : undefined;
  });

  const logText = async (path: string) => (await readFile(path, 'utf8').catch(() => '')).split('\n').filter(Boolean);

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'skiff-oci-e2e-'));
    runcRoot = join('/run', `skiff-e2e-${suffix}`);
    await mkdir(join(dataDir, 'logs'));
    image = await buildTestImage();
    registry = await startRegistry();
    await pushTestImage(image, registry.host, 'test/busybox:1');
    ref = `${registry.host}/test/busybox:1`;
    runtime = newRuntime();
    await runtime.pullImage({ image: ref }, undefined);
  });

  after(async () => {
    await newRuntime().close({ killAll: true }).catch(() => undefined);
    for (const ns of (await run('ip', ['netns', 'list']).catch(() => ({ stdout: '' }))).stdout.split('\n')) {
      const name = ns.split(' ')[0];
      const owned = name && existsSync(join(dataDir, 'sandboxes')) && (await readdir(join(dataDir, 'sandboxes'))).some((id) => name === `skiff-${id.slice(0, 24)}`);
      if (owned) await run('ip', ['netns', 'delete', name]).catch(() => undefined);
    }
    await run('ip', ['link', 'delete', bridge]).catch(() => undefined);
    await removeMasquerade(bridge);
    for (const uid of podUids) for (const h of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) await rm(join('/sys/fs/cgroup', h, 'skiff', `pod${uid}`), { recursive: false, force: true }).catch(() => undefined);
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(dataDir));
    for (const m of mounts.reverse()) await run('umount', ['-l', m]).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    await rm(runcRoot, { recursive: true, force: true });
    await registry?.stop();
    await image?.remove();
    const fmt = (xs: number[]) => (xs.length ? `${xs.map((x) => x.toFixed(0)).join('/')} ms` : 'n/a');
    process.stderr.write(`# oci runtime timings: sandbox create (netns + CNI) ${fmt(timings.sandbox)}; container create+start ${fmt(timings.createStart)}; sandbox stop+remove ${fmt(timings.stopRemove)}\n`);
  });

  test('two containers of a pod reach each other on localhost and share a host folder', async () => {
    const shared = join(dataDir, 'shared');
    await mkdir(shared);
    await writeFile(join(shared, 'index.html'), 'hello from the volume\n');
    const config = sandboxConfig('pair');
    const sandbox = await startSandbox(config);
    assert.equal(sandbox.state, 'ready');
    assert.match(sandbox.ips[0] ?? '', new RegExp(`^10\\.231\\.${subnetByte}\\.\\d+$`));
    const server = containerConfig('server', ['httpd', '-f', '-p', '8080', '-h', '/www'], { mounts: [{ containerPath: '/www', hostPath: shared, readOnly: true }] });
    await startContainer(sandbox.id, server, config);
    const client = containerConfig('client', ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do printf "GET /index.html HTTP/1.0\\r\\n\\r\\n" | nc 127.0.0.1 8080 && break; sleep 0.2; done; hostname > /shared/from-client'], {
      mounts: [{ containerPath: '/shared', hostPath: shared, readOnly: false }],
    });
    const clientId = await startContainer(sandbox.id, client, config);
    const status = await exited(clientId);
    assert.equal(status.exitCode, 0);
    assert.ok((await logText(client.logPath)).some((l) => l.endsWith(' stdout F hello from the volume')));
    assert.equal(await readFile(join(shared, 'from-client'), 'utf8'), 'pair\n');
    const hosts = await runtime.exec((await runtime.listContainers({ sandboxId: sandbox.id })).find((c) => c.name === 'server')!.id, { command: ['cat', '/etc/hosts'], tty: false, stdout: collect(), stderr: collect() });
    assert.equal(hosts, 0);
    await removeSandbox(sandbox.id);
  });

  for (const monitor of ['conmon', 'shim'] as const) test(`exit codes and CRI logs come back; a memory-limited container ends OOMKilled (containers watched by ${monitor})`, async (t) => {
    const previous = runtime;
    runtime = new OciRuntime({ dataDir, runcRoot, bridge, defaultPodCIDR: subnet, monitor: monitor === 'shim' ? 'shim' : 'auto' });
    t.after(() => (runtime = previous));
    assert.equal(runtime.monitor, monitor, 'scripts/setup.sh installs conmon');
    const config = sandboxConfig(`exits-${monitor}`);
    const sandbox = await startSandbox(config);
    const three = containerConfig('three', ['sh', '-c', 'echo out; echo err >&2; printf partial; exit 3']);
    const threeId = await startContainer(sandbox.id, three, config);
    const s3 = await exited(threeId);
    assert.equal(s3.exitCode, 3);
    assert.equal(s3.reason, 'Error');
    assert.ok(s3.startedAt && s3.finishedAt && s3.finishedAt >= s3.startedAt);
    const lines = await logText(three.logPath);
    for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) (stdout|stderr) [FP] /, 'CRI log records with RFC3339Nano times (containerd writes Z, conmon as CRI-O an offset)');
    assert.ok(lines.some((l) => / stdout F out$/.test(l)));
    assert.ok(lines.some((l) => / stderr F err$/.test(l)));
    assert.ok(lines.some((l) => / stdout [FP] partial$/.test(l)), 'the unterminated last line is kept (F from containerd-style writers, P from conmon)');

    const oom = containerConfig('hog', ['tail', '/dev/zero'], { resources: { memoryLimitBytes: 16 << 20 } });
    const oomId = await startContainer(sandbox.id, oom, config);
    const so = await exited(oomId);
    assert.equal(so.exitCode, 137);
    assert.equal(so.reason, 'OOMKilled');
    assert.equal(existsSync(join(process.cwd(), 'oom')), false, 'the monitor drops nothing in the working directory of the process that runs it');

    const bad = containerConfig('bad', ['/no/such/program']);
    const badId = await runtime.createContainer(sandbox.id, bad, config);
    await assert.rejects(runtime.startContainer(badId), /no such file|not found/i);
    const sb = await runtime.containerStatus(badId);
    assert.equal(sb?.exitCode, 128);
    assert.equal(sb?.reason, 'StartError');
    assert.match(sb?.message ?? '', /\/no\/such\/program.*no such file or directory/);
    assert.doesNotMatch(sb?.message ?? '', /level=|time=|msg=/, 'the runtime\'s message, not its log line');
    await removeSandbox(sandbox.id);
  });

  test('stop sends SIGTERM, then SIGKILL after the timeout', async () => {
    const config = sandboxConfig('stops');
    const sandbox = await startSandbox(config);
    const polite = await startContainer(sandbox.id, containerConfig('polite', ['sh', '-c', 'trap "echo bye; exit 0" TERM; while true; do sleep 0.1; done']), config);
    const stubborn = await startContainer(sandbox.id, containerConfig('stubborn', ['sleep', '1000']), config);
    await runtime.stopContainer(polite, 10);
    assert.equal((await runtime.containerStatus(polite))?.exitCode, 0);
    await runtime.stopContainer(stubborn, 1);
    const s = await runtime.containerStatus(stubborn);
    assert.equal(s?.state, 'exited');
    assert.equal(s?.exitCode, 137);
    await runtime.removeContainer(stubborn);
    assert.equal(await runtime.containerStatus(stubborn), undefined);
    await removeSandbox(sandbox.id);
  });

  test('exec passes the exit code and output back, with and without a TTY', async () => {
    const config = sandboxConfig('execs');
    const sandbox = await startSandbox(config);
    const id = await startContainer(sandbox.id, containerConfig('main', ['sleep', '1000']), config);
    const out = collect();
    const code = await runtime.exec(id, { command: ['sh', '-c', 'echo hi; read x; echo got $x; exit 3'], tty: false, stdin: streamOf('there\n'), stdout: out, stderr: collect() });
    assert.equal(code, 3);
    assert.equal(out.text(), 'hi\ngot there\n');
    const ttyOut = collect();
    async function* sizes() {
      yield { width: 100, height: 40 };
    }
    const ttyCode = await runtime.exec(id, { command: ['sh', '-c', 'sleep 0.5; tty; stty size'], tty: true, stdout: ttyOut, resize: sizes() });
    assert.equal(ttyCode, 0);
    assert.match(ttyOut.text(), /\/dev\/pts\/\d+/);
    assert.match(ttyOut.text(), /40 100/);

    const echo = await startContainer(sandbox.id, containerConfig('echo', ['cat'], { stdin: true }), config);
    const attached = collect();
    const input = new PassThrough();
    const stop = new AbortController();
    const attach = runtime.attach(echo, { tty: false, stdin: input, stdout: attached, stderr: collect(), signal: stop.signal });
    input.write('ping\n');
    await waitFor('attached output', async () => attached.text().includes('ping\n'));
    stop.abort();
    await attach;
    await removeSandbox(sandbox.id);
  });

  test('hostPort is reachable from the host, portForward reaches the pod', async () => {
    const hostPort = 30000 + Math.floor(Math.random() * 20000);
    const config = sandboxConfig('ports', { portMappings: [{ containerPort: 8080, hostPort, protocol: 'TCP' }] });
    const sandbox = await startSandbox(config);
    const www = join(dataDir, 'www');
    await mkdir(www, { recursive: true });
    await writeFile(join(www, 'index.html'), 'served\n');
    await startContainer(sandbox.id, containerConfig('web', ['httpd', '-f', '-p', '8080', '-h', '/www'], { mounts: [{ containerPath: '/www', hostPath: www, readOnly: true }] }), config);
    const body = await waitFor('the hostPort', async () => {
      try {
        const res = await fetch(`http://${hostIPv4()}:${hostPort}/index.html`, { signal: AbortSignal.timeout(1000) });
        return await res.text();
      } catch {
        return undefined;
      }
    });
    assert.equal(body, 'served\n');
    const socket = await runtime.portForward(sandbox.id, 8080);
    const reply = await new Promise<string>((resolve, reject) => {
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.end('GET /index.html HTTP/1.0\r\n\r\n');
    });
    assert.match(reply, /served/);
    await removeSandbox(sandbox.id);
  });

  test('what a pod sends outside the pod subnet leaves with the node address (one nftables rule, no per-pod iptables chains)', async () => {
    const outside = `skiff-e2e-out-${suffix}`;
    const hostEnd = `sko${suffix}`;
    const serverIp = `198.18.${subnetByte}.2`;
    let listener: ReturnType<typeof spawn> | undefined;
    try {
      await run('ip', ['netns', 'add', outside]);
      await run('ip', ['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', outside]);
      await run('ip', ['addr', 'add', `198.18.${subnetByte}.1/30`, 'dev', hostEnd]);
      await run('ip', ['link', 'set', hostEnd, 'up']);
      await run('ip', ['-n', outside, 'addr', 'add', `${serverIp}/30`, 'dev', 'eth0']);
      await run('ip', ['-n', outside, 'link', 'set', 'eth0', 'up']);
      const script = `require('net').createServer((s) => s.end(s.remoteAddress + '\\n')).listen(9000, '${serverIp}')`;
      listener = spawn('ip', ['netns', 'exec', outside, process.execPath, '-e', script], { stdio: 'ignore' });
      const config = sandboxConfig('egress');
      const sandbox = await startSandbox(config);
      const client = containerConfig('client', ['sh', '-c', `until nc ${serverIp} 9000; do sleep 0.1; done`]);
      const id = await startContainer(sandbox.id, client, config);
      assert.equal((await exited(id)).exitCode, 0);
      const seen = (await logText(client.logPath)).filter((l) => l.split(' ')[1] === 'stdout').map((l) => l.split(' ').slice(3).join(' '));
      assert.deepEqual(seen, [`198.18.${subnetByte}.1`], `the server saw the node's address, not the pod's ${sandbox.ips[0]}`);
      const nat = (await run('nft', ['list', 'table', 'ip', 'nat']).catch(() => ({ stdout: '' }))).stdout;
      assert.doesNotMatch(nat, new RegExp(`${sandbox.ips[0]!.replace(/\./g, '\\.')}\\b`), 'no per-pod iptables masquerade chain');
      assert.match((await run('nft', ['list', 'table', 'ip', masqueradeTable(bridge)])).stdout, new RegExp(`ip saddr ${subnet.replace(/\./g, '\\.')} .*masquerade`));
      await removeSandbox(sandbox.id);
    } finally {
      listener?.kill();
      await run('ip', ['netns', 'delete', outside]).catch(() => undefined);
      await run('ip', ['link', 'delete', hostEnd]).catch(() => undefined);
    }
  });

  test('a new runtime instance (a kubelet restart) sees and controls what is running, and removal leaves nothing behind', async () => {
    const config = sandboxConfig('adopt');
    const sandbox = await startSandbox(config);
    const id = await startContainer(sandbox.id, containerConfig('keep', ['sh', '-c', 'trap "exit 7" TERM; while true; do sleep 0.1; done'], { labels: { 'io.kubernetes.pod.uid': config.podUid, 'io.kubernetes.container.name': 'keep', 'io.kubernetes.container.restartCount': '2' } }), config);
    const netns = (await readdir(join(dataDir, 'sandboxes'))).map((d) => `skiff-${d.slice(0, 24)}`).find((n) => sandbox.id.startsWith(n.slice(6)))!;
    runtime = newRuntime();
    const sandboxes = await runtime.listPodSandboxes();
    assert.deepEqual(sandboxes.find((s) => s.id === sandbox.id)?.ips, sandbox.ips);
    const listed = (await runtime.listContainers({ podUid: config.podUid })).find((c) => c.id === id);
    assert.equal(listed?.state, 'running');
    assert.equal(listed?.labels['io.kubernetes.container.restartCount'], '2');
    await runtime.stopContainer(id, 10);
    assert.equal((await runtime.containerStatus(id))?.exitCode, 7);
    await removeSandbox(sandbox.id);
    assert.doesNotMatch((await run('ip', ['netns', 'list'])).stdout, new RegExp(netns));
    assert.equal((await run('ip', ['link', 'show', 'master', bridge])).stdout.trim(), '');
    assert.equal(existsSync(`/sys/fs/cgroup/memory/skiff/pod${config.podUid}`), false);
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.includes(join(dataDir, 'containers')));
    assert.deepEqual(mounts, []);
    const ipam = (await readdir(join(dataDir, 'cni', 'networks', 'skiff')).catch(() => [] as string[])).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
    assert.deepEqual(ipam, []);
    assert.deepEqual(await runtime.listPodSandboxes(), []);
  });
});

function collect(): PassThrough & { text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new PassThrough() as PassThrough & { text: () => string };
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.text = () => Buffer.concat(chunks).toString('utf8');
  return stream;
}

function streamOf(text: string): PassThrough {
  const s = new PassThrough();
  s.end(text);
  return s;
}
