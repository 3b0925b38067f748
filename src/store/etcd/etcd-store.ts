import type { Logger } from 'pino';
import { startAutoCompactor, type AutoCompactOptions } from '../auto-compactor.js';
import { CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError, StoreError, StoreTimeoutError, StoreUnavailableError } from '../errors.js';
import type { KeyValue, ListOptions, ListResult, Store, StoreEvent } from '../types.js';
import { Subscription, prefixEnd } from '../watch-hub.js';
import { EtcdClient, EtcdWatchCanceledError, type EtcdWatch } from './etcd-client.js';
import { GrpcCode, GrpcError } from './grpc-frames.js';
import type { EtcdEvent, EtcdKeyValue } from './etcd-messages.js';

/** Options of the etcd driver. Auto compaction is off unless compactInterval is given. */
export interface EtcdStoreOptions extends AutoCompactOptions {
  /** prepended to every key in etcd (default ''; the API server's keys already start with /registry/) */
  prefix?: string;
  logger?: Logger;
  /**
   * deadline of each etcd call (default 60 s, the API server's `--request-timeout`): a call etcd
   * has not answered by then fails with StoreTimeoutError; one that found etcd unreachable is
   * sent again until then
   */
  requestTimeoutMs?: number;
}

/** Default deadline of an etcd call: upstream's `--request-timeout`. */
export const DEFAULT_ETCD_REQUEST_TIMEOUT_MS = 60_000;

/** `etcd://h1:2379,h2:2379` → `['http://h1:2379', 'http://h2:2379']` */
export function parseEtcdEndpoint(endpoint: string): string[] {
  const match = /^etcd:\/\/(.+)$/.exec(endpoint);
  if (!match) throw new RangeError(`etcd endpoint must look like etcd://host:port[,host:port], got ${endpoint}`);
  return match[1]!.split(',').map((hostPort) => {
    if (!/^[^\s/,]+:\d+$/.test(hostPort)) throw new RangeError(`bad etcd host:port ${JSON.stringify(hostPort)} in ${endpoint}`);
    return `http://${hostPort}`;
  });
}

const ALL = '\0';
/** bytes of a compare-and-swap Txn besides its keys and value */
const TXN_OVERHEAD = 64;

/**
 * A Store on a real etcd (v3 API through Skiff's own gRPC client, EtcdClient): etcd's revision is the Store's revision,
 * writes are compare-and-swap transactions, watches are etcd watches from fromRevision + 1.
 */
export class EtcdStore implements Store {
  private readonly client: EtcdClient;
  private readonly prefix: string;
  private readonly stop = new AbortController();
  private readonly logger: Logger | undefined;
  private knownCompacted = 0;

  constructor(endpoint: string, options: EtcdStoreOptions = {}) {
    this.logger = options.logger;
    this.client = new EtcdClient(parseEtcdEndpoint(endpoint), {
      connectTimeoutMs: 5000,
      callTimeoutMs: options.requestTimeoutMs ?? DEFAULT_ETCD_REQUEST_TIMEOUT_MS,
      ...(this.logger ? { logger: this.logger } : {}),
    });
    this.prefix = options.prefix ?? '';
    if (options.compactInterval) startAutoCompactor(this, options, this.stop.signal, this.logger);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.call(() => this.client.range({ key: this.k(key) }));
    const kv = res.kvs[0];
    return kv && this.kv(kv);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const [start, end] = this.range(prefix);
    const from = options.after !== undefined && options.after >= prefix ? `${this.k(options.after)}\0` : start;
    const revision = options.revision && options.revision > 0 ? options.revision : 0;
    const res = await this.call(() => this.client.range({ key: from, rangeEnd: end, limit: options.limit ?? 0, revision }), revision);
    return { items: res.kvs.map((kv) => this.kv(kv)), revision: revision || res.revision, more: res.more };
  }

  async count(prefix: string): Promise<number> {
    const [key, end] = this.range(prefix);
    const res = await this.call(() => this.client.range({ key, rangeEnd: end, countOnly: true }));
    return res.count;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.call(() =>
      this.client.txn(
        { compare: [{ key: k, target: 'create', result: 'equal', operand: 0 }], success: [{ put: { key: k, value } }] },
        TXN_OVERHEAD + 2 * k.length + value.length,
      ),
    );
    if (!res.succeeded) throw new KeyExistsError(key);
    return { key, value, createRevision: res.revision, modRevision: res.revision };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.call(() =>
      this.client.txn(
        {
          compare: [{ key: k, target: 'mod', result: 'equal', operand: expectedRevision }],
          success: [{ put: { key: k, value, prevKv: true } }],
          failure: [{ range: { key: k } }],
        },
        TXN_OVERHEAD + 3 * k.length + value.length,
      ),
    );
    if (!res.succeeded) throw this.casFailure(key, res.responses[0]?.range?.kvs[0]);
    const prev = res.responses[0]?.put?.prevKv;
    return { key, value, createRevision: prev ? prev.createRevision : res.revision, modRevision: res.revision };
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.call(() =>
      this.client.txn({
        compare: [
          expectedRevision === undefined
            ? { key: k, target: 'version', result: 'greater', operand: 0 }
            : { key: k, target: 'mod', result: 'equal', operand: expectedRevision },
        ],
        success: [{ deleteRange: { key: k, prevKv: true } }],
        failure: [{ range: { key: k } }],
      }),
    );
    const prev = res.succeeded ? res.responses[0]?.deleteRange?.prevKvs[0] : undefined;
    if (!prev) throw this.casFailure(key, res.responses[0]?.range?.kvs[0]);
    return { ...this.kv(prev), modRevision: res.revision };
  }

  watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<StoreEvent> {
    return this.follow(prefix, fromRevision, signal);
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.client.compact({ revision, physical: true });
      this.knownCompacted = Math.max(this.knownCompacted, revision);
    } catch (err) {
      if (isCompacted(err)) return;
      if (/future revision/.test(String((err as Error).message))) throw new RangeError(`cannot compact to future revision ${revision}`);
      throw unavailable(err);
    }
  }

  async currentRevision(): Promise<number> {
    const res = await this.call(() => this.client.range({ key: this.k('/'), countOnly: true }));
    return res.revision;
  }

  /** Found by bisecting with reads at past revisions, since etcd reports it only in errors. */
  async compactedRevision(): Promise<number> {
    const readable = async (rev: number) => {
      try {
        await this.client.range({ key: this.k('/'), countOnly: true, revision: rev });
        return true;
      } catch (err) {
        if (isCompacted(err)) return false;
        throw unavailable(err);
      }
    };
    let lo = Math.max(1, this.knownCompacted);
    let hi = await this.currentRevision();
    if (await readable(lo)) return this.knownCompacted;
    while (lo + 1 < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (await readable(mid)) hi = mid;
      else lo = mid;
    }
    this.knownCompacted = hi;
    return hi;
  }

  async close(): Promise<void> {
    this.stop.abort();
    this.client.close();
  }

  private async *follow(prefix: string, fromRevision: number, signal: AbortSignal): AsyncGenerator<StoreEvent> {
    if (signal.aborted) return;
    const sub = new Subscription(prefix, () => undefined);
    const [key, end] = this.range(prefix);
    let watch: EtcdWatch | undefined;
    let cursor = fromRevision;
    const onAbort = () => sub.end();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      watch = this.client.watch(
        { key, rangeEnd: end, startRevision: fromRevision + 1, prevKv: true },
        {
          events: (events) => {
            for (const event of events) sub.push(this.event(event));
          },
          end: (err) => sub.end(err),
        },
      );
      for (;;) {
        const event = await sub.next();
        if (event === undefined) return;
        if (event.kv.modRevision <= cursor) continue;
        cursor = event.kv.modRevision;
        yield event;
      }
    } catch (err) {
      throw await this.watchFailure(err, cursor);
    } finally {
      signal.removeEventListener('abort', onAbort);
      sub.end();
      watch?.cancel();
    }
  }

  /** etcd reports a compacted start revision in the cancel; a cancel without one is checked for compaction too. */
  private async watchFailure(err: unknown, cursor: number): Promise<StoreError> {
    if (err instanceof EtcdWatchCanceledError) {
      if (err.compactRevision > 0) return new CompactedError(cursor, err.compactRevision);
      const compacted = await this.compactedRevision().catch(() => 0);
      if (cursor + 1 < compacted) return new CompactedError(cursor, compacted);
    }
    return unavailable(err);
  }

  private event(event: EtcdEvent): StoreEvent {
    const { kv, prevKv: prev } = event;
    const prevKv = prev && this.kv(prev);
    if (event.type === 'delete') {
      const modRevision = kv.modRevision;
      const base = prevKv ?? { key: this.unk(kv.key), value: '', createRevision: modRevision };
      return prevKv ? { type: 'delete', kv: { ...base, modRevision }, prevKv } : { type: 'delete', kv: { ...base, modRevision } };
    }
    const current = this.kv(kv);
    const type = current.createRevision === current.modRevision ? 'create' : 'update';
    return prevKv ? { type, kv: current, prevKv } : { type, kv: current };
  }

  private casFailure(key: string, current: EtcdKeyValue | undefined): StoreError {
    return current ? new RevisionMismatchError(key, this.kv(current)) : new KeyNotFoundError(key);
  }

  private async call<T>(op: () => Promise<T>, revision = 0): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (revision && isCompacted(err)) throw new CompactedError(revision, await this.compactedRevision());
      if (revision && /future revision/.test(String((err as Error).message))) throw new RangeError(`revision ${revision} is in the future`);
      throw unavailable(err);
    }
  }

  private k(key: string): string {
    return this.prefix + key;
  }

  private unk(key: string): string {
    return key.slice(this.prefix.length);
  }

  private range(prefix: string): [string, string] {
    const full = this.prefix + prefix;
    if (full === '') return [ALL, ALL];
    return [full, prefixEnd(full) || ALL];
  }

  private kv(kv: EtcdKeyValue): KeyValue {
    return { key: this.unk(kv.key), value: kv.value, createRevision: kv.createRevision, modRevision: kv.modRevision };
  }
}

/** etcd's ErrCompacted ("mvcc: required revision has been compacted", gRPC OUT_OF_RANGE). */
function isCompacted(err: unknown): boolean {
  return /required revision has been compacted/.test(String((err as Error)?.message));
}

function unavailable(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  if (err instanceof GrpcError && err.grpcCode === GrpcCode.deadlineExceeded) {
    const timeout = new StoreTimeoutError(`etcd: ${err.message}`);
    timeout.cause = err;
    return timeout;
  }
  const wrapped = new StoreUnavailableError(`etcd: ${(err as Error)?.message ?? String(err)}`);
  wrapped.cause = err;
  return wrapped;
}
