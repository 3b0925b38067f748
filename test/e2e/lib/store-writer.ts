/**
 * Child process for the crash test: opens the sqlite store at argv[2] and creates keys
 * `/crash/<n>` with many writes in flight, printing `<key> <value>` on stdout for each write
 * once the store acknowledged it, until killed (or argv[3] keys are written). Without arguments
 * it does nothing: `node --test dist/test` also runs every file under test/ as a test.
 */
import { SqliteStore } from '../../../src/store/index.js';

const inFlight = 64;

async function main(path: string, limit: number): Promise<void> {
  let store: SqliteStore;
  try {
    store = await SqliteStore.open(path, { compactInterval: 0 });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(3);
  }
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < limit) {
      const n = next++;
      const key = `/crash/${String(n).padStart(8, '0')}`;
      const value = `value-${n}-${'x'.repeat(n % 200)}`;
      await store.create(key, value);
      process.stdout.write(`${key} ${value}\n`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, writer));
  await store.close();
}

const [path, count] = process.argv.slice(2);
if (path) await main(path, Number(count ?? Infinity));
