import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContainerConfig, SandboxConfig } from '../types.js';
import { buildOciSpec, DEFAULT_CAPABILITIES, processArgs, processEnv } from './oci-spec.js';

const sandbox: SandboxConfig = {
  podUid: 'uid-1',
  name: 'web',
  namespace: 'default',
  attempt: 0,
  hostname: 'web',
  hostNetwork: false,
  portMappings: [],
  dns: { servers: [], searches: [], options: [] },
  hostAliases: [],
  labels: {},
  cgroupParent: '/skiff/poduid-1',
};

const container = (over: Partial<ContainerConfig> = {}): ContainerConfig => ({
  name: 'c',
  attempt: 0,
  image: 'busybox',
  command: [],
  args: [],
  env: [],
  mounts: [],
  tty: false,
  stdin: false,
  stdinOnce: false,
  readOnlyRootFilesystem: false,
  resources: {},
  labels: {},
  annotations: {},
  logPath: '/logs/c.log',
  ...over,
});

type Spec = {
  process: { args: string[]; env: string[]; cwd: string; terminal: boolean; user: { uid: number; gid: number }; capabilities: { bounding: string[] } };
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: { destination: string; source: string; type: string; options: string[] }[];
  linux: { cgroupsPath: string; namespaces: { type: string; path?: string }[]; resources: { memory?: { limit: number }; cpu?: { shares?: number; quota?: number; period?: number } }; maskedPaths: string[] };
};

const spec = (config: ContainerConfig, over: Partial<Parameters<typeof buildOciSpec>[0]> = {}) =>
  buildOciSpec({
    config,
    sandbox,
    image: { Entrypoint: ['/entry'], Cmd: ['default'], Env: ['PATH=/bin', 'A=image'], WorkingDir: '/work' },
    rootfs: '/data/containers/x/rootfs',
    netnsPath: '/var/run/netns/skiff-x',
    etc: { hosts: '/sb/hosts', resolvConf: '/sb/resolv.conf', hostname: '/sb/hostname' },
    cgroupsPath: '/skiff/poduid-1/x',
    ...over,
  }) as unknown as Spec;

describe('OCI spec', () => {
  test('command and args follow the CRI rules against the image', () => {
    const image = { Entrypoint: ['/entry'], Cmd: ['default'] };
    assert.deepEqual(processArgs({ command: [], args: [] }, image), ['/entry', 'default']);
    assert.deepEqual(processArgs({ command: [], args: ['x'] }, image), ['/entry', 'x']);
    assert.deepEqual(processArgs({ command: ['sh'], args: [] }, image), ['sh']);
    assert.deepEqual(processArgs({ command: ['sh'], args: ['-c', 'true'] }, image), ['sh', '-c', 'true']);
  });

  test('the container env overrides the image env; HOSTNAME is the pod hostname', () => {
    const env = processEnv({ env: [{ name: 'A', value: 'pod' }, { name: 'B', value: '1' }] }, { Env: ['PATH=/bin', 'A=image'] }, 'web');
    assert.deepEqual(env, ['PATH=/bin', 'A=pod', 'HOSTNAME=web', 'B=1']);
  });

  test('process, root, hostname, namespaces and the absolute cgroup path', () => {
    const s = spec(container({ command: ['sleep'], args: ['1'], readOnlyRootFilesystem: true }));
    assert.deepEqual(s.process.args, ['sleep', '1']);
    assert.equal(s.process.terminal, false);
    assert.equal(s.process.cwd, '/work');
    assert.deepEqual(s.root, { path: '/data/containers/x/rootfs', readonly: true });
    assert.equal(s.hostname, 'web');
    assert.equal(s.linux.cgroupsPath, '/skiff/poduid-1/x');
    assert.deepEqual(s.linux.namespaces, [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network', path: '/var/run/netns/skiff-x' }]);
    assert.deepEqual(s.process.capabilities.bounding, DEFAULT_CAPABILITIES);
    assert.ok(s.linux.maskedPaths.includes('/proc/kcore'));
  });

  test('hostNetwork pods keep the host network and UTS namespaces', () => {
    const s = spec(container(), { sandbox: { ...sandbox, hostNetwork: true }, netnsPath: undefined });
    assert.deepEqual(s.linux.namespaces.map((n) => n.type), ['pid', 'ipc', 'mount']);
    assert.equal(s.hostname, undefined);
  });

  test('memory and CPU limits', () => {
    const s = spec(container({ resources: { memoryLimitBytes: 64 << 20, cpuShares: 512, cpuQuotaMicros: 50_000, cpuPeriodMicros: 100_000 } }));
    assert.equal(s.linux.resources.memory?.limit, 64 << 20);
    assert.deepEqual(s.linux.resources.cpu, { shares: 512, quota: 50_000, period: 100_000 });
  });

  test('etc files and volumes are bind mounts, read-only when asked; a volume at /etc/hosts wins', () => {
    const s = spec(container({ mounts: [{ containerPath: '/data', hostPath: '/host/data', readOnly: true }, { containerPath: '/etc/hosts', hostPath: '/my/hosts', readOnly: false }] }));
    const byDest = new Map(s.mounts.map((m) => [m.destination, m]));
    assert.equal(byDest.get('/etc/resolv.conf')?.source, '/sb/resolv.conf');
    assert.equal(byDest.get('/etc/hostname')?.source, '/sb/hostname');
    assert.equal(byDest.get('/etc/hosts')?.source, '/my/hosts');
    assert.deepEqual(byDest.get('/data')?.options, ['rbind', 'rprivate', 'ro']);
    for (const d of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys']) assert.ok(byDest.has(d), d);
  });

  test('user: runAsUser/runAsGroup win over the image User, names resolve through the lookup', () => {
    const lookup = (u: string) => (u === 'app' || u === '1000' ? { uid: 1000, gid: 1000 } : undefined);
    assert.deepEqual(spec(container(), { image: { User: 'app' }, resolveUser: lookup }).process.user, { uid: 1000, gid: 1000 });
    assert.deepEqual(spec(container({ runAsUser: 1000 }), { resolveUser: lookup }).process.user, { uid: 1000, gid: 1000 });
    assert.deepEqual(spec(container({ runAsUser: 7, runAsGroup: 8 })).process.user, { uid: 7, gid: 8 });
    assert.deepEqual(spec(container({ tty: true })).process.terminal, true);
  });
});
