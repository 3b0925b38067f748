/**
 * A tiny protobuf writer for tests: builds wire-format bytes field by field, so tests can state
 * exactly what a client would send.
 */
export type Part = Buffer;

/** A varint; negative numbers take ten bytes (two's complement), as int32/int64 do in proto. */
export function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    bytes.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return Buffer.from(bytes);
}

function key(field: number, wire: number): Buffer {
  return varint((field << 3) | wire);
}

/** A varint field (int32, int64, bool). */
export function int(field: number, value: number | bigint | boolean): Buffer {
  return Buffer.concat([key(field, 0), varint(typeof value === 'boolean' ? (value ? 1 : 0) : value)]);
}

/** A length-delimited field holding raw bytes. */
export function bytes(field: number, value: Uint8Array): Buffer {
  return Buffer.concat([key(field, 2), varint(value.length), value]);
}

/** A string field. */
export function str(field: number, value: string): Buffer {
  return bytes(field, Buffer.from(value, 'utf8'));
}

/** A message field made of the given parts. */
export function msg(field: number, ...parts: Buffer[]): Buffer {
  return bytes(field, Buffer.concat(parts));
}

/** A fixed 64-bit field. */
export function fixed64(field: number, value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  return Buffer.concat([key(field, 1), b]);
}

/** A fixed 32-bit field. */
export function fixed32(field: number, value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return Buffer.concat([key(field, 5), b]);
}

/** A map<string, …> entry field. */
export function entry(field: number, k: string, value: Buffer): Buffer {
  return msg(field, str(1, k), value);
}

/** A whole Kubernetes protobuf body: `k8s\0` + runtime.Unknown{typeMeta, raw}. */
export function kubernetesBody(apiVersion: string, kind: string, ...parts: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, str(1, apiVersion), str(2, kind)), bytes(2, Buffer.concat(parts))]);
}
