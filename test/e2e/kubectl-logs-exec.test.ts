import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { removeMasquerade } from '../../src/runtime/index.js';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { kubectl, kubectlBinary, startKubectl, type KubectlVersion } from './lib/kubectl.js';
import { manifestDir, type ManifestDir } from './lib/manifests.js';
import { buildTestImage, exportTestImage } from './lib/test-image.js';

const run = promisify(execFile);
const mainJs = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const websocketVersions: KubectlVersion[] = ['1.30', '1.31', '1.32', '1.33'];

function has(cmd: string, args: string[] = ['--version']): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const shellQuote = (args: string[]) => args.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');

/**
 * Runs kubectl under `script`, which gives it a terminal (kubectl `-t` needs one), feeding it
 * `steps`: each waits for its pattern in the output, then types its text.
 */
async function kubectlInTerminal(version: KubectlVersion, args: string[], kubeconfig: string, steps: { after: RegExp; type: string }[]): Promise<{ code: number | null; output: string }> {
  const cache = mkdtempSync(join(tmpdir(), 'skiff-kubectl-tty-'));
  try {
    const command = `stty cols 91 rows 33; ${shellQuote([kubectlBinary(version), '--kubeconfig', kubeconfig, '--cache-dir', cache, ...args])}`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      for (const step of steps) {
        const deadline = Date.now() + 20_000;
        while (!step.after.test(output) && Date.now() < deadline && child.exitCode === null) await sleep(25);
        child.stdin.write(step.type);
      }
      return { code: await closed, output };
    } finally {
      clearTimeout(timer);
      child.kill('SIGKILL');
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

async function waitForPod(cluster: RunningCluster, name: string, jsonpath: string, want: RegExp): Promise<string> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    const r = await kubectl('1.33', ['get', 'pod', name, '-o', `jsonpath=${jsonpath}`], { kubeconfig: cluster.kubeconfig });
    last = r.stdout + r.stderr;
    if (want.test(r.stdout)) return r.stdout;
    await sleep(100);
  }
  const describe = await kubectl('1.33', ['describe', 'pod', name], { kubeconfig: cluster.kubeconfig });
  throw new Error(`pod ${name}: ${jsonpath} never matched ${want} (last: ${last})\n${describe.stdout}${describe.stderr}\nserver log tail:\n${cluster.logs().split('\n').slice(-30).join('\n')}`);
}

function pod(name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 1, ...spec, containers: [{ name: 'main', ...container }] } };
}

describe('kubectl logs, exec and attach on the sim runtime', () => {
  let cluster: RunningCluster;
  let manifests: ManifestDir;
  const k = (args: string[], version: KubectlVersion = '1.33') => kubectl(version, args, { kubeconfig: cluster.kubeconfig });

  before(async () => {
    manifests = manifestDir();
    cluster = await startCluster({ agent: true, extraArgs: ['--container-runtime', 'sim', '--kubelet-port', '0', '--node-name', 'sim-node'] });
    const sim = (name: string, env: Record<string, string>) => ({ name, image: 'busybox', env: Object.entries(env).map(([n, value]) => ({ name: n, value })) });
    const file = manifests.write(
      'pods.yaml',
      pod('talker', sim('main', { SKIFF_SIM_LOG: 'hello {attempt}\nsecond line\nthird line', SKIFF_SIM_EXEC_OUTPUT: 'from exec\n', SKIFF_SIM_EXEC_EXIT_CODE: '3' })),
      pod('ticker', sim('main', { SKIFF_SIM_LOG: 'tick 1\ntick 2\ntick 3', SKIFF_SIM_LOG_INTERVAL_MS: '300', SKIFF_SIM_RUN_MS: '1500', SKIFF_SIM_EXIT_CODE: '0' }), { restartPolicy: 'Never' }),
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'two', annotations: { 'kubectl.kubernetes.io/default-container': 'b' } },
        spec: { containers: [sim('a', { SKIFF_SIM_LOG: 'from a' }), sim('b', { SKIFF_SIM_LOG: 'from b' })] },
      },
    );
    const applied = await k(['apply', '-f', file]);
    assert.equal(applied.code, 0, applied.stderr);
    for (const name of ['talker', 'two']) await waitForPod(cluster, name, '{.status.phase}', /^Running$/);
  });

  after(async () => {
    await cluster?.stop();
    manifests?.remove();
  });

  test('logs prints the log without the CRI prefix, in every kubectl version', async () => {
    for (const version of ['1.27', '1.29', '1.31', '1.33'] as KubectlVersion[]) {
      const r = await k(['logs', 'talker'], version);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hello 0\nsecond line\nthird line\n');
    }
  });

  test('--tail, --timestamps, -c and the default-container annotation', async () => {
    assert.equal((await k(['logs', 'talker', '--tail', '1'])).stdout, 'third line\n');
    const stamped = (await k(['logs', 'talker', '--timestamps', '--tail', '2'])).stdout.trim().split('\n');
    assert.equal(stamped.length, 2);
    assert.match(stamped[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z second line$/);
    assert.equal((await k(['logs', 'two', '-c', 'a'])).stdout, 'from a\n');
    assert.equal((await k(['logs', 'two'])).stdout, 'from b\n');
    assert.match((await k(['logs', 'talker', '--since', '1h'])).stdout, /hello 0/);
  });

  test('logs -f streams lines as they are written and ends when the container exits', async () => {
    const follow = startKubectl('1.33', ['logs', '-f', 'ticker'], { kubeconfig: cluster.kubeconfig });
    try {
      await follow.waitForOutput(/tick 3\n/, 20_000);
      await waitForPod(cluster, 'ticker', '{.status.phase}', /^Succeeded$/);
      await follow.waitForOutput(/tick 1\ntick 2\ntick 3\n$/);
    } finally {
      await follow.stop();
    }
  });

  test('errors as upstream words them', async () => {
    const previous = await k(['logs', 'talker', '--previous']);
    assert.notEqual(previous.code, 0);
    assert.match(previous.stderr, /previous terminated container "main" in pod "talker" not found/);
    const missing = await k(['logs', 'nope']);
    assert.match(missing.stderr, /pods "nope" not found/);
  });

  test('exec passes output and the exit code back (WebSocket, kubectl 1.30 to 1.33)', async () => {
    for (const version of websocketVersions) {
      const r = await k(['exec', 'talker', '--', 'sh', '-c', 'exit 3'], version);
      assert.equal(r.code, 3, `${version}: ${r.stderr}`);
      assert.equal(r.stdout, 'from exec\n');
    }
  });

  test('exec -i passes stdin through and ends at its end', async () => {
    const r = await kubectl('1.33', ['exec', '-i', 'talker', '--', 'cat'], { kubeconfig: cluster.kubeconfig, input: 'piped in\n' });
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'from exec\npiped in\n');
  });

  test('exec -it works in a terminal', async () => {
    const r = await kubectlInTerminal('1.33', ['exec', '-it', 'talker', '--', 'sh'], cluster.kubeconfig, [
      { after: /from exec/, type: 'typed text' },
      { after: /typed text/, type: '\x04' },
    ]);
    assert.equal(r.code, 3, r.output);
    assert.match(r.output, /typed text/);
  });

  test('exec into a pod whose kubelet cannot be reached says so, also after kubectl 1.33 falls back to SPDY', async () => {
    const file = manifests.write('ghost.yaml', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'ghost-node' } }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ghost' }, spec: { nodeName: 'ghost-node', containers: [{ name: 'main', image: 'busybox' }] } });
    const applied = await k(['apply', '-f', file]);
    assert.equal(applied.code, 0, applied.stderr);
    const r = await k(['exec', 'ghost', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /the kubelet of node "ghost-node" has no endpoint/);
    assert.doesNotMatch(r.stderr, /SPDY/);
    assert.equal((await k(['delete', '-f', file, '--grace-period=0', '--force'])).code, 0);
  });

  test('kubectl 1.29 (SPDY only) gets a clear refusal', async () => {
    const r = await k(['exec', 'talker', '--', 'true'], '1.29');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /use kubectl 1\.30 or later/);
  });
});

/** Mount points below `dir` (container root filesystems the kubelet has not removed yet). */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((mount) => mount.startsWith(`${dir}/`));
}

const ociSkip =
  process.getuid?.() !== 0 ? 'needs root' : !has('runc') ? 'needs runc' : !has('umoci', ['--version']) || !has('skopeo', ['--version']) ? 'needs umoci and skopeo for the test image' : false;

describe('kubectl logs, exec and attach on real containers (oci runtime)', { skip: ociSkip }, () => {
  let cluster: RunningCluster;
  let manifests: ManifestDir;
  const k = (args: string[], version: KubectlVersion = '1.33') => kubectl(version, args, { kubeconfig: cluster.kubeconfig });
  const image = 'skiff.test/busybox:1';
  const bridge = `skle${Math.random().toString(16).slice(2, 8)}`;

  before(async () => {
    manifests = manifestDir();
    const cidr = `10.${60 + Math.floor(Math.random() * 60)}.0.0/16`;
    cluster = await startCluster({ agent: true, extraArgs: ['--container-runtime', 'oci', '--kubelet-port', '0', '--node-name', 'oci-node', '--cluster-cidr', cidr, '--cni-bridge', bridge] });
    const built = await buildTestImage();
    try {
      const archive = join(manifests.dir, 'image.tar');
      await exportTestImage(built, 'oci-archive', archive, image);
      await run(process.execPath, [mainJs, 'images', 'import', archive, '--data-dir', cluster.dataDir]);
    } finally {
      await built.remove();
    }
    const c = (command: string, extra: Record<string, unknown> = {}) => ({ image, imagePullPolicy: 'Never', command: ['sh', '-c', command], ...extra });
    const file = manifests.write(
      'pods.yaml',
      // stdout and stderr are separate pipes: only time orders them in the log, as under containerd
      pod('shell', c('echo started; sleep 1; echo to-stderr >&2; exec sleep 3600')),
      pod('restarter', c('if [ -e /data/ran ]; then echo second run; exec sleep 3600; else touch /data/ran; echo first run; exit 1; fi', { volumeMounts: [{ name: 'data', mountPath: '/data' }] }), {
        volumes: [{ name: 'data', emptyDir: {} }],
      }),
      pod('reader', c('while read line; do echo got $line; done', { stdin: true })),
    );
    const applied = await k(['apply', '-f', file]);
    assert.equal(applied.code, 0, applied.stderr);
    for (const name of ['shell', 'reader']) await waitForPod(cluster, name, '{.status.phase}', /^Running$/);
    await waitForPod(cluster, 'restarter', '{.status.containerStatuses[0].restartCount}/{.status.containerStatuses[0].state.running.startedAt}', /^[1-9]\d*\/\S+/);
  });

  after(async () => {
    if (cluster) {
      await k(['delete', 'pods', '--all', '--grace-period', '1', '--wait=true', '--timeout', '30s']).catch(() => undefined);
      const deadline = Date.now() + 30_000;
      while (mountsUnder(cluster.dataDir).length > 0 && Date.now() < deadline) await sleep(100);
      const leftover = mountsUnder(cluster.dataDir);
      await cluster.kill('SIGTERM');
      for (const mount of leftover.reverse()) await run('umount', ['-l', mount]).catch(() => undefined);
      await cluster.stop();
      await run('ip', ['link', 'del', bridge]).catch(() => undefined);
      await removeMasquerade(bridge);
    }
    manifests?.remove();
  });

  test('logs shows stdout and stderr; --previous the run before the restart', async () => {
    let shellLog = '';
    for (const deadline = Date.now() + 15_000; Date.now() < deadline && !shellLog.includes('to-stderr'); await sleep(200)) shellLog = (await k(['logs', 'shell'])).stdout;
    assert.equal(shellLog, 'started\nto-stderr\n');
    assert.equal((await k(['logs', 'restarter'])).stdout, 'second run\n');
    assert.equal((await k(['logs', 'restarter', '--previous'])).stdout, 'first run\n');
  });

  test('exec runs in the container and passes the exit code back', async () => {
    for (const version of websocketVersions) {
      const r = await k(['exec', 'shell', '--', 'sh', '-c', 'cat /etc/motd; echo oops >&2; exit 3'], version);
      assert.equal(r.code, 3, `${version}: ${r.stderr}`);
      assert.equal(r.stdout, 'skiff test image\n');
      assert.match(r.stderr, /oops/);
    }
  });

  test('exec -it gets a terminal of the client size', async () => {
    const r = await kubectlInTerminal('1.33', ['exec', '-it', 'shell', '--', 'sh'], cluster.kubeconfig, [
      { after: /# /, type: 'stty size; echo $((6*7))\r' },
      { after: /42/, type: 'exit 5\r' },
    ]);
    assert.equal(r.code, 5, r.output);
    assert.match(r.output, /33 91/);
  });

  test('attach -i talks to the container started with stdin', async () => {
    const attach = startKubectl('1.33', ['attach', '-i', 'reader'], { kubeconfig: cluster.kubeconfig, input: 'one\ntwo\n' });
    try {
      await attach.waitForOutput(/got one\ngot two\n/, 20_000);
    } finally {
      await attach.stop();
    }
  });
});
