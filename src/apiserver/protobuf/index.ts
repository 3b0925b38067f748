/**
 * Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), as kubectl 1.32+
 * sends them for typed create and update: a hand-written wire-format reader and message tables
 * decoding into the JSON shape of the same object. The tables under messages/ hold the field
 * numbers of upstream's generated.proto files (k8s.io/api 0.33), with each JSON name checked
 * against the @kubernetes/client-node models; message-schema.ts explains the notation.
 */
export { decodeProtobufObject, protobufMediaType } from './decode-object.js';
export { messageForKind } from './kinds.js';
