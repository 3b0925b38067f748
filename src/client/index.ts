/**
 * The client library every component is built on.
 *
 * ```ts
 * const client = new Client(new InProcessTransport(apiServer.handle, user)); // or fromKubeconfigPath()
 * const factory = new SharedInformerFactory(client, { logger });
 * const pods = factory.informerFor<Pod>('pods');
 * const queue = new WorkQueue<string>({ signal });
 * pods.addEventHandler({ onAdd: (p) => queue.add(objectKey(p)), onUpdate: (_, p) => queue.add(objectKey(p)) });
 * factory.start(signal);
 * await factory.waitForSync(signal);
 * ```
 *
 * Tests use `FakeClock` (here) and `FakeApiHandler` (from `./testing/index.js`).
 * @module
 */
export { type Clock, type TimerHandle, realClock, FakeClock, settle, sleep } from './clock.js';
export { type Transport, type TransportRequest, type TransportResponse, errorFromResponse, isStatus, abortable } from './transport.js';
export { InProcessTransport, type InProcessTransportOptions } from './in-process-transport.js';
export { PortTransport, PortTransportServer } from './port-transport.js';
export { HttpsTransport, type HttpsTransportOptions, fromKubeconfigPath } from './https-transport.js';
export { type ClusterCredentials, loadKubeconfig, parseKubeconfig, defaultKubeconfigPath } from './kubeconfig.js';
export { type ResourceType, type WellKnownResource, wellKnownResources, apiVersionOf, resourcePath } from './resource-type.js';
export {
  ResourceClient,
  type ListOptions,
  type WatchOptions,
  type WriteOptions,
  type PatchOptions,
  type DeleteOptions,
  type PatchType,
} from './resource-client.js';
export { Client } from './client.js';
export {
  IndexedStore,
  type IndexFunc,
  Indexes,
  objectKey,
  splitObjectKey,
  byNamespace,
  byNodeName,
  byOwnerUid,
  byLabel,
  defaultIndexers,
} from './indexed-store.js';
export { Informer, trimManagedFields, type InformerOptions, type EventHandlers } from './informer.js';
export { SharedInformerFactory, type InformerSelection, type InformerFactoryOptions } from './informer-factory.js';
export {
  type RateLimiter,
  ItemExponentialFailureRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
} from './rate-limiter.js';
export { WorkQueue, type WorkQueueOptions } from './work-queue.js';
export { LeaderElector, type LeaderElectionOptions, type Lease, formatMicroTime } from './leader-election.js';
export { type Logger, silentLogger } from './logger.js';
