import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeDeleteRangeResponse,
  decodeRangeResponse,
  decodeTxnResponse,
  decodeWatchResponse,
  encodeCompactionRequest,
  encodeRangeRequest,
  encodeTxnRequest,
  encodeWatchCreateRequest,
} from './etcd-messages.js';
import { ProtoWriter } from '../../api/index.js';

const ascii = (s: string) => [...Buffer.from(s)];

/** The message of a gRPC frame, checking the prefix. */
function body(frame: Buffer): number[] {
  assert.equal(frame[0], 0);
  assert.equal(frame.readUInt32BE(1), frame.length - 5);
  return [...frame.subarray(5)];
}

function writeKv(w: ProtoWriter, field: number, kv: { key: string; value: string; create: number; mod: number; version: number }): void {
  w.begin(field).bytes(1, kv.key).varint(2, kv.create).varint(3, kv.mod).varint(4, kv.version).bytes(5, kv.value).varint(6, 0).end();
}

describe('etcd request encoding (rpc.proto field numbers)', () => {
  it('encodes a create-if-absent Txn with the zero create_revision written out', () => {
    const frame = encodeTxnRequest({ compare: [{ key: 'k', target: 'create', result: 'equal', operand: 0 }], success: [{ put: { key: 'k', value: 'v' } }] });
    // Compare{result=EQUAL(1) target=CREATE(2) key(3) create_revision(5)=0}, success(2)=RequestOp{request_put(2)=PutRequest{key value}}
    const compare = [0x08, 0x00, 0x10, 0x01, 0x1a, 0x01, ...ascii('k'), 0x28, 0x00];
    const put = [0x0a, 0x01, ...ascii('k'), 0x12, 0x01, ...ascii('v')];
    assert.deepEqual(body(frame), [0x0a, compare.length, ...compare, 0x12, put.length + 2, 0x12, put.length, ...put]);
  });

  it('encodes a compare-and-swap update with a range on failure', () => {
    const frame = encodeTxnRequest({
      compare: [{ key: 'k', target: 'mod', result: 'equal', operand: 300 }],
      success: [{ put: { key: 'k', value: 'v', prevKv: true } }],
      failure: [{ range: { key: 'k' } }],
    });
    const compare = [0x08, 0x00, 0x10, 0x02, 0x1a, 0x01, ...ascii('k'), 0x30, 0xac, 0x02];
    const put = [0x0a, 0x01, ...ascii('k'), 0x12, 0x01, ...ascii('v'), 0x20, 0x01];
    const range = [0x0a, 0x01, ...ascii('k')];
    assert.deepEqual(body(frame), [
      ...[0x0a, compare.length, ...compare],
      ...[0x12, put.length + 2, 0x12, put.length, ...put],
      ...[0x1a, range.length + 2, 0x0a, range.length, ...range],
    ]);
  });

  it('encodes a delete guarded on version > 0', () => {
    const frame = encodeTxnRequest({ compare: [{ key: 'k', target: 'version', result: 'greater', operand: 0 }], success: [{ deleteRange: { key: 'k', prevKv: true } }] });
    const compare = [0x08, 0x01, 0x10, 0x00, 0x1a, 0x01, ...ascii('k'), 0x20, 0x00];
    const del = [0x0a, 0x01, ...ascii('k'), 0x18, 0x01];
    assert.deepEqual(body(frame), [0x0a, compare.length, ...compare, 0x12, del.length + 2, 0x1a, del.length, ...del]);
  });

  it('encodes Range, Compaction and WatchCreate requests', () => {
    assert.deepEqual(body(encodeRangeRequest({ key: '/a', rangeEnd: '/b', limit: 2, revision: 9, countOnly: true })), [
      ...[0x0a, 0x02, ...ascii('/a'), 0x12, 0x02, ...ascii('/b')],
      ...[0x18, 0x02, 0x20, 0x09, 0x48, 0x01],
    ]);
    assert.deepEqual(body(encodeRangeRequest({ key: '\0', rangeEnd: '\0', limit: 0 })), [0x0a, 0x01, 0x00, 0x12, 0x01, 0x00]);
    assert.deepEqual(body(encodeCompactionRequest({ revision: 5, physical: true })), [0x08, 0x05, 0x10, 0x01]);
    const create = [0x0a, 0x02, ...ascii('/a'), 0x12, 0x02, ...ascii('/b'), 0x18, 0x07, 0x30, 0x01];
    assert.deepEqual(body(encodeWatchCreateRequest({ key: '/a', rangeEnd: '/b', startRevision: 7, prevKv: true })), [0x0a, create.length, ...create]);
  });
});

describe('etcd response decoding', () => {
  it('decodes a RangeResponse, skipping fields it does not use', () => {
    const w = new ProtoWriter().begin(1).varint(1, 77).varint(2, 88).varint(3, 12).varint(4, 3).end();
    writeKv(w, 2, { key: '/a/x', value: 'one', create: 4, mod: 10, version: 2 });
    writeKv(w, 2, { key: '/a/y', value: 'ü', create: 11, mod: 11, version: 1 });
    w.bool(3, true).varint(4, 5).bytes(99, 'future field');
    assert.deepEqual(decodeRangeResponse(w.finish()), {
      revision: 12,
      kvs: [
        { key: '/a/x', value: 'one', createRevision: 4, modRevision: 10, version: 2 },
        { key: '/a/y', value: 'ü', createRevision: 11, modRevision: 11, version: 1 },
      ],
      more: true,
      count: 5,
    });
    assert.deepEqual(decodeRangeResponse(Buffer.alloc(0)), { revision: 0, kvs: [], more: false, count: 0 });
  });

  it('decodes a TxnResponse with put, range and delete answers', () => {
    const w = new ProtoWriter().begin(1).varint(3, 20).end().bool(2, true);
    w.begin(3).begin(2).begin(1).varint(3, 20).end();
    writeKv(w, 2, { key: 'k', value: 'old', create: 3, mod: 19, version: 4 });
    w.end().end();
    w.begin(3).begin(1).begin(1).varint(3, 20).end();
    writeKv(w, 2, { key: 'k', value: 'cur', create: 3, mod: 19, version: 4 });
    w.end().end();
    w.begin(3).begin(3).begin(1).varint(3, 20).end().varint(2, 1);
    writeKv(w, 3, { key: 'k', value: 'gone', create: 3, mod: 19, version: 4 });
    w.end().end();
    const res = decodeTxnResponse(w.finish());
    assert.equal(res.revision, 20);
    assert.equal(res.succeeded, true);
    assert.equal(res.responses.length, 3);
    assert.deepEqual(res.responses[0], { put: { revision: 20, prevKv: { key: 'k', value: 'old', createRevision: 3, modRevision: 19, version: 4 } } });
    assert.deepEqual(res.responses[1]?.range?.kvs.map((kv) => kv.value), ['cur']);
    assert.deepEqual(res.responses[2], {
      deleteRange: { revision: 20, deleted: 1, prevKvs: [{ key: 'k', value: 'gone', createRevision: 3, modRevision: 19, version: 4 }] },
    });
    assert.deepEqual(decodeTxnResponse(new ProtoWriter().begin(1).varint(3, 21).end().finish()), { revision: 21, succeeded: false, responses: [] });
  });

  it('decodes a DeleteRangeResponse', () => {
    const w = new ProtoWriter().begin(1).varint(3, 8).end().varint(2, 2);
    assert.deepEqual(decodeDeleteRangeResponse(w.finish()), { revision: 8, deleted: 2, prevKvs: [] });
  });

  it('decodes WatchResponses: created, events with prev_kv, and a compaction cancel', () => {
    const created = new ProtoWriter().begin(1).varint(3, 5).end().varint(2, 0).bool(3, true).finish();
    assert.deepEqual(decodeWatchResponse(created), { revision: 5, watchId: 0, created: true, canceled: false, compactRevision: 0, cancelReason: '', events: [] });

    const w = new ProtoWriter().begin(1).varint(3, 9).end().varint(2, 3);
    w.begin(11);
    writeKv(w, 2, { key: '/a', value: 'v2', create: 6, mod: 8, version: 2 });
    writeKv(w, 3, { key: '/a', value: 'v1', create: 6, mod: 6, version: 1 });
    w.end();
    w.begin(11).varint(1, 1).begin(2).bytes(1, '/b').varint(3, 9).end().end();
    const events = decodeWatchResponse(w.finish());
    assert.equal(events.watchId, 3);
    assert.deepEqual(events.events, [
      {
        type: 'put',
        kv: { key: '/a', value: 'v2', createRevision: 6, modRevision: 8, version: 2 },
        prevKv: { key: '/a', value: 'v1', createRevision: 6, modRevision: 6, version: 1 },
      },
      { type: 'delete', kv: { key: '/b', value: '', createRevision: 0, modRevision: 9, version: 0 } },
    ]);

    const canceled = new ProtoWriter().begin(1).varint(3, 30).end().bool(4, true).varint(5, 17).bytes(6, 'compacted').finish();
    const res = decodeWatchResponse(canceled);
    assert.equal(res.canceled, true);
    assert.equal(res.compactRevision, 17);
    assert.equal(res.cancelReason, 'compacted');
  });
});
