import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SqliteStore, StoreUnavailableError } from '../../src/store/index.js';

const writerScript = join(dirname(fileURLToPath(import.meta.url)), 'lib', 'store-writer.js');

describe('sqlite store durability', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-crash-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged write when the writer is SIGKILLed mid-stream', { timeout: 120_000 }, async () => {
    const path = join(dir, 'crash.db');
    const child = spawn(process.execPath, [writerScript, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<string, string>();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        let buffered = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) {
            const space = line.indexOf(' ');
            acked.set(line.slice(0, space), line.slice(space + 1));
          }
          if (acked.size >= 3000) {
            child.kill('SIGKILL');
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`writer exited early (code ${code}): ${stderr}`)));
      });
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));

    const store = await SqliteStore.open(path, { compactInterval: 0 });
    try {
      const missing: [string, string][] = [];
      for (const [key, value] of acked) {
        const kv = await store.get(key);
        if (kv?.value !== value) missing.push([key, value]);
      }
      assert.deepEqual(missing, [], `${missing.length} of ${acked.size} acknowledged writes lost`);
      const count = await store.count('/crash/');
      assert.ok(count >= acked.size);
      const revision = await store.currentRevision();
      const next = await store.create('/after-crash', 'ok');
      assert.equal(next.modRevision, revision + 1);
    } finally {
      await store.close();
    }
  });

  it('refuses a second process on the same file while the first has it open', { timeout: 60_000 }, async () => {
    const path = join(dir, 'locked.db');
    const store = await SqliteStore.open(path, { compactInterval: 0 });
    try {
      await store.create('/held', 'yes');
      const child = spawn(process.execPath, [writerScript, path, '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 3);
      assert.match(stderr, /in use by another process/);
      assert.equal(await store.count('/crash/'), 0);
      await assert.rejects(SqliteStore.open(path, { compactInterval: 0, busyTimeoutMs: 10 }), StoreUnavailableError);
    } finally {
      await store.close();
    }
    const reopened = await SqliteStore.open(path, { compactInterval: 0 });
    try {
      assert.equal((await reopened.get('/held'))?.value, 'yes');
    } finally {
      await reopened.close();
    }
  });
});
