import type { Logger } from 'pino';
import { SharedInformerFactory, type Client } from '../client/index.js';
import { runController } from './controller.js';
import { NamespaceController } from './namespace.js';

export { runController, type Reconciler, type Result } from './controller.js';
export { NamespaceController } from './namespace.js';

/** Starts the controller manager's controllers on one shared informer factory. */
export function startControllers(client: Client, logger: Logger, signal: AbortSignal): Promise<void[]> {
  const informers = new SharedInformerFactory(client);
  informers.start(signal);
  const controllers = [new NamespaceController(client, informers, logger.child({ controller: 'namespace' }))];
  return Promise.all(controllers.map((c) => runController(c, { logger, signal })));
}
