/**
 * Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), as kubectl 1.32+
 * sends them for typed create and update: a hand-written wire-format reader and message tables
 * taken from upstream's generated.proto files, decoding into the JSON shape of the same object.
 */
export { decodeProtobufObject, protobufMediaType } from './decode-object.js';
export { messageForKind } from './kinds.js';
