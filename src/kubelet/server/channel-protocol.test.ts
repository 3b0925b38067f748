import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseChannelProtocol, exitStatus, frame, parseMessage } from './channel-protocol.js';

test('prefers v5, falls back to v4, refuses the rest', () => {
  assert.equal(chooseChannelProtocol('v4.channel.k8s.io, v5.channel.k8s.io'), 'v5.channel.k8s.io');
  assert.equal(chooseChannelProtocol(['channel.k8s.io', 'v4.channel.k8s.io']), 'v4.channel.k8s.io');
  assert.equal(chooseChannelProtocol('SPDY/3.1'), undefined);
  assert.equal(chooseChannelProtocol(undefined), undefined);
});

test('frames and parses messages', () => {
  assert.deepEqual([...frame(1, 'hi')], [1, 0x68, 0x69]);
  assert.deepEqual(parseMessage(Buffer.from([0, 0x61]), 'v5.channel.k8s.io'), { kind: 'data', channel: 0, payload: Buffer.from('a') });
  assert.deepEqual(parseMessage(Buffer.from([255, 0]), 'v5.channel.k8s.io'), { kind: 'close', channel: 0 });
  assert.equal(parseMessage(Buffer.from([255, 0]), 'v4.channel.k8s.io').kind, 'data');
  assert.deepEqual(parseMessage(frame(4, '{"Width":80,"Height":24}'), 'v4.channel.k8s.io'), { kind: 'resize', width: 80, height: 24 });
  assert.equal(parseMessage(frame(4, 'nope'), 'v5.channel.k8s.io').kind, 'invalid');
  assert.equal(parseMessage(Buffer.alloc(0), 'v5.channel.k8s.io').kind, 'invalid');
});

test('exit codes become a NonZeroExitCode Status kubectl exits with', () => {
  assert.deepEqual(exitStatus(0), { metadata: {}, status: 'Success' });
  const failed = exitStatus(3, ['sh', '-c', 'exit 3']) as { reason: string; details: { causes: { reason: string; message: string }[] } };
  assert.equal(failed.reason, 'NonZeroExitCode');
  assert.deepEqual(failed.details.causes, [{ reason: 'ExitCode', message: '3' }]);
});
