import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytes, fixed32, fixed64, int, str, varint } from './testing/proto-writer.js';
import { ProtoFormatError, ProtoReader } from './proto-reader.js';

describe('ProtoReader', () => {
  it('reads int32, int64 and bool varints, negative ones included', () => {
    const r = new ProtoReader(Buffer.concat([varint(300), varint(-1), varint(-2), varint(2 ** 40 + 5), varint(1)]));
    assert.equal(r.int32(), 300);
    assert.equal(r.int32(), -1);
    assert.equal(r.int64(), -2);
    assert.equal(r.int64(), 2 ** 40 + 5);
    assert.equal(r.bool(), true);
    assert.equal(r.more(), false);
  });

  it('reads keys, strings and length-delimited bytes', () => {
    const r = new ProtoReader(Buffer.concat([str(1, 'héllo'), bytes(15, Buffer.from([0, 255]))]));
    assert.deepEqual(r.key(), { field: 1, wire: 2 });
    assert.equal(r.string(), 'héllo');
    assert.deepEqual(r.key(), { field: 15, wire: 2 });
    assert.deepEqual([...r.bytes()], [0, 255]);
  });

  it('skips fields of every wire type', () => {
    const r = new ProtoReader(Buffer.concat([int(1, 7), fixed64(2, 9n), str(3, 'x'), fixed32(4, 1), int(5, 42)]));
    for (let i = 0; i < 4; i++) r.skip(r.key().wire);
    assert.deepEqual(r.key(), { field: 5, wire: 0 });
    assert.equal(r.int32(), 42);
  });

  it('reads a double', () => {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(1.5);
    assert.equal(new ProtoReader(b).double(), 1.5);
  });

  it('throws ProtoFormatError on truncated input and bad wire types', () => {
    assert.throws(() => new ProtoReader(Buffer.from([0x80])).int32(), ProtoFormatError);
    assert.throws(() => new ProtoReader(Buffer.from([0x0a, 0x05, 0x61])).skip(new ProtoReader(Buffer.from([0x0a])).key().wire), ProtoFormatError);
    const r = new ProtoReader(Buffer.from([0x0a, 0x05, 0x61]));
    r.key();
    assert.throws(() => r.bytes(), /runs past the end/);
    assert.throws(() => new ProtoReader(Buffer.from([0x0b])).skip(3), /unsupported wire type 3/);
    assert.throws(() => new ProtoReader(Buffer.alloc(11, 0xff)).int64(), /longer than ten bytes/);
  });
});
