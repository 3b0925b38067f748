import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtoReader, ProtoWireError, ProtoWriter } from './proto-wire.js';

describe('ProtoWriter', () => {
  it('writes varints, bools and bytes in wire format', () => {
    const bytes = new ProtoWriter(4).varint(1, 150).bool(2, true).bool(3, false).int(4, 0).bytes(5, 'hi').bytes(6, Uint8Array.of(0, 255)).finish();
    assert.deepEqual([...bytes], [0x08, 0x96, 0x01, 0x10, 0x01, 0x2a, 0x02, 0x68, 0x69, 0x32, 0x02, 0x00, 0xff]);
  });

  it('writes an explicit zero with varint() and revisions past 2^32', () => {
    const r = new ProtoReader(new ProtoWriter().varint(5, 0).varint(6, 2 ** 40 + 7).finish());
    assert.ok(r.next());
    assert.equal(r.field, 5);
    assert.equal(r.varint(), 0);
    assert.ok(r.next());
    assert.equal(r.varint(), 2 ** 40 + 7);
    assert.equal(r.next(), false);
  });

  it('round-trips strings and nested messages of every length-prefix size', () => {
    for (const length of [0, 1, 127, 128, 300, 16383, 16384, 70000]) {
      const text = 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2);
      const w = new ProtoWriter(8).begin(1).bytes(2, text).begin(3).varint(4, length).end().end().varint(9, 1);
      const r = new ProtoReader(w.finish());
      assert.ok(r.next());
      assert.equal(r.field, 1);
      const inner = r.message();
      assert.ok(inner.next());
      assert.equal(inner.string(), text);
      assert.ok(inner.next());
      const deeper = inner.message();
      assert.ok(deeper.next());
      assert.equal(deeper.varint(), length);
      assert.equal(inner.next(), false);
      assert.ok(r.next());
      assert.equal(r.field, 9);
    }
  });

  it('frames a message with the gRPC prefix', () => {
    const frame = new ProtoWriter(1).bytes(1, 'abc').grpcFrame();
    assert.deepEqual([...frame], [0, 0, 0, 0, 5, 0x0a, 0x03, 0x61, 0x62, 0x63]);
  });

  it('refuses to frame an unclosed nested message', () => {
    assert.throws(() => new ProtoWriter().begin(1).grpcFrame(), ProtoWireError);
  });
});

describe('ProtoReader', () => {
  it('skips fields of every wire type', () => {
    const buf = Buffer.from([0x08, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1a, 0x01, 0x00, 0x25, 1, 2, 3, 4, 0x28, 0x07]);
    const r = new ProtoReader(buf);
    const seen: number[] = [];
    while (r.next()) {
      if (r.field === 5) seen.push(r.varint());
      else r.skip();
    }
    assert.deepEqual(seen, [7]);
  });

  it('rejects truncated input and unknown wire types', () => {
    const truncatedVarint = new ProtoReader(Buffer.from([0x08, 0x80]));
    truncatedVarint.next();
    assert.throws(() => truncatedVarint.varint(), ProtoWireError);
    const longBytes = new ProtoReader(Buffer.from([0x0a, 0x05, 0x61]));
    longBytes.next();
    assert.throws(() => longBytes.string(), /runs past the end/);
    const badWire = new ProtoReader(Buffer.from([0x0e]));
    badWire.next();
    assert.throws(() => badWire.skip(), /unsupported wire type 6/);
    assert.throws(() => new ProtoReader(Buffer.from([0x00])).next(), /invalid field key/);
  });
});
