export { EtcdStore, parseEtcdEndpoint, type EtcdStoreOptions } from './etcd-store.js';
