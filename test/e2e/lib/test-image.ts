import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BUSYBOX = process.env.BUSYBOX_BINARY ?? '/usr/bin/busybox';

/** An OCI image layout on disk holding the busybox test image. */
export interface TestImage {
  /** the OCI layout folder */
  layout: string;
  /** the tag inside the layout (`oci:<layout>:<tag>`) */
  tag: string;
  /** file in the top layer */
  motd: string;
  /** remove the layout; safe to call twice */
  remove: () => Promise<void>;
}

async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(cmd, args, { maxBuffer: 16 << 20 })).stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/**
 * Builds a two-layer busybox image with umoci from the busybox-static package: layer 1 has
 * /bin/busybox with a symlink per applet (sh, sleep, nc, httpd, cat, echo …), /etc/passwd,
 * /etc/group, /etc/issue and /tmp; layer 2 deletes /etc/issue (a whiteout) and adds /etc/motd.
 * The config runs `/bin/sh`, with PATH set.
 */
export async function buildTestImage(tag = '1'): Promise<TestImage> {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-test-image-'));
  const layout = join(dir, 'layout');
  const bundle = join(dir, 'bundle');
  const remove = () => rm(dir, { recursive: true, force: true });
  const motd = 'skiff test image\n';
  try {
    await sh('umoci', ['init', '--layout', layout]);
    await sh('umoci', ['new', '--image', `${layout}:${tag}`]);
    await sh('umoci', ['unpack', '--rootless', '--image', `${layout}:${tag}`, bundle]);
    const rootfs = join(bundle, 'rootfs');
    for (const d of ['bin', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev']) await mkdir(join(rootfs, d), { recursive: true });
    await copyFile(BUSYBOX, join(rootfs, 'bin/busybox'));
    const applets = (await sh(BUSYBOX, ['--list'])).split('\n').filter((a) => a && a !== 'busybox');
    for (const applet of applets) await symlink('busybox', join(rootfs, 'bin', applet));
    await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    await writeFile(join(rootfs, 'etc/issue'), 'removed by the second layer\n');
    await run('chmod', ['1777', join(rootfs, 'tmp')]);
    await sh('umoci', ['repack', '--image', `${layout}:${tag}`, bundle]);
    await rm(bundle, { recursive: true, force: true });
    await sh('umoci', ['unpack', '--rootless', '--image', `${layout}:${tag}`, bundle]);
    await unlink(join(rootfs, 'etc/issue'));
    await writeFile(join(rootfs, 'etc/motd'), motd);
    await sh('umoci', ['repack', '--image', `${layout}:${tag}`, bundle]);
    await sh('umoci', ['config', '--image', `${layout}:${tag}`, '--config.cmd', '/bin/sh', '--config.env', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', '--config.workingdir', '/']);
    await rm(bundle, { recursive: true, force: true });
    return { layout, tag, motd, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** Options of `pushTestImage`. */
export interface PushOptions {
  /** `oci` (default) keeps OCI media types; `v2s2` converts to Docker schema 2 */
  format?: 'oci' | 'v2s2';
  credentials?: { username: string; password: string };
}

/** Pushes the layout's image to `docker://<registryHost>/<repository>` (e.g. `test/busybox:1`) over HTTP. */
export async function pushTestImage(image: TestImage, registryHost: string, repository: string, options: PushOptions = {}): Promise<void> {
  const args = ['copy', '--quiet', '--dest-tls-verify=false'];
  if (options.format === 'v2s2') args.push('--format', 'v2s2');
  if (options.credentials) args.push('--dest-creds', `${options.credentials.username}:${options.credentials.password}`);
  await sh('skopeo', [...args, `oci:${image.layout}:${image.tag}`, `docker://${registryHost}/${repository}`]);
}

/** Writes the image as a `docker save` archive (`docker-archive`) or an OCI archive, named `name`. */
export async function exportTestImage(image: TestImage, kind: 'docker-archive' | 'oci-archive', file: string, name: string): Promise<void> {
  await sh('skopeo', ['copy', '--quiet', `oci:${image.layout}:${image.tag}`, `${kind}:${file}:${name}`]);
}

/** The sha256 manifest digest the registry serves for `repository:tag`. */
export async function registryManifestDigest(registryHost: string, repository: string, credentials?: { username: string; password: string }): Promise<string> {
  const args = ['inspect', '--tls-verify=false', '--format', '{{.Digest}}'];
  if (credentials) args.push('--creds', `${credentials.username}:${credentials.password}`);
  return (await sh('skopeo', [...args, `docker://${registryHost}/${repository}`])).trim();
}
