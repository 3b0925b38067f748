/** Protobuf wire types (the low three bits of a field key). */
export const WireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** A malformed protobuf byte stream: truncated, an overlong varint, or an unknown wire type. */
export class ProtoFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoFormatError';
  }
}

/** A 64-bit varint as its two 32-bit halves (unsigned), so no precision is lost before the caller picks a type. */
export interface Varint64 {
  lo: number;
  hi: number;
}

/**
 * A cursor over protobuf wire-format bytes: field keys, varints, length-delimited slices and
 * fixed-width values. Every read checks bounds and throws ProtoFormatError past the end.
 */
export class ProtoReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  /** True while bytes remain. */
  more(): boolean {
    return this.pos < this.buf.length;
  }

  /** The next field key as its number and wire type. */
  key(): { field: number; wire: number } {
    const { lo, hi } = this.varint64();
    if (hi !== 0 || lo >>> 3 === 0) throw new ProtoFormatError(`invalid field key at byte ${this.pos}`);
    return { field: lo >>> 3, wire: lo & 7 };
  }

  /** A varint of up to ten bytes. */
  varint64(): Varint64 {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new ProtoFormatError('truncated varint');
      const b = this.buf[this.pos++];
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) return { lo: lo >>> 0, hi: hi >>> 0 };
    }
    throw new ProtoFormatError('varint longer than ten bytes');
  }

  /** A varint read as a (possibly negative) int32, as proto encodes negative int32s in ten bytes. */
  int32(): number {
    return this.varint64().lo | 0;
  }

  /** A varint read as a signed int64; values past 2^53 lose precision, as JSON numbers do. */
  int64(): number {
    const { lo, hi } = this.varint64();
    return (hi | 0) * 0x1_0000_0000 + lo;
  }

  /** A varint read as a bool. */
  bool(): boolean {
    const { lo, hi } = this.varint64();
    return lo !== 0 || hi !== 0;
  }

  /** A length-delimited slice (no copy). */
  bytes(): Uint8Array {
    const length = this.varint64();
    if (length.hi !== 0 || this.pos + length.lo > this.buf.length) {
      throw new ProtoFormatError(`length-delimited field of ${length.lo} bytes runs past the end of the message`);
    }
    const slice = this.buf.subarray(this.pos, this.pos + length.lo);
    this.pos += length.lo;
    return slice;
  }

  /** A length-delimited field read as UTF-8 text. */
  string(): string {
    return Buffer.from(this.bytes()).toString('utf8');
  }

  /** Eight bytes, little-endian IEEE 754 double. */
  double(): number {
    return this.fixed(8).readDoubleLE(0);
  }

  /** Skips one value of the given wire type (an unknown field). */
  skip(wire: number): void {
    switch (wire) {
      case WireType.varint:
        this.varint64();
        return;
      case WireType.fixed64:
        this.fixed(8);
        return;
      case WireType.bytes:
        this.bytes();
        return;
      case WireType.fixed32:
        this.fixed(4);
        return;
      default:
        throw new ProtoFormatError(`unsupported wire type ${wire}`);
    }
  }

  private fixed(size: number): Buffer {
    if (this.pos + size > this.buf.length) throw new ProtoFormatError(`truncated ${size * 8}-bit value`);
    const slice = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, size);
    this.pos += size;
    return slice;
  }
}
