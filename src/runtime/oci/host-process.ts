import { access, mkdir, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { ContainerConfig } from '../types.js';
import type { HostProcess } from './containers.js';
import { processArgs, processEnv, type ImageProcessDefaults } from './oci-spec.js';

const exists = (path: string) => access(path).then(() => true, () => false);

/**
 * The plain process the `host` runtime runs for a container: the image's and the container's
 * command and env, the working directory inside the image's root filesystem, the image's PATH
 * folders mapped into that root filesystem ahead of the host's PATH, and an absolute program path
 * taken from the image when it has it. Mounts become symlinks inside the root filesystem where
 * nothing is in the way; absolute paths the process uses still refer to the host.
 */
export async function hostProcess(config: ContainerConfig, image: ImageProcessDefaults, rootfs: string, hostname: string): Promise<HostProcess> {
  const env: Record<string, string> = {};
  for (const entry of processEnv(config, image, hostname)) {
    const eq = entry.indexOf('=');
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const imagePath = (env.PATH ?? '').split(':').filter(Boolean).map((d) => join(rootfs, d));
  env.PATH = [...imagePath, ...(process.env.PATH ?? '/usr/bin:/bin').split(':')].join(':');
  const args = processArgs(config, image);
  if (!args.length) throw new Error('no command: neither the container nor the image names one');
  if (isAbsolute(args[0]) && (await exists(join(rootfs, args[0])))) args[0] = join(rootfs, args[0]);
  else if (!isAbsolute(args[0])) {
    for (const dir of imagePath) {
      if (await exists(join(dir, args[0]))) {
        args[0] = join(dir, args[0]);
        break;
      }
    }
  }
  for (const m of config.mounts) {
    const link = join(rootfs, m.containerPath);
    if (await exists(link)) continue;
    await mkdir(dirname(link), { recursive: true });
    await symlink(m.hostPath, link).catch(() => undefined);
  }
  const cwd = join(rootfs, config.workingDir || image.WorkingDir || '/');
  await mkdir(cwd, { recursive: true });
  return { args, env, cwd };
}
