import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { HostRuntime, type ContainerConfig, type SandboxConfig } from '../../src/runtime/index.js';
import { buildTestImage, exportTestImage, type TestImage } from './lib/test-image.js';

describe('host runtime: plain processes from an image', () => {
  let dataDir: string;
  let image: TestImage;
  let runtime: HostRuntime;
  let ref: string;
  const sandbox: SandboxConfig = {
    podUid: 'host-e2e',
    name: 'p',
    namespace: 'default',
    attempt: 0,
    hostname: 'p',
    hostNetwork: false,
    portMappings: [],
    dns: { servers: [], searches: [], options: [] },
    hostAliases: [],
    labels: {},
    cgroupParent: '/skiff/podhost-e2e',
  };
  const container = (name: string, command: string[]): ContainerConfig => ({
    name,
    attempt: 0,
    image: ref,
    command,
    args: [],
    env: [{ name: 'GREETING', value: 'hi' }],
    mounts: [],
    tty: false,
    stdin: false,
    stdinOnce: false,
    readOnlyRootFilesystem: false,
    resources: {},
    labels: {},
    annotations: {},
    logPath: join(dataDir, 'logs', `${name}.log`),
  });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'skiff-host-e2e-'));
    await mkdir(join(dataDir, 'logs'));
    image = await buildTestImage();
    await exportTestImage(image, 'oci-archive', join(dataDir, 'image.tar'), 'test/busybox:1');
    runtime = new HostRuntime({ dataDir });
    const [imported] = await (await runtime.images()).importArchive(join(dataDir, 'image.tar'));
    ref = imported!.repoTags[0]!;
  });

  after(async () => {
    await runtime?.close({ killAll: true }).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    await image?.remove();
  });

  test('a container runs from its image, its exit code and log come back, stop and exec work', async () => {
    const sb = await runtime.runPodSandbox(sandbox);
    assert.deepEqual(sb.ips, ['127.0.0.1']);
    const once = container('once', ['sh', '-c', 'echo $GREETING from $(pwd); exit 3']);
    const id = await runtime.createContainer(sb.id, once, sandbox);
    await runtime.startContainer(id);
    for (let i = 0; i < 200 && (await runtime.containerStatus(id))?.state !== 'exited'; i++) await sleep(25);
    const status = await runtime.containerStatus(id);
    assert.equal(status?.exitCode, 3);
    assert.match(await readFile(once.logPath, 'utf8'), / stdout F hi from \/.*rootfs\n/);
    const long = await runtime.createContainer(sb.id, container('long', ['sleep', '1000']), sandbox);
    await runtime.startContainer(long);
    assert.equal(await runtime.exec(long, { command: ['sh', '-c', 'exit 4'], tty: false }), 4);
    await runtime.stopContainer(long, 1);
    assert.equal((await runtime.containerStatus(long))?.state, 'exited');
    await new HostRuntime({ dataDir }).removePodSandbox(sb.id);
    assert.deepEqual(await runtime.listContainers(), []);
  });
});
