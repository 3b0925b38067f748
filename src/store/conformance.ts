import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError } from './errors.js';
import type { Store, StoreEvent } from './types.js';

/** A fresh, empty store for one test, and how to dispose of it. */
export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

const TEST_TIMEOUT = 60_000;

/** Take the first `n` events of a watch, then stop it. */
async function take(store: Store, prefix: string, from: number, n: number): Promise<StoreEvent[]> {
  const abort = new AbortController();
  const events: StoreEvent[] = [];
  try {
    if (n === 0) return events;
    for await (const event of store.watch(prefix, from, abort.signal)) {
      events.push(event);
      if (events.length === n) break;
    }
  } finally {
    abort.abort();
  }
  return events;
}

function summary(events: StoreEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.kv.key}=${e.kv.value}@${e.kv.modRevision}`);
}

/**
 * The behaviour every Store driver must share, as node:test suites. Each test gets its own store
 * from `makeStore`, which must be empty (keys are not shared with other tests), though its
 * revision need not start at 1 (an etcd shared between tests).
 */
export function runStoreConformance(name: string, makeStore: StoreFactory): void {
  const test = (title: string, body: (store: Store) => Promise<void>) =>
    it(title, { timeout: TEST_TIMEOUT }, async () => {
      const { store, cleanup } = await makeStore();
      try {
        await body(store);
      } finally {
        await cleanup();
      }
    });

  describe(`Store conformance: ${name}`, () => {
    test('create, get, and create of an existing key', async (store) => {
      const before = await store.currentRevision();
      assert.ok(before >= 1);
      assert.equal(await store.get('/a/x'), undefined);
      const kv = await store.create('/a/x', 'one');
      assert.equal(kv.key, '/a/x');
      assert.equal(kv.value, 'one');
      assert.ok(kv.modRevision > before);
      assert.equal(kv.createRevision, kv.modRevision);
      assert.deepEqual(await store.get('/a/x'), kv);
      assert.equal(await store.currentRevision(), kv.modRevision);
      await assert.rejects(store.create('/a/x', 'two'), KeyExistsError);
      assert.deepEqual(await store.get('/a/x'), kv);
    });

    test('update checks the expected revision', async (store) => {
      const created = await store.create('/a/x', 'one');
      const updated = await store.update('/a/x', 'two', created.modRevision);
      assert.equal(updated.value, 'two');
      assert.equal(updated.createRevision, created.createRevision);
      assert.ok(updated.modRevision > created.modRevision);
      await assert.rejects(store.update('/a/x', 'three', created.modRevision), (err: unknown) => {
        assert.ok(err instanceof RevisionMismatchError);
        assert.equal(err.code, 'RevisionMismatch');
        assert.deepEqual(err.current, updated);
        return true;
      });
      await assert.rejects(store.update('/a/missing', 'v', 1), KeyNotFoundError);
      assert.deepEqual(await store.get('/a/x'), updated);
    });

    test('delete returns the last value and allows re-creation', async (store) => {
      const created = await store.create('/a/x', 'one');
      await assert.rejects(store.delete('/a/x', created.modRevision + 1000), RevisionMismatchError);
      const deleted = await store.delete('/a/x', created.modRevision);
      assert.equal(deleted.value, 'one');
      assert.equal(deleted.createRevision, created.createRevision);
      assert.ok(deleted.modRevision > created.modRevision);
      assert.equal(await store.get('/a/x'), undefined);
      await assert.rejects(store.delete('/a/x'), KeyNotFoundError);
      const again = await store.create('/a/x', 'two');
      assert.ok(again.createRevision > deleted.modRevision);
      const unconditional = await store.delete('/a/x');
      assert.equal(unconditional.value, 'two');
    });

    test('revisions increase strictly across keys', async (store) => {
      const revs: number[] = [];
      for (let i = 0; i < 10; i++) revs.push((await store.create(`/r/${i % 3}/${i}`, 'v')).modRevision);
      for (let i = 1; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!);
      assert.equal(await store.currentRevision(), revs.at(-1));
    });

    test('list respects prefix boundaries and sorts by key', async (store) => {
      for (const key of ['/a/2', '/ab/1', '/a/1', '/a', '/b/1', '/a/sub/3']) await store.create(key, key);
      const result = await store.list('/a/');
      assert.deepEqual(result.items.map((i) => i.key), ['/a/1', '/a/2', '/a/sub/3']);
      assert.equal(result.items[0]!.value, '/a/1');
      assert.equal(result.revision, await store.currentRevision());
      assert.equal(result.more, false);
      assert.equal(await store.count('/a/'), 3);
      assert.equal(await store.count('/ab/'), 1);
      assert.equal(await store.count('/zz/'), 0);
      assert.deepEqual((await store.list('/zz/')).items, []);
    });

    test('list pages with limit and after at one revision', async (store) => {
      const keys = Array.from({ length: 25 }, (_, i) => `/p/${String(i).padStart(2, '0')}`);
      for (const key of keys) await store.create(key, 'v');
      await store.create('/q/0', 'v');
      const first = await store.list('/p/', { limit: 10 });
      const seen = first.items.map((i) => i.key);
      let page = first;
      await store.update('/p/00', 'changed', first.items[0]!.modRevision);
      await store.create('/p/99', 'late');
      while (page.more) {
        page = await store.list('/p/', { limit: 10, after: page.items.at(-1)!.key, revision: first.revision });
        assert.equal(page.revision, first.revision);
        seen.push(...page.items.map((i) => i.key));
      }
      assert.deepEqual(seen, keys);
      const exact = await store.list('/p/', { limit: 26 });
      assert.equal(exact.items.length, 26);
      assert.equal(exact.more, false);
    });

    test('list at a past revision', async (store) => {
      await store.create('/h/a', 'a1');
      const b = await store.create('/h/b', 'b1');
      const past = await store.currentRevision();
      const a = (await store.get('/h/a'))!;
      await store.update('/h/a', 'a2', a.modRevision);
      await store.delete('/h/b', b.modRevision);
      await store.create('/h/c', 'c1');
      const then = await store.list('/h/', { revision: past });
      assert.equal(then.revision, past);
      assert.deepEqual(then.items.map((i) => `${i.key}=${i.value}`), ['/h/a=a1', '/h/b=b1']);
      const now = await store.list('/h/');
      assert.deepEqual(now.items.map((i) => `${i.key}=${i.value}`), ['/h/a=a2', '/h/c=c1']);
      assert.equal(await store.count('/h/'), 2);
    });

    test('watch replays exactly the later events, then live ones', async (store) => {
      const x = await store.create('/w/x', '1');
      const start = (await store.update('/w/x', '2', x.modRevision)).modRevision;
      const y = await store.create('/w/y', '1');
      const x3 = await store.update('/w/x', '3', start);
      await store.delete('/w/y', y.modRevision);
      const watching = take(store, '/w/', start, 5);
      await store.create('/w/z', '1');
      await store.update('/w/x', '4', x3.modRevision);
      const events = await watching;
      const revs = events.map((e) => e.kv.modRevision);
      assert.deepEqual(summary(events), [
        `create /w/y=1@${start + 1}`,
        `update /w/x=3@${start + 2}`,
        `delete /w/y=1@${start + 3}`,
        `create /w/z=1@${revs[3]}`,
        `update /w/x=4@${revs[4]}`,
      ]);
      assert.ok(revs[3]! > start + 3 && revs[4]! > revs[3]!);
      assert.equal(events[1]!.prevKv?.value, '2');
      assert.equal(events[1]!.kv.createRevision, x.createRevision);
    });

    test('watch of a prefix sees only its keys', async (store) => {
      const from = await store.currentRevision();
      const watching = take(store, '/a/', from, 2);
      await store.create('/ab/1', 'no');
      await store.create('/a/1', 'yes');
      await store.create('/b/1', 'no');
      await store.create('/a/2', 'yes');
      assert.deepEqual(
        (await watching).map((e) => e.kv.key),
        ['/a/1', '/a/2'],
      );
    });

    test('delete event carries the last value', async (store) => {
      const from = await store.currentRevision();
      const kv = await store.create('/d/x', 'first');
      const upd = await store.update('/d/x', 'last', kv.modRevision);
      const gone = await store.delete('/d/x');
      const events = await take(store, '/d/', from, 3);
      const del = events[2]!;
      assert.equal(del.type, 'delete');
      assert.equal(del.kv.value, 'last');
      assert.equal(del.kv.modRevision, gone.modRevision);
      assert.equal(del.prevKv?.modRevision, upd.modRevision);
      assert.equal(del.prevKv?.value, 'last');
    });

    test('concurrent creates get distinct revisions and each reaches a watch once', async (store) => {
      const from = await store.currentRevision();
      const watching = take(store, '/c/', from, 200);
      const created = await Promise.all(Array.from({ length: 200 }, (_, i) => store.create(`/c/${i}`, String(i))));
      const revs = created.map((kv) => kv.modRevision);
      assert.equal(new Set(revs).size, 200);
      const events = await watching;
      const seen = events.map((e) => e.kv.modRevision);
      assert.deepEqual(seen, [...revs].sort((a, b) => a - b));
      assert.deepEqual(new Set(events.map((e) => e.kv.key)), new Set(created.map((kv) => kv.key)));
      const racing = await Promise.allSettled(Array.from({ length: 20 }, () => store.create('/c/same', 'v')));
      assert.equal(racing.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(racing.every((r) => r.status === 'fulfilled' || r.reason instanceof KeyExistsError));
    });

    test('compaction: older revisions fail with CompactedError, newer ones work', async (store) => {
      const kept = await store.create('/k/kept', 'old');
      const churn = await store.create('/k/churn', '1');
      const doomed = await store.create('/k/doomed', 'x');
      const before = await store.update('/k/churn', '2', churn.modRevision);
      await store.delete('/k/doomed', doomed.modRevision);
      const mid = await store.update('/k/churn', '3', before.modRevision);
      const target = mid.modRevision;
      const after = await store.update('/k/churn', '4', mid.modRevision);
      await store.compact(target);
      assert.equal(await store.compactedRevision(), target);
      await assert.rejects(take(store, '/k/', kept.modRevision, 1), CompactedError);
      await assert.rejects(store.list('/k/', { revision: kept.modRevision }), CompactedError);
      const live = await take(store, '/k/', target, 1);
      assert.deepEqual(summary(live), [`update /k/churn=4@${after.modRevision}`]);
      const atTarget = await store.list('/k/', { revision: target });
      assert.deepEqual(atTarget.items.map((i) => `${i.key}=${i.value}`), ['/k/churn=3', '/k/kept=old']);
      const now = await store.list('/k/');
      assert.deepEqual(now.items.map((i) => `${i.key}=${i.value}`), ['/k/churn=4', '/k/kept=old']);
      assert.deepEqual(await store.get('/k/kept'), kept);
      await store.update('/k/kept', 'new', kept.modRevision);
      assert.equal((await store.get('/k/kept'))?.value, 'new');
    });

    test('abort ends a waiting watch', async (store) => {
      const abort = new AbortController();
      const from = await store.currentRevision();
      const seen: string[] = [];
      const done = (async () => {
        for await (const event of store.watch('/s/', from, abort.signal)) {
          seen.push(event.kv.key);
          if (seen.length === 1) abort.abort();
        }
      })();
      await store.create('/s/1', 'v');
      await done;
      await store.create('/s/2', 'v');
      assert.deepEqual(seen, ['/s/1']);
      const aborted = new AbortController();
      aborted.abort();
      const none: StoreEvent[] = [];
      for await (const event of store.watch('/s/', from, aborted.signal)) none.push(event);
      assert.deepEqual(none, []);
    });
  });
}
