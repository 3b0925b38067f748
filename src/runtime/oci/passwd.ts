import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Resolves an image's `User` (`name`, `uid`, `name:group`, `uid:gid`) against the rootfs's
 * /etc/passwd and /etc/group, as runc's user lookup does inside the container.
 */
export async function passwdLookup(rootfs: string): Promise<(user: string) => { uid: number; gid: number } | undefined> {
  const parse = async (file: string) =>
    (await readFile(join(rootfs, file), 'utf8').catch(() => ''))
      .split('\n')
      .map((l) => l.split(':'))
      .filter((f) => f.length >= 3);
  const passwd = await parse('etc/passwd');
  const group = await parse('etc/group');
  return (user: string) => {
    const [u, g] = user.split(':');
    const entry = passwd.find((f) => f[0] === u || f[2] === u);
    const uid = entry ? Number(entry[2]) : /^\d+$/.test(u) ? Number(u) : undefined;
    if (uid === undefined) return undefined;
    let gid = entry ? Number(entry[3]) : 0;
    if (g) {
      const ge = group.find((f) => f[0] === g || f[2] === g);
      if (ge) gid = Number(ge[2]);
      else if (/^\d+$/.test(g)) gid = Number(g);
    }
    return { uid, gid };
  };
}
