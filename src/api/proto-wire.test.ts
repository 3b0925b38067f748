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

  it('writes negative varints as ten bytes of two\'s complement', () => {
    assert.deepEqual([...new ProtoWriter().varint(1, -1).finish()], [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    assert.deepEqual([...new ProtoWriter().varint(1, 300n).finish()], [0x08, 0xac, 0x02]);
  });

  it('writes strings only when non-empty, repeated strings always, and fixed-width fields', () => {
    const bytes = new ProtoWriter().string(1, '').string(2, undefined).string(3, 'a').strings(4, ['', 'b']).strings(5, undefined).fixed32(6, 1).fixed64(7, 2n).finish();
    assert.deepEqual([...bytes], [0x1a, 0x01, 0x61, 0x22, 0x00, 0x22, 0x01, 0x62, 0x35, 1, 0, 0, 0, 0x39, 2, 0, 0, 0, 0, 0, 0, 0]);
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
  it('reads int32, int64 and bool varints, negative ones included', () => {
    const r = new ProtoReader(new ProtoWriter().varint(1, 300).varint(2, -1).varint(3, -2).varint(4, 2 ** 40 + 5).varint(5, 1).finish());
    assert.ok(r.next());
    assert.equal(r.int32(), 300);
    assert.ok(r.next());
    assert.equal(r.int32(), -1);
    assert.ok(r.next());
    assert.equal(r.int64(), -2);
    assert.ok(r.next());
    assert.equal(r.int64(), 2 ** 40 + 5);
    assert.ok(r.next());
    assert.equal(r.bool(), true);
    assert.equal(r.more(), false);
  });

  it('reads keys, strings and length-delimited bytes', () => {
    const r = new ProtoReader(new ProtoWriter().bytes(1, 'héllo').bytes(15, Buffer.from([0, 255])).finish());
    assert.ok(r.next());
    assert.deepEqual({ field: r.field, wire: r.wire }, { field: 1, wire: 2 });
    assert.equal(r.string(), 'héllo');
    assert.ok(r.next());
    assert.deepEqual({ field: r.field, wire: r.wire }, { field: 15, wire: 2 });
    assert.deepEqual([...r.bytes()], [0, 255]);
  });

  it('reads a plain Uint8Array, not only a Buffer', () => {
    const r = new ProtoReader(Uint8Array.of(0xff, 0x0a, 0x02, 0x68, 0x69).subarray(1));
    assert.ok(r.next());
    assert.equal(r.string(), 'hi');
    assert.equal(r.next(), false);
  });

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

  it('skips fields of every wire type the writer writes', () => {
    const r = new ProtoReader(new ProtoWriter().varint(1, 7).fixed64(2, 9n).bytes(3, 'x').fixed32(4, 1).varint(5, 42).finish());
    for (let i = 0; i < 4; i++) {
      assert.ok(r.next());
      r.skip();
    }
    assert.ok(r.next());
    assert.deepEqual({ field: r.field, wire: r.wire }, { field: 5, wire: 0 });
    assert.equal(r.int32(), 42);
  });

  it('reads a double', () => {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(1.5);
    assert.equal(new ProtoReader(b).double(), 1.5);
  });

  it('rejects truncated input, bad keys and unknown wire types with ProtoWireError', () => {
    const afterKey = (bytes: number[]): ProtoReader => {
      const r = new ProtoReader(Buffer.from(bytes));
      assert.ok(r.next());
      return r;
    };
    assert.throws(() => afterKey([0x08, 0x80]).varint(), ProtoWireError);
    assert.throws(() => new ProtoReader(Buffer.from([0x80])).int32(), ProtoWireError);
    assert.throws(() => afterKey([0x0a, 0x05, 0x61]).string(), /runs past the end/);
    assert.throws(() => afterKey([0x0a, 0x05, 0x61]).bytes(), /runs past the end/);
    assert.throws(() => afterKey([0x0a, 0x05, 0x61]).skip(), ProtoWireError);
    assert.throws(() => afterKey([0x0e]).skip(), /unsupported wire type 6/);
    assert.throws(() => afterKey([0x0b]).skip(), /unsupported wire type 3/);
    assert.throws(() => new ProtoReader(Buffer.from([0x00])).next(), /invalid field key/);
    assert.throws(() => new ProtoReader(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x10, 0x00])).next(), /invalid field key/);
    assert.throws(() => new ProtoReader(Buffer.alloc(11, 0xff)).int64(), /longer than ten bytes/);
    assert.throws(() => new ProtoReader(Buffer.alloc(4)).double(), ProtoWireError);
  });
});
