import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../src/api/index.js';
import { Client, fromKubeconfigPath } from '../../src/client/index.js';
import { OciRuntime, type ContainerStatus } from '../../src/runtime/index.js';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { kubectl } from './lib/kubectl.js';
import { cleanupNode, kubeletE2eSkip, podNetworkFor, startImageRegistry, waitFor, type ImageRegistry } from './lib/kubelet-node.js';

const skip = kubeletE2eSkip();
const net = podNetworkFor(2);
const nodeName = 'kubelet-static';
const mainJs = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

interface PodView extends KubeObject {
  spec: { containers: { name: string; command?: string[] }[] };
  status?: { phase?: string; podIP?: string; containerStatuses?: { name: string; containerID?: string; restartCount: number }[] };
}
interface EventView extends KubeObject {
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string };
}

describe('static pods and mirror pods from `skiff agent`, with the API server up and down', { skip }, () => {
  let registry: ImageRegistry;
  let cluster: RunningCluster;
  let client: Client;
  let root: string;
  let agentDir: string;
  let manifests: string;
  let agent: ChildProcess | undefined;
  let agentLog = '';

  const k = (args: string[]) => kubectl('1.33', args, { kubeconfig: cluster.kubeconfig });
  const mirror = (name: string) => client.resource<PodView>('pods').get('default', `${name}-${nodeName}`).catch(() => undefined);
  const staticPod = (name: string, script: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  terminationGracePeriodSeconds: 2\n  containers:\n  - name: app\n    image: ${registry.image}\n    command: [sh, -c, ${JSON.stringify(script)}]\n`;
  const runtime = () => new OciRuntime({ dataDir: agentDir, bridge: net.bridge });
  const runningContainers = async (podName: string): Promise<ContainerStatus[]> =>
    (await runtime().listContainers()).filter((c) => c.state === 'running' && c.labels['io.kubernetes.pod.name'] === `${podName}-${nodeName}`);
  const mirrorRunning = (name: string, ms = 30_000) =>
    waitFor(`mirror pod ${name}-${nodeName} Running`, async () => {
      const m = await mirror(name);
      return m?.status?.phase === 'Running' && m.status.containerStatuses?.[0]?.containerID && !m.metadata.deletionTimestamp ? m : undefined;
    }, ms);

  const startAgent = async () => {
    const token = (await readFile(join(cluster.dataDir, 'server', 'node-token'), 'utf8')).trim();
    const args = [mainJs, 'agent', '--server', cluster.url, '--token', token, '--ca-file', join(cluster.dataDir, 'tls', 'ca.crt'), '--data-dir', agentDir];
    args.push('--node-name', nodeName, '--pod-manifest-path', manifests, '--kubelet-port', '0', ...net.flags);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    agent = child;
    child.stderr!.on('data', (c: Buffer) => (agentLog = (agentLog + c.toString()).slice(-200_000)));
    process.once('exit', () => child.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => line.startsWith('Skiff agent running') && resolve());
      child.once('exit', (code) => reject(new Error(`skiff agent exited (${code}):\n${agentLog}`)));
    });
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'skiff-kubelet-static-'));
    agentDir = join(root, 'agent');
    manifests = join(root, 'manifests');
    await mkdir(manifests, { recursive: true });
    registry = await startImageRegistry();
    cluster = await startCluster({ extraArgs: ['--cluster-cidr', net.clusterCidr] });
    client = new Client(fromKubeconfigPath(cluster.kubeconfig));
    await startAgent();
  });

  after(async () => {
    if (process.env.SKIFF_E2E_LOG_DIR) {
      await writeFile(join(process.env.SKIFF_E2E_LOG_DIR, 'kubelet-static-agent.log'), agentLog);
      if (cluster) await writeFile(join(process.env.SKIFF_E2E_LOG_DIR, 'kubelet-static-server.log'), cluster.logs());
    }
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      agent.kill('SIGKILL');
      await new Promise((r) => agent!.once('exit', r));
    }
    if (agentDir) await cleanupNode(agentDir, net.bridge);
    await cluster?.stop();
    await registry?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('a file added runs a pod, mirrored as <name>-<node> with the config annotations and the Node as owner', async () => {
    await writeFile(join(manifests, 'web.yaml'), staticPod('web', 'echo v1; exec sleep 3600'));
    const m = await mirrorRunning('web');
    assert.equal(m.metadata.annotations!['kubernetes.io/config.source'], 'file');
    assert.equal(m.metadata.annotations!['kubernetes.io/config.mirror'], m.metadata.annotations!['kubernetes.io/config.hash']);
    assert.deepEqual(m.metadata.ownerReferences!.map((o) => [o.kind, o.name, o.controller]), [['Node', nodeName, true]]);
    assert.match((await k(['get', 'pods', '-A'])).stdout, new RegExp(`default\\s+web-${nodeName}\\s+1/1\\s+Running`));
    assert.equal((await k(['logs', `web-${nodeName}`])).stdout, 'v1\n');
  });

  test('a mirror deleted through the API comes back; the pod keeps running', async () => {
    const before = await mirrorRunning('web');
    const [container] = await runningContainers('web');
    const deleted = await k(['delete', 'pod', `web-${nodeName}`, '--timeout=20s']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const after = await waitFor('a new mirror', async () => {
      const m = await mirror('web');
      return m && m.metadata.uid !== before.metadata.uid && !m.metadata.deletionTimestamp ? m : undefined;
    });
    assert.equal(after.metadata.annotations!['kubernetes.io/config.mirror'], before.metadata.annotations!['kubernetes.io/config.mirror']);
    assert.deepEqual((await runningContainers('web')).map((c) => c.id), [container!.id]);
  });

  test('an edit through the API never reaches the running pod', async () => {
    const patched = await k(['label', 'pod', `web-${nodeName}`, 'edited=yes']);
    const [container] = await runningContainers('web');
    if (patched.code === 0) {
      await waitFor('the label', async () => (await mirror('web'))?.metadata.labels?.edited === 'yes');
    }
    assert.deepEqual((await runningContainers('web')).map((c) => c.id), [container!.id]);
  });

  test('a file edited restarts the pod with the new spec; the mirror follows', async () => {
    const [old] = await runningContainers('web');
    await writeFile(join(manifests, 'web.yaml'), staticPod('web', 'echo v2; exec sleep 3600'));
    await waitFor('the new container', async () => {
      const now = await runningContainers('web');
      return now.length === 1 && now[0]!.id !== old!.id ? now : undefined;
    });
    const m = await waitFor('the mirror with the new spec', async () => {
      const x = await mirror('web');
      return x?.spec.containers[0]!.command?.[2] === 'echo v2; exec sleep 3600' && x.status?.phase === 'Running' ? x : undefined;
    });
    assert.notEqual(m.status!.containerStatuses![0]!.containerID, `oci://${old!.id}`);
  });

  test('a broken file is reported as an Event on the Node and skipped; the other pods stay', async () => {
    const [running] = await runningContainers('web');
    await writeFile(join(manifests, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: broken\nspec: [');
    await writeFile(join(manifests, '.hidden.yaml'), staticPod('hidden', 'exec sleep 3600'));
    const event = await waitFor('a FailedStaticPod event', async () =>
      (await client.resource<EventView>('events').list('default')).items.find((e) => e.involvedObject.kind === 'Node' && e.involvedObject.name === nodeName && /broken\.yaml/.test(e.message)),
    );
    assert.equal(event.reason, 'FailedStaticPod');
    assert.deepEqual((await runningContainers('web')).map((c) => c.id), [running!.id]);
    assert.equal(await mirror('hidden'), undefined);
    await unlink(join(manifests, 'broken.yaml'));
    await unlink(join(manifests, '.hidden.yaml'));
  });

  test('with the API server stopped, static pods start and stop from the folder; mirrors catch up when it is back', async () => {
    await cluster.kill('SIGTERM');
    await writeFile(join(manifests, 'offline.yaml'), staticPod('offline', 'echo started-offline; exec sleep 3600'));
    const [offline] = await waitFor('the offline pod running without an API server', async () => {
      const c = await runningContainers('offline');
      return c.length ? c : undefined;
    });
    await unlink(join(manifests, 'web.yaml'));
    await waitFor('the web pod stopped', async () => ((await runningContainers('web')).length === 0 ? true : undefined));
    await cluster.restart();
    client = new Client(fromKubeconfigPath(cluster.kubeconfig));
    const m = await mirrorRunning('offline', 60_000);
    assert.equal(m.status!.containerStatuses![0]!.containerID, `oci://${offline!.id}`);
    await waitFor('the web mirror deleted', async () => ((await mirror('web')) ? undefined : true), 30_000);
    assert.equal((await k(['logs', `offline-${nodeName}`])).stdout, 'started-offline\n');
  });

  test('a file removed stops the pod and deletes its mirror', async () => {
    await unlink(join(manifests, 'offline.yaml'));
    await waitFor('the offline pod stopped and its mirror gone', async () => ((await runningContainers('offline')).length === 0 && !(await mirror('offline')) ? true : undefined));
    await waitFor('its sandbox removed', async () => ((await runtime().listPodSandboxes()).length === 0 ? true : undefined));
  });
});
