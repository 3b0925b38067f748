export { EtcdStore, parseEtcdEndpoint, DEFAULT_ETCD_REQUEST_TIMEOUT_MS, type EtcdStoreOptions } from './etcd-store.js';
export { EtcdClient, EtcdWatchCanceledError, type EtcdClientOptions, type EtcdWatch, type EtcdWatchHandlers } from './etcd-client.js';
export { GrpcError, GrpcCode } from './grpc-frames.js';
export type * from './etcd-messages.js';
