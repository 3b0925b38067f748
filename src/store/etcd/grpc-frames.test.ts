import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GrpcDeframer, GrpcError, decodeGrpcMessage, grpcCodeForHttpStatus } from './grpc-frames.js';

function frame(payload: string): Buffer {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

describe('GrpcDeframer', () => {
  it('splits several messages in one chunk, including empty ones', () => {
    const seen: string[] = [];
    const d = new GrpcDeframer((m) => seen.push(m.toString()));
    d.push(Buffer.concat([frame('one'), frame(''), frame('three')]));
    assert.deepEqual(seen, ['one', '', 'three']);
    assert.equal(d.partial(), false);
  });

  it('joins a message split at every byte boundary', () => {
    const all = Buffer.concat([frame('hello'), frame('x'.repeat(300))]);
    for (let cut = 1; cut < all.length; cut++) {
      const seen: string[] = [];
      const d = new GrpcDeframer((m) => seen.push(m.toString()));
      d.push(all.subarray(0, cut));
      d.push(all.subarray(cut));
      assert.deepEqual(seen, ['hello', 'x'.repeat(300)], `cut at ${cut}`);
      assert.equal(d.partial(), false);
    }
  });

  it('joins a large message that arrives one byte at a time', () => {
    const all = frame('y'.repeat(2000));
    const seen: string[] = [];
    const d = new GrpcDeframer((m) => seen.push(m.toString()));
    for (let i = 0; i < all.length; i++) {
      d.push(all.subarray(i, i + 1));
      assert.equal(d.partial(), i < all.length - 1);
    }
    assert.deepEqual(seen, ['y'.repeat(2000)]);
  });

  it('rejects a compressed message', () => {
    const compressed = frame('z');
    compressed[0] = 1;
    assert.throws(() => new GrpcDeframer(() => undefined).push(compressed), GrpcError);
  });
});

describe('gRPC status helpers', () => {
  it('decodes percent-encoded grpc-message and maps HTTP statuses', () => {
    assert.equal(decodeGrpcMessage('etcdserver%3A%20mvcc%3A%20required%20revision%20has%20been%20compacted'), 'etcdserver: mvcc: required revision has been compacted');
    assert.equal(decodeGrpcMessage('100%'), '100%');
    assert.equal(decodeGrpcMessage(undefined), '');
    assert.equal(grpcCodeForHttpStatus(503), 14);
    assert.equal(grpcCodeForHttpStatus(404), 12);
    assert.equal(grpcCodeForHttpStatus(500), 2);
  });
});
