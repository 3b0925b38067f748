import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { LeaderElector, SharedInformerFactory, type Client } from '../client/index.js';
import { runController } from './controller.js';
import { NamespaceController } from './namespace.js';
import { NodeIpamController } from './node-ipam.js';

export { runController, type Reconciler, type Result } from './controller.js';
export { NamespaceController } from './namespace.js';
export { NodeIpamController } from './node-ipam.js';

/**
 * The controller manager: while this process holds the `kube-system/kube-controller-manager`
 * Lease, its controllers run on one shared informer factory. Several servers on one etcd
 * therefore run one set of controllers.
 */
export async function startControllers(client: Client, logger: Logger, signal: AbortSignal, options: { clusterCidr?: string } = {}): Promise<void> {
  const elector = new LeaderElector({
    client,
    namespace: 'kube-system',
    name: 'kube-controller-manager',
    identity: `${hostname()}_${randomUUID()}`,
    logger,
    onStartedLeading: async (leading) => {
      logger.info('became leader; starting controllers');
      const informers = new SharedInformerFactory(client);
      informers.start(leading);
      const controllers = [
        new NamespaceController(client, informers, logger.child({ controller: 'namespace' })),
        new NodeIpamController(client, informers, logger.child({ controller: 'node-ipam' }), options.clusterCidr),
      ];
      await Promise.all(controllers.map((c) => runController(c, { logger, signal: leading })));
    },
    onStoppedLeading: () => logger.info('stopped leading'),
  });
  await elector.run(signal);
}
