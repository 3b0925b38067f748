import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { LeaderElector, SharedInformerFactory, type Client, type Clock } from '../client/index.js';
import { runController } from './controller.js';
import { NamespaceController } from './namespace.js';
import { NodeIpamController } from './node-ipam.js';

export { runController, type Reconciler, type Result } from './controller.js';
export { NamespaceController } from './namespace.js';
export { NodeIpamController } from './node-ipam.js';

/** Options of the controller manager. */
export interface ControllerManagerOptions {
  /** `--cluster-cidr`, from which node-ipam gives each Node its podCIDR */
  clusterCidr?: string;
  /** this candidate for the Lease (default `<hostname>_<uuid>`) */
  identity?: string;
  /** the LeaderElector's clock (tests) */
  clock?: Clock;
}

/**
 * The controller manager: while this process holds the `kube-system/kube-controller-manager`
 * Lease, its controllers run on one shared informer factory. Several servers on one etcd
 * therefore run one set of controllers. On losing the Lease (a renewal that did not get through
 * within the renew deadline, e.g. while etcd stalled) the controllers and informers stop, and once
 * they have, the manager stands for the Lease again, as upstream's kube-controller-manager does by
 * exiting and being restarted. Resolves when `signal` aborts.
 */
export async function startControllers(client: Client, logger: Logger, signal: AbortSignal, options: ControllerManagerOptions = {}): Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const elector = new LeaderElector({
    client,
    namespace: 'kube-system',
    name: 'kube-controller-manager',
    identity: options.identity ?? `${hostname()}_${randomUUID()}`,
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
    onStartedLeading: (leading) => {
      logger.info('became leader; starting controllers');
      const informers = new SharedInformerFactory(client);
      informers.start(leading);
      const controllers = [
        new NamespaceController(client, informers, logger.child({ controller: 'namespace' })),
        new NodeIpamController(client, informers, logger.child({ controller: 'node-ipam' }), options.clusterCidr),
      ];
      running = Promise.allSettled(controllers.map((c) => runController(c, { logger, signal: leading }))).then((results) => {
        for (const r of results) if (r.status === 'rejected') logger.error({ err: r.reason }, 'a controller stopped with an error');
      });
      return running;
    },
    onStoppedLeading: () => logger.info('stopped leading'),
  });
  while (!signal.aborted) {
    await elector.run(signal);
    await running;
    if (!signal.aborted) logger.warn('lost the kube-controller-manager lease; controllers stopped, standing for it again');
  }
}
