import type { ContainerConfig, SandboxConfig } from '../types.js';

/** The image config fields the spec needs (a subset of the OCI image config's `config`). */
export interface ImageProcessDefaults {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
}

/** Files a sandbox keeps for its containers' /etc. */
export interface SandboxEtcFiles {
  hosts: string;
  resolvConf: string;
  hostname: string;
}

/** Everything `buildOciSpec` turns into one container's config.json. */
export interface OciSpecInput {
  config: ContainerConfig;
  sandbox: SandboxConfig;
  image: ImageProcessDefaults;
  /** absolute path of the container's root filesystem */
  rootfs: string;
  /** named network namespace to join; absent: the host's network (hostNetwork) */
  netnsPath?: string;
  etc: SandboxEtcFiles;
  /** absolute cgroup path, `/skiff/pod<uid>/<container id>` */
  cgroupsPath: string;
  /** user and group from the image's `User` resolved against its /etc/passwd and /etc/group */
  resolveUser?: (user: string) => { uid: number; gid: number } | undefined;
}

/** The default capabilities (containerd's default set). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** runc's default masked paths. */
export const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/sys/firmware',
  '/proc/scsi',
];

/** runc's default read-only paths. */
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The process args as CRI computes them: the container's command replaces the image's
 * Entrypoint (and then the image's Cmd is dropped); args replace the image's Cmd.
 */
export function processArgs(config: Pick<ContainerConfig, 'command' | 'args'>, image: ImageProcessDefaults): string[] {
  if (config.command.length) return [...config.command, ...config.args];
  return [...(image.Entrypoint ?? []), ...(config.args.length ? config.args : (image.Cmd ?? []))];
}

/** The image's Env overridden by the container's env (by name), PATH defaulted. */
export function processEnv(config: Pick<ContainerConfig, 'env'>, image: ImageProcessDefaults, hostname: string): string[] {
  const env = new Map<string, string>();
  for (const entry of image.Env ?? [DEFAULT_PATH]) {
    const eq = entry.indexOf('=');
    env.set(eq < 0 ? entry : entry.slice(0, eq), eq < 0 ? '' : entry.slice(eq + 1));
  }
  if (!env.has('PATH')) env.set('PATH', DEFAULT_PATH.slice(5));
  env.set('HOSTNAME', hostname);
  for (const { name, value } of config.env) env.set(name, value);
  return [...env].map(([k, v]) => `${k}=${v}`);
}

function processUser(input: OciSpecInput): { uid: number; gid: number; additionalGids?: number[] } {
  const { config, image } = input;
  let uid = 0;
  let gid = 0;
  if (image.User) {
    const [u, g] = image.User.split(':');
    const resolved = input.resolveUser?.(image.User);
    if (resolved) ({ uid, gid } = resolved);
    else {
      if (/^\d+$/.test(u)) uid = Number(u);
      if (g && /^\d+$/.test(g)) gid = Number(g);
    }
  }
  if (config.runAsUser !== undefined) {
    uid = config.runAsUser;
    if (config.runAsGroup === undefined) gid = input.resolveUser?.(String(uid))?.gid ?? 0;
  }
  if (config.runAsGroup !== undefined) gid = config.runAsGroup;
  return { uid, gid };
}

function resourcesOf(config: ContainerConfig): Record<string, unknown> {
  const r = config.resources;
  const cpu: Record<string, number> = {};
  if (r.cpuShares !== undefined) cpu.shares = r.cpuShares;
  if (r.cpuQuotaMicros !== undefined) {
    cpu.quota = r.cpuQuotaMicros;
    cpu.period = r.cpuPeriodMicros ?? 100_000;
  }
  const out: Record<string, unknown> = { devices: [{ allow: false, access: 'rwm' }, ...DEFAULT_DEVICE_RULES] };
  if (Object.keys(cpu).length) out.cpu = cpu;
  if (r.memoryLimitBytes !== undefined) out.memory = { limit: r.memoryLimitBytes, swap: r.memoryLimitBytes };
  return out;
}

const DEFAULT_DEVICE_RULES = [
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  { allow: true, type: 'c', major: 136, access: 'rwm' },
];

function mountsOf(input: OciSpecInput): Record<string, unknown>[] {
  const { config, etc } = input;
  const mounts: Record<string, unknown>[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
  ];
  const own = new Set(config.mounts.map((m) => m.containerPath));
  const etcFiles: [string, string][] = [
    ['/etc/hosts', etc.hosts],
    ['/etc/resolv.conf', etc.resolvConf],
    ['/etc/hostname', etc.hostname],
  ];
  for (const [destination, source] of etcFiles) {
    if (!own.has(destination)) mounts.push({ destination, type: 'bind', source, options: ['rbind', 'rprivate', config.readOnlyRootFilesystem ? 'ro' : 'rw'] });
  }
  for (const m of config.mounts) {
    mounts.push({ destination: m.containerPath, type: 'bind', source: m.hostPath, options: ['rbind', 'rprivate', m.readOnly ? 'ro' : 'rw'] });
  }
  return mounts;
}

/** The OCI runtime spec (config.json) of one container in a pod. */
export function buildOciSpec(input: OciSpecInput): Record<string, unknown> {
  const { config, sandbox } = input;
  const args = processArgs(config, input.image);
  const namespaces: Record<string, string>[] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (input.netnsPath) namespaces.push({ type: 'network', path: input.netnsPath });
  const capabilities = { bounding: DEFAULT_CAPABILITIES, effective: DEFAULT_CAPABILITIES, permitted: DEFAULT_CAPABILITIES };
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: config.tty,
      user: processUser(input),
      args,
      env: processEnv(config, input.image, sandbox.hostname),
      cwd: config.workingDir || input.image.WorkingDir || '/',
      capabilities,
      noNewPrivileges: false,
    },
    root: { path: input.rootfs, readonly: config.readOnlyRootFilesystem },
    hostname: sandbox.hostNetwork ? undefined : sandbox.hostname,
    mounts: mountsOf(input),
    annotations: { ...config.annotations },
    linux: {
      cgroupsPath: input.cgroupsPath,
      resources: resourcesOf(config),
      namespaces: sandbox.hostNetwork ? namespaces.filter((n) => n.type !== 'uts') : namespaces,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}
