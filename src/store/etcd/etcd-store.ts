import { Etcd3, type IKeyValue, type IWatchResponse, type Watcher } from 'etcd3';
import type { Logger } from 'pino';
import { startAutoCompactor, type AutoCompactOptions } from '../auto-compactor.js';
import { CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError, StoreError, StoreUnavailableError } from '../errors.js';
import type { KeyValue, ListOptions, ListResult, Store, StoreEvent } from '../types.js';
import { Subscription, prefixEnd } from '../watch-hub.js';

/** Options of the etcd driver. Auto compaction is off unless compactInterval is given. */
export interface EtcdStoreOptions extends AutoCompactOptions {
  /** prepended to every key in etcd (default ''; the API server's keys already start with /registry/) */
  prefix?: string;
  logger?: Logger;
}

/** `etcd://h1:2379,h2:2379` → `['http://h1:2379', 'http://h2:2379']` */
export function parseEtcdEndpoint(endpoint: string): string[] {
  const match = /^etcd:\/\/(.+)$/.exec(endpoint);
  if (!match) throw new RangeError(`etcd endpoint must look like etcd://host:port[,host:port], got ${endpoint}`);
  return match[1]!.split(',').map((hostPort) => {
    if (!/^[^\s/,]+:\d+$/.test(hostPort)) throw new RangeError(`bad etcd host:port ${JSON.stringify(hostPort)} in ${endpoint}`);
    return `http://${hostPort}`;
  });
}

const ALL = Buffer.from([0]);

/**
 * A Store on a real etcd (v3 API via the etcd3 package): etcd's revision is the Store's revision,
 * writes are compare-and-swap transactions, watches are etcd watches from fromRevision + 1.
 */
export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private readonly prefix: string;
  private readonly stop = new AbortController();
  private readonly logger: Logger | undefined;
  private knownCompacted = 0;

  constructor(endpoint: string, options: EtcdStoreOptions = {}) {
    this.client = new Etcd3({ hosts: parseEtcdEndpoint(endpoint), dialTimeout: 5000 });
    this.prefix = options.prefix ?? '';
    this.logger = options.logger;
    if (options.compactInterval) startAutoCompactor(this, options, this.stop.signal, this.logger);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.call(() => this.client.kv.range({ key: this.k(key) }));
    const kv = res.kvs[0];
    return kv && this.kv(kv);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const [start, end] = this.range(prefix);
    const from = options.after !== undefined && options.after >= prefix ? Buffer.concat([this.k(options.after), ALL]) : start;
    const revision = options.revision && options.revision > 0 ? options.revision : 0;
    const res = await this.call(() => this.client.kv.range({ key: from, range_end: end, limit: options.limit ?? 0, revision }), revision);
    return { items: res.kvs.map((kv) => this.kv(kv)), revision: revision || Number(res.header.revision), more: res.more };
  }

  async count(prefix: string): Promise<number> {
    const [key, end] = this.range(prefix);
    const res = await this.call(() => this.client.kv.range({ key, range_end: end, count_only: true }));
    return Number(res.count);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
      }),
    );
    if (!res.succeeded) throw new KeyExistsError(key);
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
        success: [{ request_put: { key: k, value: Buffer.from(value), prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.casFailure(key, res.responses[0]?.response_range?.kvs[0]);
    const prev = res.responses[0]!.response_put!.prev_kv;
    const rev = Number(res.header.revision);
    return { key, value, createRevision: prev ? Number(prev.create_revision) : rev, modRevision: rev };
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    const k = this.k(key);
    const res = await this.call(() =>
      this.client.kv.txn({
        compare:
          expectedRevision === undefined
            ? [{ key: k, target: 'Version', result: 'Greater', version: 0 }]
            : [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    const prev = res.succeeded ? res.responses[0]!.response_delete_range!.prev_kvs[0] : undefined;
    if (!prev) throw this.casFailure(key, res.responses[0]?.response_range?.kvs[0]);
    return { ...this.kv(prev), modRevision: Number(res.header.revision) };
  }

  watch(prefix: string, fromRevision: number, signal: AbortSignal): AsyncIterable<StoreEvent> {
    return this.follow(prefix, fromRevision, signal);
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.client.kv.compact({ revision, physical: true });
      this.knownCompacted = Math.max(this.knownCompacted, revision);
    } catch (err) {
      if (isCompacted(err)) return;
      if (/future revision/.test(String((err as Error).message))) throw new RangeError(`cannot compact to future revision ${revision}`);
      throw unavailable(err);
    }
  }

  async currentRevision(): Promise<number> {
    const res = await this.call(() => this.client.kv.range({ key: this.k('/'), count_only: true }));
    return Number(res.header.revision);
  }

  /** Found by bisecting with reads at past revisions, since etcd reports it only in errors. */
  async compactedRevision(): Promise<number> {
    const readable = async (rev: number) => {
      try {
        await this.client.kv.range({ key: this.k('/'), count_only: true, revision: rev });
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
    let watcher: Watcher | undefined;
    let canceledByServer = false;
    let cursor = fromRevision;
    const onAbort = () => sub.end();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      try {
        watcher = await this.client.watch().inRange({ start: key, end }).startRevision(String(fromRevision + 1)).withPreviousKV().create();
      } catch (err) {
        canceledByServer = true;
        throw err;
      }
      watcher.on('data', (res: IWatchResponse) => {
        for (const event of res.events) sub.push(this.event(event.type, event.kv, event.prev_kv));
      });
      watcher.on('error', (err: unknown) => {
        canceledByServer = true;
        sub.end(err);
      });
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
      if (watcher && !canceledByServer) await watcher.cancel().catch((err: unknown) => this.logger?.debug({ err }, 'etcd watch cancel failed'));
    }
  }

  /** etcd 3.4 cancels a compacted watch with an empty reason, so compaction is checked for directly. */
  private async watchFailure(err: unknown, cursor: number): Promise<StoreError> {
    if (isCompacted(err) || /Watcher canceled/.test(String((err as Error)?.message))) {
      const compacted = await this.compactedRevision().catch(() => 0);
      if (cursor + 1 < compacted) return new CompactedError(cursor, compacted);
    }
    return unavailable(err);
  }

  private event(type: 'Put' | 'Delete', kv: IKeyValue, prev: IKeyValue | undefined): StoreEvent {
    const prevKv = prev && this.kv(prev);
    if (type === 'Delete') {
      const modRevision = Number(kv.mod_revision);
      const base = prevKv ?? { key: this.unk(kv.key), value: '', createRevision: modRevision };
      return prevKv ? { type: 'delete', kv: { ...base, modRevision }, prevKv } : { type: 'delete', kv: { ...base, modRevision } };
    }
    const current = this.kv(kv);
    const type2 = current.createRevision === current.modRevision ? 'create' : 'update';
    return prevKv ? { type: type2, kv: current, prevKv } : { type: type2, kv: current };
  }

  private casFailure(key: string, current: IKeyValue | undefined): StoreError {
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

  private k(key: string): Buffer {
    return Buffer.from(this.prefix + key);
  }

  private unk(key: Buffer): string {
    return key.toString().slice(this.prefix.length);
  }

  private range(prefix: string): [Buffer, Buffer] {
    const full = this.prefix + prefix;
    if (full === '') return [ALL, ALL];
    const end = prefixEnd(full);
    return [Buffer.from(full), end ? Buffer.from(end) : ALL];
  }

  private kv(kv: IKeyValue): KeyValue {
    return { key: this.unk(kv.key), value: kv.value.toString(), createRevision: Number(kv.create_revision), modRevision: Number(kv.mod_revision) };
  }
}

function isCompacted(err: unknown): boolean {
  return /required revision has been compacted/.test(String((err as Error)?.message));
}

function unavailable(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const wrapped = new StoreUnavailableError(`etcd: ${(err as Error)?.message ?? String(err)}`);
  wrapped.cause = err;
  return wrapped;
}
