import type { Logger } from 'pino';
import {
  decodeCompactionResponse,
  decodeDeleteRangeResponse,
  decodePutResponse,
  decodeRangeResponse,
  decodeTxnResponse,
  decodeWatchResponse,
  encodeCompactionRequest,
  encodeDeleteRangeRequest,
  encodePutRequest,
  encodeRangeRequest,
  encodeTxnRequest,
  encodeWatchCreateRequest,
  type CompactionRequest,
  type DeleteRangeRequest,
  type DeleteRangeResponse,
  type EtcdEvent,
  type PutRequest,
  type PutResponse,
  type RangeRequest,
  type RangeResponse,
  type TxnRequest,
  type TxnResponse,
  type WatchCreateRequest,
} from './etcd-messages.js';
import { GrpcChannel, type GrpcStream } from './grpc-channel.js';

/** Options of an EtcdClient. */
export interface EtcdClientOptions {
  /** give up on a connection attempt after this long (default 5000 ms) */
  connectTimeoutMs?: number;
  logger?: Logger;
  /** deadline of each unary call (none unless given); a call past it fails with DEADLINE_EXCEEDED */
  callTimeoutMs?: number;
  /** calls on one HTTP/2 session before a new one is opened (tests) */
  maxStreamsPerSession?: number;
}

/** etcd ended a watch: `compactRevision` is set when its start revision had been compacted. */
export class EtcdWatchCanceledError extends Error {
  constructor(readonly compactRevision: number, readonly reason: string) {
    super(compactRevision > 0 ? `watch canceled: required revision has been compacted (compact revision ${compactRevision})` : `watch canceled${reason ? `: ${reason}` : ''}`);
    this.name = 'EtcdWatchCanceledError';
  }
}

/** Handlers of one watch. `end` is called once, when the watch fails or etcd cancels it, never after `cancel()`. */
export interface EtcdWatchHandlers {
  events(events: EtcdEvent[], revision: number): void;
  end(err: Error): void;
}

/** A running watch. */
export interface EtcdWatch {
  /** stop watching (closes the watch's HTTP/2 stream) */
  cancel(): void;
}

const KV = '/etcdserverpb.KV/';

/**
 * A small etcd v3 client: the KV service's unary calls and the Watch stream, as gRPC over
 * node:http2 (see GrpcChannel), with hand-written protobuf (etcd-messages.ts). Calls reject with
 * GrpcError; each watch gets its own HTTP/2 stream on the shared session.
 */
export class EtcdClient {
  private readonly channel: GrpcChannel;
  private readonly callTimeoutMs: number | undefined;

  /** @param endpoints `http://host:port` URLs of etcd members */
  constructor(endpoints: readonly string[], options: EtcdClientOptions = {}) {
    if (options.callTimeoutMs !== undefined && !(options.callTimeoutMs > 0)) throw new RangeError(`callTimeoutMs must be positive, got ${options.callTimeoutMs}`);
    this.channel = new GrpcChannel(endpoints, options);
    this.callTimeoutMs = options.callTimeoutMs;
  }

  /** KV.Range */
  async range(req: RangeRequest): Promise<RangeResponse> {
    return decodeRangeResponse(await this.channel.unary(`${KV}Range`, encodeRangeRequest(req), this.callTimeoutMs));
  }

  /** KV.Put */
  async put(req: PutRequest): Promise<PutResponse> {
    return decodePutResponse(await this.channel.unary(`${KV}Put`, encodePutRequest(req), this.callTimeoutMs));
  }

  /** KV.DeleteRange */
  async deleteRange(req: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    return decodeDeleteRangeResponse(await this.channel.unary(`${KV}DeleteRange`, encodeDeleteRangeRequest(req), this.callTimeoutMs));
  }

  /** KV.Txn; `sizeHint` is the expected encoded size (the values it carries). */
  async txn(req: TxnRequest, sizeHint?: number): Promise<TxnResponse> {
    return decodeTxnResponse(await this.channel.unary(`${KV}Txn`, encodeTxnRequest(req, sizeHint), this.callTimeoutMs));
  }

  /** KV.Compact */
  async compact(req: CompactionRequest): Promise<{ revision: number }> {
    return decodeCompactionResponse(await this.channel.unary(`${KV}Compact`, encodeCompactionRequest(req), this.callTimeoutMs));
  }

  /** Watch.Watch with one create request; events arrive in revision order. */
  watch(req: WatchCreateRequest, handlers: EtcdWatchHandlers): EtcdWatch {
    let done = false;
    let stream: GrpcStream | undefined;
    const finish = (err: Error) => {
      if (done) return;
      done = true;
      stream?.cancel();
      handlers.end(err);
    };
    stream = this.channel.stream('/etcdserverpb.Watch/Watch', {
      message: (message) => {
        if (done) return;
        let res;
        try {
          res = decodeWatchResponse(message);
        } catch (err) {
          finish(err as Error);
          return;
        }
        if (res.events.length > 0) handlers.events(res.events, res.revision);
        if (res.canceled) finish(new EtcdWatchCanceledError(res.compactRevision, res.cancelReason));
      },
      end: (err) => finish(err ?? new EtcdWatchCanceledError(0, 'etcd closed the watch stream')),
    });
    stream.send(encodeWatchCreateRequest(req));
    return {
      cancel: () => {
        if (done) return;
        done = true;
        stream?.cancel();
      },
    };
  }

  /** Close the connection; calls in flight fail and watches end with an error. */
  close(): void {
    this.channel.close();
  }
}
