import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatLogTime, parseCriLogLine, readCriLog, type LogOptions } from './cri-log.js';

const lines = [
  '2026-01-01T00:00:01.000000000Z stdout F first',
  '2026-01-01T00:00:02.500000000Z stderr F second',
  '2026-01-01T00:00:03.123456789Z stdout P par',
  '2026-01-01T00:00:03.200000000Z stdout F tial',
  'garbage line',
  '2026-01-01T00:00:04.000000000Z stdout F ',
];

async function read(path: string, options: LogOptions = {}): Promise<string> {
  let out = '';
  for await (const chunk of readCriLog(path, options)) out += chunk.toString('utf8');
  return out;
}

describe('CRI log files', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-cri-log-'));
    file = join(dir, '0.log');
    await writeFile(file, lines.join('\n') + '\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('parses records and rejects malformed lines', () => {
    const r = parseCriLogLine(Buffer.from('2026-01-01T00:00:01Z stderr P a b '));
    assert.deepEqual({ ...r, content: r?.content.toString() }, { time: '2026-01-01T00:00:01Z', stream: 'stderr', partial: true, content: 'a b ' });
    assert.equal(parseCriLogLine(Buffer.from('2026 stdin F x')), undefined);
    assert.equal(parseCriLogLine(Buffer.from('nothing')), undefined);
  });

  test('prints content without the prefix, joining partial records', async () => {
    assert.equal(await read(file), 'first\nsecond\npartial\n\n');
  });

  test('timestamps as Go prints RFC3339Nano', async () => {
    assert.equal(formatLogTime('2026-01-01T00:00:01.000000000Z'), '2026-01-01T00:00:01Z');
    assert.equal(formatLogTime('2026-01-01T00:00:02.500000000Z'), '2026-01-01T00:00:02.5Z');
    assert.equal(formatLogTime('2026-01-01T00:00:03.250000000+00:00'), '2026-01-01T00:00:03.25Z', 'conmon (CRI-O) writes an offset; shown in UTC');
    assert.equal(formatLogTime('2026-01-01T02:00:04.123456789+02:00'), '2026-01-01T00:00:04.123456789Z');
    assert.equal((await read(file, { timestamps: true })).split('\n')[1], '2026-01-01T00:00:02.5Z second');
  });

  test('tailLines counts file lines from the end', async () => {
    assert.equal(await read(file, { tailLines: 2 }), '\n');
    assert.equal(await read(file, { tailLines: 3 }), 'tial\n\n');
    assert.equal(await read(file, { tailLines: 0 }), '');
    assert.equal(await read(file, { tailLines: 100 }), 'first\nsecond\npartial\n\n');
  });

  test('since and limitBytes', async () => {
    assert.equal(await read(file, { sinceMs: Date.parse('2026-01-01T00:00:02Z') }), 'second\npartial\n\n');
    assert.equal(await read(file, { limitBytes: 8 }), 'first\nse');
  });

  test('a missing file is an empty log', async () => {
    assert.equal(await read(join(dir, 'none.log')), '');
  });

  test('follow reads what is appended until the container stops', async () => {
    const live = join(dir, 'live.log');
    await writeFile(live, '2026-01-01T00:00:01Z stdout F one\n');
    let running = true;
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of readCriLog(live, { follow: true, isRunning: async () => running, pollMs: 5 })) {
        seen.push(chunk.toString());
        if (seen.join('') === 'one\n') {
          await appendFile(live, '2026-01-01T00:00:02Z stdout F two\n');
          running = false;
        }
      }
    })();
    await reading;
    assert.equal(seen.join(''), 'one\ntwo\n');
  });

  test('follow stops when the caller goes away', async () => {
    const controller = new AbortController();
    const reading = read(file, { follow: true, isRunning: async () => true, signal: controller.signal, pollMs: 5 });
    setTimeout(() => controller.abort(), 20);
    assert.equal(await reading, 'first\nsecond\npartial\n\n');
  });
});
