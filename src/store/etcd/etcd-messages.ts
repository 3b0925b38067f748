import { ProtoReader, ProtoWriter } from '../../api/index.js';

/*
 * The etcd v3 messages the driver uses, encoded and decoded by hand. Field numbers are those of
 * etcd's api/etcdserverpb/rpc.proto and api/mvccpb/kv.proto.
 */

/** A key or value as sent: strings go as UTF-8. */
export type Bytes = string | Uint8Array;

/** mvccpb.KeyValue with its key and value read as UTF-8 text. */
export interface EtcdKeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
  version: number;
}

/** etcdserverpb.RangeRequest (the fields the driver uses). */
export interface RangeRequest {
  key: Bytes;
  rangeEnd?: Bytes;
  limit?: number;
  revision?: number;
  countOnly?: boolean;
}

/** etcdserverpb.RangeResponse; `revision` is header.revision. */
export interface RangeResponse {
  revision: number;
  kvs: EtcdKeyValue[];
  more: boolean;
  count: number;
}

/** etcdserverpb.PutRequest. */
export interface PutRequest {
  key: Bytes;
  value: Bytes;
  prevKv?: boolean;
}

/** etcdserverpb.PutResponse. */
export interface PutResponse {
  revision: number;
  prevKv?: EtcdKeyValue;
}

/** etcdserverpb.DeleteRangeRequest. */
export interface DeleteRangeRequest {
  key: Bytes;
  rangeEnd?: Bytes;
  prevKv?: boolean;
}

/** etcdserverpb.DeleteRangeResponse. */
export interface DeleteRangeResponse {
  revision: number;
  deleted: number;
  prevKvs: EtcdKeyValue[];
}

const COMPARE_RESULT = { equal: 0, greater: 1, less: 2, notEqual: 3 } as const;
const COMPARE_TARGET = { version: 0, create: 1, mod: 2 } as const;
/** the oneof target_union field that carries each target's operand */
const COMPARE_OPERAND_FIELD = { version: 4, create: 5, mod: 6 } as const;

/** etcdserverpb.Compare on a key's version, create_revision or mod_revision. */
export interface Compare {
  key: Bytes;
  target: keyof typeof COMPARE_TARGET;
  result: keyof typeof COMPARE_RESULT;
  operand: number;
}

/** etcdserverpb.RequestOp: exactly one of the three. */
export type RequestOp = { range: RangeRequest } | { put: PutRequest } | { deleteRange: DeleteRangeRequest };

/** etcdserverpb.ResponseOp: the one that answers the RequestOp at the same index. */
export interface ResponseOp {
  range?: RangeResponse;
  put?: PutResponse;
  deleteRange?: DeleteRangeResponse;
}

/** etcdserverpb.TxnRequest. */
export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure?: RequestOp[];
}

/** etcdserverpb.TxnResponse. */
export interface TxnResponse {
  revision: number;
  succeeded: boolean;
  responses: ResponseOp[];
}

/** etcdserverpb.CompactionRequest. */
export interface CompactionRequest {
  revision: number;
  physical?: boolean;
}

/** etcdserverpb.WatchCreateRequest. */
export interface WatchCreateRequest {
  key: Bytes;
  rangeEnd?: Bytes;
  startRevision?: number;
  prevKv?: boolean;
}

/** mvccpb.Event. */
export interface EtcdEvent {
  type: 'put' | 'delete';
  kv: EtcdKeyValue;
  prevKv?: EtcdKeyValue;
}

/** etcdserverpb.WatchResponse. */
export interface WatchResponse {
  revision: number;
  watchId: number;
  created: boolean;
  canceled: boolean;
  compactRevision: number;
  cancelReason: string;
  events: EtcdEvent[];
}

function writeRange(w: ProtoWriter, req: RangeRequest): void {
  w.bytes(1, req.key);
  if (req.rangeEnd !== undefined) w.bytes(2, req.rangeEnd);
  w.int(3, req.limit).int(4, req.revision).bool(9, req.countOnly);
}

function writePut(w: ProtoWriter, req: PutRequest): void {
  w.bytes(1, req.key).bytes(2, req.value).bool(4, req.prevKv);
}

function writeDeleteRange(w: ProtoWriter, req: DeleteRangeRequest): void {
  w.bytes(1, req.key);
  if (req.rangeEnd !== undefined) w.bytes(2, req.rangeEnd);
  w.bool(3, req.prevKv);
}

function writeOps(w: ProtoWriter, field: number, ops: RequestOp[] | undefined): void {
  for (const op of ops ?? []) {
    w.begin(field);
    if ('range' in op) writeRange(w.begin(1), op.range);
    else if ('put' in op) writePut(w.begin(2), op.put);
    else writeDeleteRange(w.begin(3), op.deleteRange);
    w.end().end();
  }
}

/** RangeRequest as a gRPC frame. */
export function encodeRangeRequest(req: RangeRequest): Buffer {
  const w = new ProtoWriter(64);
  writeRange(w, req);
  return w.grpcFrame();
}

/** PutRequest as a gRPC frame. */
export function encodePutRequest(req: PutRequest): Buffer {
  const w = new ProtoWriter(64 + (typeof req.value === 'string' ? req.value.length * 3 : req.value.length));
  writePut(w, req);
  return w.grpcFrame();
}

/** DeleteRangeRequest as a gRPC frame. */
export function encodeDeleteRangeRequest(req: DeleteRangeRequest): Buffer {
  const w = new ProtoWriter(64);
  writeDeleteRange(w, req);
  return w.grpcFrame();
}

/** TxnRequest as a gRPC frame. The compare operand is always written, even 0 (it is a oneof). */
export function encodeTxnRequest(req: TxnRequest, sizeHint = 256): Buffer {
  const w = new ProtoWriter(sizeHint);
  for (const c of req.compare) {
    w.begin(1).varint(1, COMPARE_RESULT[c.result]).varint(2, COMPARE_TARGET[c.target]).bytes(3, c.key);
    w.varint(COMPARE_OPERAND_FIELD[c.target], c.operand).end();
  }
  writeOps(w, 2, req.success);
  writeOps(w, 3, req.failure);
  return w.grpcFrame();
}

/** CompactionRequest as a gRPC frame. */
export function encodeCompactionRequest(req: CompactionRequest): Buffer {
  return new ProtoWriter(16).int(1, req.revision).bool(2, req.physical).grpcFrame();
}

/** WatchRequest{create_request} as a gRPC frame. */
export function encodeWatchCreateRequest(req: WatchCreateRequest): Buffer {
  const w = new ProtoWriter(64).begin(1).bytes(1, req.key);
  if (req.rangeEnd !== undefined) w.bytes(2, req.rangeEnd);
  return w.int(3, req.startRevision).bool(6, req.prevKv).end().grpcFrame();
}

function readHeaderRevision(r: ProtoReader): number {
  let revision = 0;
  while (r.next()) {
    if (r.field === 3) revision = r.varint();
    else r.skip();
  }
  return revision;
}

function readKeyValue(r: ProtoReader): EtcdKeyValue {
  const kv: EtcdKeyValue = { key: '', value: '', createRevision: 0, modRevision: 0, version: 0 };
  while (r.next()) {
    switch (r.field) {
      case 1:
        kv.key = r.string();
        break;
      case 2:
        kv.createRevision = r.varint();
        break;
      case 3:
        kv.modRevision = r.varint();
        break;
      case 4:
        kv.version = r.varint();
        break;
      case 5:
        kv.value = r.string();
        break;
      default:
        r.skip();
    }
  }
  return kv;
}

function readRangeResponse(r: ProtoReader): RangeResponse {
  const res: RangeResponse = { revision: 0, kvs: [], more: false, count: 0 };
  while (r.next()) {
    if (r.field === 1) res.revision = readHeaderRevision(r.message());
    else if (r.field === 2) res.kvs.push(readKeyValue(r.message()));
    else if (r.field === 3) res.more = r.bool();
    else if (r.field === 4) res.count = r.varint();
    else r.skip();
  }
  return res;
}

function readPutResponse(r: ProtoReader): PutResponse {
  const res: PutResponse = { revision: 0 };
  while (r.next()) {
    if (r.field === 1) res.revision = readHeaderRevision(r.message());
    else if (r.field === 2) res.prevKv = readKeyValue(r.message());
    else r.skip();
  }
  return res;
}

function readDeleteRangeResponse(r: ProtoReader): DeleteRangeResponse {
  const res: DeleteRangeResponse = { revision: 0, deleted: 0, prevKvs: [] };
  while (r.next()) {
    if (r.field === 1) res.revision = readHeaderRevision(r.message());
    else if (r.field === 2) res.deleted = r.varint();
    else if (r.field === 3) res.prevKvs.push(readKeyValue(r.message()));
    else r.skip();
  }
  return res;
}

function readResponseOp(r: ProtoReader): ResponseOp {
  const op: ResponseOp = {};
  while (r.next()) {
    if (r.field === 1) op.range = readRangeResponse(r.message());
    else if (r.field === 2) op.put = readPutResponse(r.message());
    else if (r.field === 3) op.deleteRange = readDeleteRangeResponse(r.message());
    else r.skip();
  }
  return op;
}

function readEvent(r: ProtoReader): EtcdEvent {
  let type: EtcdEvent['type'] = 'put';
  let kv: EtcdKeyValue | undefined;
  let prevKv: EtcdKeyValue | undefined;
  while (r.next()) {
    if (r.field === 1) type = r.varint() === 1 ? 'delete' : 'put';
    else if (r.field === 2) kv = readKeyValue(r.message());
    else if (r.field === 3) prevKv = readKeyValue(r.message());
    else r.skip();
  }
  kv ??= { key: '', value: '', createRevision: 0, modRevision: 0, version: 0 };
  return prevKv ? { type, kv, prevKv } : { type, kv };
}

/** Decode a RangeResponse message. */
export function decodeRangeResponse(message: Buffer): RangeResponse {
  return readRangeResponse(new ProtoReader(message));
}

/** Decode a PutResponse message. */
export function decodePutResponse(message: Buffer): PutResponse {
  return readPutResponse(new ProtoReader(message));
}

/** Decode a DeleteRangeResponse message. */
export function decodeDeleteRangeResponse(message: Buffer): DeleteRangeResponse {
  return readDeleteRangeResponse(new ProtoReader(message));
}

/** Decode a TxnResponse message. */
export function decodeTxnResponse(message: Buffer): TxnResponse {
  const r = new ProtoReader(message);
  const res: TxnResponse = { revision: 0, succeeded: false, responses: [] };
  while (r.next()) {
    if (r.field === 1) res.revision = readHeaderRevision(r.message());
    else if (r.field === 2) res.succeeded = r.bool();
    else if (r.field === 3) res.responses.push(readResponseOp(r.message()));
    else r.skip();
  }
  return res;
}

/** Decode a CompactionResponse message to its header revision. */
export function decodeCompactionResponse(message: Buffer): { revision: number } {
  const r = new ProtoReader(message);
  let revision = 0;
  while (r.next()) {
    if (r.field === 1) revision = readHeaderRevision(r.message());
    else r.skip();
  }
  return { revision };
}

/** Decode a WatchResponse message. */
export function decodeWatchResponse(message: Buffer): WatchResponse {
  const r = new ProtoReader(message);
  const res: WatchResponse = { revision: 0, watchId: 0, created: false, canceled: false, compactRevision: 0, cancelReason: '', events: [] };
  while (r.next()) {
    switch (r.field) {
      case 1:
        res.revision = readHeaderRevision(r.message());
        break;
      case 2:
        res.watchId = r.varint();
        break;
      case 3:
        res.created = r.bool();
        break;
      case 4:
        res.canceled = r.bool();
        break;
      case 5:
        res.compactRevision = r.varint();
        break;
      case 6:
        res.cancelReason = r.string();
        break;
      case 11:
        res.events.push(readEvent(r.message()));
        break;
      default:
        r.skip();
    }
  }
  return res;
}
