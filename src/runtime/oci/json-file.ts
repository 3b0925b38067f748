import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';

/** A temp file name beside `path`, its own for every write (two writes of one file may overlap). */
function tempName(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** Writes `value` as JSON to `path` atomically (temp file + rename); overlapping writes each land whole, the last rename wins. */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  const tmp = tempName(path);
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, path);
}

/** Synchronous `writeJsonFile`, for the shim's last words. */
export function writeJsonFileSync(path: string, value: unknown): void {
  const tmp = tempName(path);
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

/** The JSON in `path`, undefined when the file does not exist. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Synchronous `readJsonFile`. */
export function readJsonFileSync<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
