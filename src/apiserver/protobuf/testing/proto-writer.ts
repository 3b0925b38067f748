import { ProtoWriter } from '../../../api/index.js';

/*
 * Test parts built on the shared ProtoWriter: each helper returns one field's wire-format bytes,
 * so tests can state exactly what a client would send by concatenating them.
 */

/** A varint field (int32, int64, bool); negative numbers take ten bytes, as int32/int64 do in proto. */
export function int(field: number, value: number | bigint | boolean): Buffer {
  return new ProtoWriter(16).varint(field, typeof value === 'boolean' ? (value ? 1 : 0) : value).finish();
}

/** A length-delimited field holding raw bytes. */
export function bytes(field: number, value: Uint8Array): Buffer {
  return new ProtoWriter(value.length + 16).bytes(field, value).finish();
}

/** A string field (written even when empty). */
export function str(field: number, value: string): Buffer {
  return new ProtoWriter(value.length * 3 + 16).bytes(field, value).finish();
}

/** A message field made of the given parts. */
export function msg(field: number, ...parts: Buffer[]): Buffer {
  return bytes(field, Buffer.concat(parts));
}

/** A fixed 32-bit field. */
export function fixed32(field: number, value: number): Buffer {
  return new ProtoWriter(16).fixed32(field, value).finish();
}

/** A map<string, …> entry field. */
export function entry(field: number, k: string, value: Buffer): Buffer {
  return msg(field, str(1, k), value);
}

/** A whole Kubernetes protobuf body: `k8s\0` + runtime.Unknown{typeMeta, raw}. */
export function kubernetesBody(apiVersion: string, kind: string, ...parts: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, str(1, apiVersion), str(2, kind)), bytes(2, Buffer.concat(parts))]);
}
