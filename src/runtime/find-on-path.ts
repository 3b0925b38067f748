import { statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The absolute path of `name` on PATH (plus the sbin folders), undefined when absent. */
export function findOnPath(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      if (statSync(path).isFile()) return path;
    } catch {
      /* not here */
    }
  }
  return undefined;
}
