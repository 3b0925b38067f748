import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Client, fromKubeconfigPath } from '../../src/client/index.js';
import type { KubeObject } from '../../src/api/index.js';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { kubectl, kubectlBinary, startKubectl } from './lib/kubectl.js';
import { cleanupNode, kubeletE2eSkip, nodeLeftovers, podNetworkFor, startImageRegistry, waitFor, type ImageRegistry } from './lib/kubelet-node.js';

const run = promisify(execFile);
const skip = kubeletE2eSkip();
const net = podNetworkFor(1);
const nodeName = 'kubelet-pods';

interface ContainerStatusView {
  name: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  containerID?: string;
  state?: { running?: object; waiting?: { reason?: string; message?: string }; terminated?: { exitCode: number; reason?: string } };
  lastState?: { terminated?: { exitCode: number; reason?: string } };
}
interface PodView extends KubeObject {
  spec: Record<string, unknown>;
  status?: { phase?: string; podIP?: string; hostIP?: string; containerStatuses?: ContainerStatusView[]; initContainerStatuses?: ContainerStatusView[] };
}
interface EventView extends KubeObject {
  reason: string;
  message: string;
  involvedObject: { name: string; fieldPath?: string };
  count?: number;
}

describe('kubelet on runc, CNI and a local registry: pods through kubectl 1.33', { skip }, () => {
  let registry: ImageRegistry;
  let cluster: RunningCluster;
  let client: Client;
  let scratch: string;
  let image: string;

  const k = (args: string[], input?: string) => kubectl('1.33', args, { kubeconfig: cluster.kubeconfig, ...(input !== undefined ? { input } : {}) });
  const pods = () => client.resource<PodView>('pods');
  const pod = (name: string) => pods().get('default', name);
  const container = (p: PodView, name: string) => [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])].find((c) => c.name === name);
  const events = async (name: string) => (await client.resource<EventView>('events').list('default')).items.filter((e) => e.involvedObject.name === name);
  const apply = async (manifest: object) => {
    const result = await k(['apply', '-f', '-'], JSON.stringify(manifest));
    assert.equal(result.code, 0, result.stderr);
  };
  const podOf = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec });
  const c = (name: string, script: string, extra: Record<string, unknown> = {}) => ({ name, image, command: ['sh', '-c', script], ...extra });
  const running = (name: string, ms = 30_000) =>
    waitFor(`pod ${name} Running and ready`, async () => {
      const p = await pod(name).catch(() => undefined);
      return p?.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((s) => s.ready) ? p : undefined;
    }, ms);

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'skiff-kubelet-pods-'));
    registry = await startImageRegistry();
    image = registry.image;
    cluster = await startCluster({ agent: true, extraArgs: ['--cluster-cidr', net.clusterCidr, ...net.flags, '--node-name', nodeName, '--kubelet-port', '0'] });
    client = new Client(fromKubeconfigPath(cluster.kubeconfig));
    await waitFor('the node Ready with a pod CIDR', async () => {
      const node = await client.resource<KubeObject & { spec?: { podCIDR?: string }; status?: { conditions?: { type: string; status: string }[] } }>('nodes').get(undefined, nodeName).catch(() => undefined);
      return node?.spec?.podCIDR && node.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
    });
  });

  after(async () => {
    await cluster?.kill('SIGKILL');
    if (cluster) await cleanupNode(cluster.dataDir, net.bridge);
    await cluster?.stop();
    await registry?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('the server picks the oci runtime, says so, and registers the node with a pod CIDR', async () => {
    assert.match(cluster.logs(), /container runtime oci: runc found and running as root; containers watched by conmon/);
    const wide = await k(['get', 'nodes', '-o', 'wide']);
    assert.match(wide.stdout, new RegExp(`${nodeName}\\s+Ready\\s+control-plane`));
    assert.match(wide.stdout, /oci:\/\/\d+\.\d+\.\d+/, 'CONTAINER-RUNTIME shows the runc version');
    const cidr = await k(['get', 'node', nodeName, '-o', 'jsonpath={.spec.podCIDR}']);
    assert.equal(cidr.stdout, net.clusterCidr.replace('.0.0/16', '.0.0/24'));
  });

  describe('pods', { concurrency: true }, () => {
    test('two containers share localhost and an emptyDir; get -o wide shows IP and NODE; describe shows the events', async () => {
      await apply(
        podOf('pair', {
          volumes: [{ name: 'shared', emptyDir: {} }],
          containers: [
            c('server', 'echo hello-over-localhost > /www/index.html && exec httpd -f -p 8080 -h /www', { volumeMounts: [{ name: 'shared', mountPath: '/www' }] }),
            c('client', 'echo from-client > /data/note && exec sleep 3600', { volumeMounts: [{ name: 'shared', mountPath: '/data' }] }),
          ],
        }),
      );
      const p = await running('pair');
      const prefix = net.clusterCidr.split('.').slice(0, 2).join('.');
      assert.match(p.status!.podIP!, new RegExp(`^${prefix.replace('.', '\\.')}\\.0\\.\\d+$`));
      const wide = await k(['get', 'pod', 'pair', '-o', 'wide']);
      assert.match(wide.stdout, new RegExp(`pair\\s+2/2\\s+Running\\s+0\\s+\\S+\\s+${p.status!.podIP!.replace(/\./g, '\\.')}\\s+${nodeName}`));
      const fetched = await waitFor('httpd answering on localhost', async () => {
        const r = await k(['exec', 'pair', '-c', 'client', '--', 'sh', '-c', "printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 8080"]);
        return /hello-over-localhost/.test(r.stdout) ? r : undefined;
      });
      assert.match(fetched.stdout, /200 OK/);
      const note = await k(['exec', 'pair', '-c', 'server', '--', 'cat', '/www/note']);
      assert.equal(note.stdout, 'from-client\n');
      const describe = await waitFor('describe with Scheduled … Started', async () => {
        const d = await k(['describe', 'pod', 'pair']);
        return /Started .*server/.test(d.stdout) && /Started .*client/.test(d.stdout) ? d.stdout : undefined;
      });
      const order = ['Scheduled', 'Pulling|Pulled', 'Created', 'Started'].map((r) => describe.search(new RegExp(`Normal\\s+(${r})\\s`)));
      assert.ok(order.every((i) => i > 0), describe);
      assert.ok(order[0]! < order[1]! && order[1]! < order[2]! && order[2]! < order[3]!, `events out of order:\n${describe}`);
    });

    test('init containers run in order, a sidecar starts before the next one and keeps running beside the main container', async () => {
      await apply(
        podOf('ordered', {
          volumes: [{ name: 'work', emptyDir: {} }],
          initContainers: [
            c('init1', 'echo init1 >> /work/order', { volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
            c('sidecar', 'echo sidecar >> /work/order; exec sleep 3600', {
              restartPolicy: 'Always',
              volumeMounts: [{ name: 'work', mountPath: '/work' }],
              startupProbe: { exec: { command: ['grep', '-q', 'sidecar', '/work/order'] }, periodSeconds: 1 },
            }),
            c('init2', 'echo init2 >> /work/order', { volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
          ],
          containers: [c('main', 'echo main >> /work/order; exec sleep 3600', { volumeMounts: [{ name: 'work', mountPath: '/work' }] })],
        }),
      );
      const p = await running('ordered');
      const order = await k(['exec', 'ordered', '-c', 'main', '--', 'cat', '/work/order']);
      assert.equal(order.stdout, 'init1\nsidecar\ninit2\nmain\n');
      assert.equal(container(p, 'init1')!.state!.terminated!.reason, 'Completed');
      assert.equal(container(p, 'init2')!.state!.terminated!.reason, 'Completed');
      assert.ok(container(p, 'sidecar')!.state!.running, 'the sidecar keeps running');
      assert.equal(container(p, 'sidecar')!.started, true);
      assert.match((await k(['get', 'pod', 'ordered'])).stdout, /ordered\s+2\/2\s+Running/);
    });

    test('a crashing container reaches CrashLoopBackOff with growing delays, BackOff events and its previous logs', async () => {
      await apply(podOf('crash', { containers: [c('c', 'echo crashing; exit 1')] }));
      const messages = new Set<string>();
      await waitFor('two restarts with back-off', async () => {
        const s = container(await pod('crash'), 'c');
        if (s?.state?.waiting?.reason === 'CrashLoopBackOff') messages.add(s.state.waiting.message ?? '');
        return (s?.restartCount ?? 0) >= 2 && [...messages].some((m) => m.startsWith('back-off 20s')) ? s : undefined;
      }, 60_000, 250);
      assert.ok([...messages].some((m) => m.startsWith('back-off 10s restarting failed container=c pod=crash_default')), [...messages].join('\n'));
      const s = container(await pod('crash'), 'c')!;
      assert.equal(s.lastState!.terminated!.exitCode, 1);
      assert.equal(s.lastState!.terminated!.reason, 'Error');
      const backoff = (await events('crash')).filter((e) => e.reason === 'BackOff');
      assert.ok(backoff.length >= 1 && backoff[0]!.message.startsWith('Back-off restarting failed container c in pod crash_default'), JSON.stringify(backoff));
      assert.match((await k(['get', 'pod', 'crash'])).stdout, /crash\s+0\/1\s+(CrashLoopBackOff|Error|Completed|Running)\s+[2-9]/);
      assert.equal((await k(['logs', 'crash', '--previous'])).stdout, 'crashing\n');
    });

    test('a container over its memory limit ends OOMKilled', async () => {
      await apply(
        podOf('oom', {
          restartPolicy: 'Never',
          containers: [c('hog', 'dd if=/dev/zero of=/dev/null bs=64M count=1', { resources: { limits: { memory: '16Mi' } } })],
        }),
      );
      const p = await waitFor('pod oom Failed', async () => {
        const x = await pod('oom');
        return x.status?.phase === 'Failed' ? x : undefined;
      });
      assert.deepEqual({ exitCode: container(p, 'hog')!.state!.terminated!.exitCode, reason: container(p, 'hog')!.state!.terminated!.reason }, { exitCode: 137, reason: 'OOMKilled' });
      assert.match((await k(['get', 'pod', 'oom'])).stdout, /oom\s+0\/1\s+OOMKilled\s+0/);
    });

    test('a failing liveness probe restarts the container, with Unhealthy and Killing events', async () => {
      await apply(
        podOf('live', {
          terminationGracePeriodSeconds: 2,
          containers: [
            c('app', 'touch /tmp/healthy; sleep 2; rm /tmp/healthy; exec sleep 3600', {
              livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 2 },
            }),
          ],
        }),
      );
      const first = container(await running('live'), 'app')!;
      const restarted = await waitFor('a liveness restart', async () => {
        const s = container(await pod('live'), 'app');
        return s && s.restartCount >= 1 && s.state?.running ? s : undefined;
      });
      assert.notEqual(restarted.containerID, first.containerID);
      const reasons = (await events('live')).map((e) => `${e.reason}: ${e.message}`);
      assert.ok(reasons.some((r) => r.startsWith('Unhealthy: Liveness probe failed')), reasons.join('\n'));
      assert.ok(reasons.some((r) => r === 'Killing: Container app failed liveness probe, will be restarted'), reasons.join('\n'));
    });

    test('logs -f follows, exec passes exit code 3 back, with and without a TTY', async () => {
      await apply(podOf('talk', { containers: [c('app', 'i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done')] }));
      await running('talk');
      const follow = startKubectl('1.33', ['logs', '-f', 'talk'], { kubeconfig: cluster.kubeconfig });
      try {
        await follow.waitForOutput(/line 0\n/);
        await follow.waitForOutput(/line 8\n/, 15_000);
      } finally {
        await follow.stop();
      }
      const plain = await k(['exec', 'talk', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.deepEqual([plain.code, plain.stdout], [3, 'out\n']);
      assert.match(plain.stderr, /err\n/);
      const piped = await k(['exec', '-i', 'talk', '--', 'sh', '-c', 'cat; exit 3'], 'via stdin\n');
      assert.deepEqual([piped.code, piped.stdout], [3, 'via stdin\n']);
      const cmd = `${kubectlBinary('1.33')} --kubeconfig ${cluster.kubeconfig} exec -it talk -- sh -c 'tty; exit 3'`;
      const tty = await run('script', ['-q', '-e', '-c', cmd, '/dev/null']).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
      assert.equal(tty.code, 3, tty.out);
      assert.match(tty.out, /\/dev\/pts\/\d+/);
    });

    test('graceful deletion runs the preStop hook, then SIGTERM, and removes the pod', async () => {
      const hostDir = join(scratch, 'grace');
      await apply(
        podOf('grace', {
          terminationGracePeriodSeconds: 15,
          volumes: [{ name: 'out', hostPath: { path: hostDir, type: 'DirectoryOrCreate' } }],
          containers: [
            c('app', 'trap "echo got-SIGTERM >> /out/log; exit 0" TERM; while true; do sleep 0.1; done', {
              volumeMounts: [{ name: 'out', mountPath: '/out' }],
              lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo prestop >> /out/log; sleep 1'] } } },
            }),
          ],
        }),
      );
      await running('grace');
      const deleted = await k(['delete', 'pod', 'grace', '--timeout=30s']);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.equal(await readFile(join(hostDir, 'log'), 'utf8'), 'prestop\ngot-SIGTERM\n');
      assert.equal((await k(['get', 'pod', 'grace'])).code, 1);
      const killing = (await events('grace')).filter((e) => e.reason === 'Killing');
      assert.ok(killing.some((e) => e.message === 'Stopping container app'), JSON.stringify(killing));
    });
  });

  test('after SIGKILL of the server (its kubelet) the running containers are adopted, not restarted', async () => {
    await apply(podOf('survivor', { containers: [c('app', 'exec sleep 3600')] }));
    await running('survivor');
    const before = new Map<string, { id?: string; restarts: number }>();
    for (const name of ['survivor', 'pair', 'ordered']) {
      for (const s of (await pod(name)).status!.containerStatuses!) before.set(`${name}/${s.name}`, { id: s.containerID, restarts: s.restartCount });
    }
    const startedBefore = (await events('survivor')).filter((e) => e.reason === 'Started').length;
    const exit = await cluster.kill('SIGKILL');
    assert.equal(exit.signal, 'SIGKILL');
    await cluster.restart();
    client = new Client(fromKubeconfigPath(cluster.kubeconfig));
    const marker = `after-restart-${Date.now()}`;
    await apply(podOf('newcomer', { containers: [c('app', `echo ${marker}; exec sleep 3600`)] }));
    await running('newcomer', 60_000);
    for (const name of ['survivor', 'pair', 'ordered']) {
      const p = await running(name);
      for (const s of p.status!.containerStatuses!) assert.deepEqual({ id: s.containerID, restarts: s.restartCount }, before.get(`${name}/${s.name}`), `${name}/${s.name}`);
    }
    assert.equal((await events('survivor')).filter((e) => e.reason === 'Started').length, startedBefore);
    assert.equal((await k(['exec', 'survivor', '--', 'echo', 'still-here'])).stdout, 'still-here\n');
  });

  test('deleting every pod leaves no network namespace, cgroup or mount behind', async () => {
    const sandboxIds = await readdir(join(cluster.dataDir, 'sandboxes'));
    const uids = (await pods().list('default')).items.map((p) => p.metadata.uid!);
    const deleted = await k(['delete', 'pods', '--all', '--grace-period=1', '--timeout=60s']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const left = await waitFor('the node cleaned up', async () => {
      const l = await nodeLeftovers(cluster.dataDir, net.bridge, uids, sandboxIds);
      return !l.netns.length && !l.cgroups.length && !l.mounts.length ? l : undefined;
    }, 30_000, 200).catch(async () => nodeLeftovers(cluster.dataDir, net.bridge, uids, sandboxIds));
    assert.deepEqual({ netns: left.netns, cgroups: left.cgroups, mounts: left.mounts }, { netns: [], cgroups: [], mounts: [] });
    await cluster.kill('SIGKILL');
    const final = await cleanupNode(cluster.dataDir, net.bridge);
    assert.deepEqual(final, { netns: [], cgroups: [], mounts: [], bridge: false, nftTable: false });
  });
});
