import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CriLogWriter, MAX_LOG_LINE, parseCriRecord, rfc3339Nano } from './cri-log-writer.js';

describe('CriLogWriter', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-cri-log-'));
  after(() => rm(dir, { recursive: true, force: true }));
  let n = 0;
  const writeLog = (fn: (w: CriLogWriter) => void): string[] => {
    const path = join(dir, `${n++}.log`);
    const fd = openSync(path, 'a');
    fn(new CriLogWriter(fd, () => 1_700_000_000_123_456_789n));
    closeSync(fd);
    return readFileSync(path, 'utf8').split('\n').slice(0, -1);
  };

  test('one F record per line, with stream and an RFC3339Nano time', () => {
    const lines = writeLog((w) => {
      w.write('stdout', Buffer.from('hello\nwor'));
      w.write('stderr', Buffer.from('oops\n'));
      w.write('stdout', Buffer.from('ld\n'));
    });
    assert.deepEqual(lines, ['2023-11-14T22:13:20.123456789Z stdout F hello', '2023-11-14T22:13:20.123456789Z stderr F oops', '2023-11-14T22:13:20.123456789Z stdout F world']);
  });

  test('an unterminated last line is written as F when the stream ends; empty lines stay', () => {
    const lines = writeLog((w) => {
      w.write('stdout', Buffer.from('a\n\nno newline'));
      w.end('stdout');
      w.end('stderr');
    });
    assert.deepEqual(lines.map((l) => parseCriRecord(l)?.content), ['a', '', 'no newline']);
    assert.ok(lines.every((l) => parseCriRecord(l)?.full));
  });

  test('lines longer than 16 KiB become P records followed by an F record', () => {
    const long = 'x'.repeat(MAX_LOG_LINE * 2 + 10);
    const lines = writeLog((w) => w.write('stdout', Buffer.from(`${long}\n`)));
    const records = lines.map((l) => parseCriRecord(l)!);
    assert.deepEqual(records.map((r) => r.full), [false, false, true]);
    assert.equal(records.map((r) => r.content).join(''), long);
  });

  test('rfc3339Nano keeps nine fraction digits', () => {
    assert.equal(rfc3339Nano(5n), '1970-01-01T00:00:00.000000005Z');
  });
});
