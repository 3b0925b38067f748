/**
 * Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), as kubectl 1.32+
 * sends them for typed create and update: message tables, read with api/'s shared wire-format
 * reader (proto-wire.ts), decode into the JSON shape of the same object. The tables under messages/ hold the field
 * numbers of upstream's generated.proto files (k8s.io/api 0.33), with each JSON name checked
 * against the @kubernetes/client-node models; message-schema.ts explains the notation.
 */
export { decodeProtobufObject, protobufMediaType } from './decode-object.js';
export { messageForKind } from './kinds.js';
