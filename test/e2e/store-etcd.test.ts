import { after, before, describe } from 'node:test';
import { runStoreConformance } from '../../src/store/index.js';
import { EtcdStore } from '../../src/store/etcd/index.js';
import { startEtcd, type RunningEtcd } from './lib/etcd.js';

describe('etcd store', () => {
  let etcd: RunningEtcd | undefined;
  let n = 0;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });
  runStoreConformance('etcd', async () => {
    const store = new EtcdStore(etcd!.endpoint, { prefix: `/test-${process.pid}-${++n}` });
    return { store, cleanup: () => store.close() };
  });
});
