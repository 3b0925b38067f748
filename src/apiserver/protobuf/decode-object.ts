import { ApiError, ProtoReader, ProtoWireError, WireType } from '../../api/index.js';
import { decodeMessage } from './decode-message.js';
import { kubernetesSchema, messageForKind } from './kinds.js';

/** The media type of Kubernetes protobuf bodies. */
export const protobufMediaType = 'application/vnd.kubernetes.protobuf';

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface Unknown {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
}

/**
 * Decodes a Kubernetes protobuf body (`k8s\0` then a runtime.Unknown envelope holding the typed
 * message) into the object the JSON encoding of the same value would give, with apiVersion and
 * kind set. A malformed body is a 400 BadRequest; a kind without a message table is a 415.
 */
export function decodeProtobufObject(body: Uint8Array): Record<string, unknown> {
  if (body.length < magic.length || !magic.equals(body.subarray(0, magic.length))) {
    throw new ApiError('BadRequest', 'the protobuf body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  let envelope: Unknown;
  try {
    envelope = readUnknown(body.subarray(magic.length));
  } catch (error) {
    throw badRequest(error, 'runtime.Unknown');
  }
  const { apiVersion, kind } = envelope;
  if (!kind) throw new ApiError('BadRequest', 'the protobuf body names no kind (runtime.Unknown typeMeta.kind is empty)');
  if (envelope.contentEncoding) {
    throw new ApiError('UnsupportedMediaType', `protobuf bodies with contentEncoding "${envelope.contentEncoding}" are not supported; send them unencoded or as application/json`);
  }
  const message = messageForKind(apiVersion, kind);
  if (!message) {
    throw new ApiError('UnsupportedMediaType', `this server cannot decode ${kind} (apiVersion "${apiVersion}") from protobuf; send it as application/json or application/yaml`);
  }
  let object: Record<string, unknown>;
  try {
    object = decodeMessage(kubernetesSchema, message, envelope.raw);
  } catch (error) {
    throw badRequest(error, `${kind} (apiVersion "${apiVersion}")`);
  }
  return { apiVersion, kind, ...object };
}

function readUnknown(bytes: Uint8Array): Unknown {
  const envelope: Unknown = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '' };
  const reader = new ProtoReader(bytes);
  while (reader.next()) {
    if (reader.wire !== WireType.bytes) {
      reader.skip();
      continue;
    }
    if (reader.field === 1) {
      const typeMeta = reader.message();
      while (typeMeta.next()) {
        if (typeMeta.field === 1 && typeMeta.wire === WireType.bytes) envelope.apiVersion = typeMeta.string();
        else if (typeMeta.field === 2 && typeMeta.wire === WireType.bytes) envelope.kind = typeMeta.string();
        else typeMeta.skip();
      }
    } else if (reader.field === 2) envelope.raw = reader.bytes();
    else if (reader.field === 3) envelope.contentEncoding = reader.string();
    else reader.skip();
  }
  return envelope;
}

function badRequest(error: unknown, what: string): Error {
  if (!(error instanceof ProtoWireError)) return error as Error;
  return new ApiError('BadRequest', `the protobuf body could not be decoded as ${what}: ${error.message}`);
}
