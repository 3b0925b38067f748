/** Protobuf wire types (the low three bits of a field key). */
export const WireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** Bytes that are not valid protobuf: truncated, an overlong varint, a bad key or an unknown wire type. */
export class ProtoWireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoWireError';
  }
}

const GRPC_PREFIX = 5;
const TWO_32 = 0x1_0000_0000;

/**
 * Writes one protobuf message into a growing buffer that starts with room for the 5-byte gRPC
 * message prefix, so `grpcFrame()` hands the bytes to HTTP/2 without another copy. Nested
 * messages are written in place between `begin()` and `end()`.
 */
export class ProtoWriter {
  private buf: Buffer;
  private pos = GRPC_PREFIX;
  private readonly open: number[] = [];

  constructor(sizeHint = 256) {
    this.buf = Buffer.allocUnsafe(sizeHint + GRPC_PREFIX);
  }

  /**
   * A varint field (int64/uint64/int32/bool/enum), written even when zero. Integers up to 2^53;
   * negative ones (and bigints) as proto's ten-byte 64-bit two's complement.
   */
  varint(field: number, value: number | bigint): this {
    this.tag(field, WireType.varint);
    if (typeof value === 'number' && value >= 0) this.rawVarint(value);
    else this.rawVarint64(BigInt.asUintN(64, BigInt(value)));
    return this;
  }

  /** A bool field, written only when true (proto3 default). */
  bool(field: number, value: boolean | undefined): this {
    if (value) this.varint(field, 1);
    return this;
  }

  /** A varint field, written only when non-zero (proto3 default). */
  int(field: number, value: number | undefined): this {
    if (value) this.varint(field, value);
    return this;
  }

  /** A string field, written only when non-empty (proto3 default). */
  string(field: number, value: string | undefined): this {
    if (value) this.bytes(field, value);
    return this;
  }

  /** A repeated string field: every value, empty ones included. */
  strings(field: number, values: readonly string[] | undefined): this {
    for (const value of values ?? []) this.bytes(field, value);
    return this;
  }

  /** A bytes or string field (strings as UTF-8), written even when empty. */
  bytes(field: number, value: string | Uint8Array): this {
    this.tag(field, WireType.bytes);
    if (typeof value === 'string') {
      if (this.buf.length - this.pos < 10 + value.length * 3) this.ensure(10 + Buffer.byteLength(value));
      const start = this.pos + 1;
      const written = this.buf.write(value, start, 'utf8');
      if (written < 0x80) {
        this.buf[this.pos] = written;
        this.pos = start + written;
      } else {
        const lengthBytes = varintSize(written);
        this.buf.copyWithin(this.pos + lengthBytes, start, start + written);
        this.rawVarint(written);
        this.pos += written;
      }
    } else {
      this.rawVarint(value.length);
      this.ensure(value.length);
      this.buf.set(value, this.pos);
      this.pos += value.length;
    }
    return this;
  }

  /** A fixed32 field (unsigned, little-endian). */
  fixed32(field: number, value: number): this {
    this.tag(field, WireType.fixed32);
    this.ensure(4);
    this.pos = this.buf.writeUInt32LE(value, this.pos);
    return this;
  }

  /** A fixed64 field (unsigned, little-endian). */
  fixed64(field: number, value: bigint): this {
    this.tag(field, WireType.fixed64);
    this.ensure(8);
    this.pos = this.buf.writeBigUInt64LE(value, this.pos);
    return this;
  }

  /** Start a nested message field; close it with `end()`. */
  begin(field: number): this {
    this.tag(field, WireType.bytes);
    this.ensure(1);
    this.open.push(this.pos);
    this.pos += 1;
    return this;
  }

  /** Close the innermost nested message opened by `begin()`. */
  end(): this {
    const lengthAt = this.open.pop();
    if (lengthAt === undefined) throw new ProtoWireError('end() without begin()');
    const length = this.pos - lengthAt - 1;
    if (length < 0x80) {
      this.buf[lengthAt] = length;
      return this;
    }
    const extra = varintSize(length) - 1;
    this.ensure(extra);
    this.buf.copyWithin(lengthAt + 1 + extra, lengthAt + 1, this.pos);
    const end = this.pos + extra;
    this.pos = lengthAt;
    this.rawVarint(length);
    this.pos = end;
    return this;
  }

  /** The message alone (a view of the writer's buffer). */
  finish(): Buffer {
    return this.buf.subarray(GRPC_PREFIX, this.pos);
  }

  /** The message with its gRPC length prefix (uncompressed). */
  grpcFrame(): Buffer {
    if (this.open.length) throw new ProtoWireError('grpcFrame() with an unclosed nested message');
    this.buf[0] = 0;
    this.buf.writeUInt32BE(this.pos - GRPC_PREFIX, 1);
    return this.buf.subarray(0, this.pos);
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  private rawVarint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  private rawVarint64(value: bigint): void {
    this.ensure(10);
    let v = value;
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}

function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) size++;
  return size;
}

/**
 * A cursor over one protobuf message: `next()` reads a field key, then the caller reads the
 * value with the method for its type or `skip()`s it. Every read is bounds-checked and throws
 * ProtoWireError past the end.
 */
export class ProtoReader {
  /** field number of the key last read by `next()` */
  field = 0;
  /** wire type of the key last read by `next()` */
  wire = 0;
  private readonly buf: Buffer;
  private pos: number;

  constructor(bytes: Uint8Array, start = 0, private readonly limit = bytes.length) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  /** True while bytes remain (the values of a packed repeated field have no keys). */
  more(): boolean {
    return this.pos < this.limit;
  }

  /** Read the next field key; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.limit) return false;
    const key = this.varint();
    this.field = Math.floor(key / 8);
    this.wire = key % 8;
    if (this.field === 0 || key >= TWO_32) throw new ProtoWireError(`invalid field key at byte ${this.pos}`);
    return true;
  }

  /** A varint as an unsigned number (past 2^53 precision is lost; for sizes, revisions, counts). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.limit) throw new ProtoWireError('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
    throw new ProtoWireError('varint longer than ten bytes');
  }

  /** A varint read as a (possibly negative) int32, as proto encodes negative int32s in ten bytes. */
  int32(): number {
    return this.varint64()[0] | 0;
  }

  /** A varint read as a signed int64; values past 2^53 lose precision, as JSON numbers do. */
  int64(): number {
    const [lo, hi] = this.varint64();
    return (hi | 0) * TWO_32 + lo;
  }

  /** A bool field's value. */
  bool(): boolean {
    return this.varint() !== 0;
  }

  /** A fixed64 field read as a little-endian IEEE 754 double. */
  double(): number {
    const at = this.advance(8);
    return this.buf.readDoubleLE(at);
  }

  /** A length-delimited field as a reader over its bytes (a nested message). */
  message(): ProtoReader {
    const end = this.delimited();
    const reader = new ProtoReader(this.buf, this.pos, end);
    this.pos = end;
    return reader;
  }

  /** A length-delimited field as UTF-8 text. */
  string(): string {
    const end = this.delimited();
    const text = this.buf.toString('utf8', this.pos, end);
    this.pos = end;
    return text;
  }

  /** A length-delimited field as bytes (a view, not a copy). */
  bytes(): Buffer {
    const end = this.delimited();
    const view = this.buf.subarray(this.pos, end);
    this.pos = end;
    return view;
  }

  /** Skip the value of the field whose key was just read. */
  skip(): void {
    switch (this.wire) {
      case WireType.varint:
        this.varint();
        return;
      case WireType.fixed64:
        this.advance(8);
        return;
      case WireType.bytes:
        this.pos = this.delimited();
        return;
      case WireType.fixed32:
        this.advance(4);
        return;
      default:
        throw new ProtoWireError(`unsupported wire type ${this.wire} for field ${this.field}`);
    }
  }

  /** A varint of up to ten bytes as its unsigned low and high 32-bit halves. */
  private varint64(): [lo: number, hi: number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.limit) throw new ProtoWireError('truncated varint');
      const b = this.buf[this.pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw new ProtoWireError('varint longer than ten bytes');
  }

  private delimited(): number {
    const length = this.varint();
    const end = this.pos + length;
    if (end > this.limit) throw new ProtoWireError(`field ${this.field} of ${length} bytes runs past the end of the message`);
    return end;
  }

  private advance(n: number): number {
    const at = this.pos;
    if (at + n > this.limit) throw new ProtoWireError(`field ${this.field} runs past the end of the message`);
    this.pos += n;
    return at;
  }
}
