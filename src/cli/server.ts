import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import {
  ApiServer,
  allResources,
  Authenticator,
  credentials,
  encodeBody,
  ensurePki,
  issueApiserverKubeletClient,
  issueKubeletServingCert,
  serveStreamUpgrades,
  startHttpsServer,
  withKubeletCertificates,
  writeKubeconfig,
} from '../apiserver/index.js';
import { Client, InProcessTransport } from '../client/index.js';
import { startControllers } from '../controllers/index.js';
import { explainHandler, explainPathPrefix, startSchedulerThread } from '../scheduler/index.js';
import { openStore } from '../store/index.js';
import { kubeletFlags, startKubelet } from './agent.js';
import { localAddresses } from './kubelet-tls.js';
import { userAgent } from './user-agent.js';
import type { FlagSpec } from './flags.js';

export const serverFlags: FlagSpec[] = [
  { name: 'data-dir', description: 'folder for the database, certificates and kubeconfig', default: process.getuid?.() === 0 ? '/var/lib/skiff' : './.skiff' },
  { name: 'https-listen-port', description: 'port of the API server', default: '6443' },
  { name: 'bind-address', description: 'address the API server listens on', default: '127.0.0.1' },
  { name: 'datastore-endpoint', description: 'etcd://host:port[,host:port] for etcd; empty for the embedded SQLite store', default: '' },
  { name: 'token-file', description: 'static bearer tokens, upstream CSV format: token,user,uid,"group1,group2"' },
  { name: 'disable-agent', description: 'do not run a kubelet for this machine', boolean: true },
  { name: 'cluster-cidr', description: 'pod network; each node gets a /24 from it', default: '10.42.0.0/16' },
  { name: 'service-cidr', description: 'virtual IP range of Services', default: '10.43.0.0/16' },
  { name: 'tls-san', description: 'extra names or IPs, comma-separated, for the serving certificate' },
  { name: 'scheduler-config', description: 'a KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1) for the scheduler' },
  { name: 'disable-scheduler', description: 'do not run the scheduler in this server', boolean: true },
  { name: 'log-level', description: 'trace, debug, info, warn or error', default: 'info' },
  ...kubeletFlags,
];

/** `skiff server`: the API server on the embedded (or etcd) store, ready in well under a second. */
export async function runServer(flags: Map<string, string>, signal: AbortSignal, out: (line: string) => void): Promise<void> {
  const started = performance.now();
  const logBase = { component: 'server' };
  const logger: Logger = pino({ level: flags.get('log-level') ?? 'info', base: logBase }, pino.destination(2));
  const dataDir = resolve(flags.get('data-dir')!);
  const port = Number(flags.get('https-listen-port'));
  const host = flags.get('bind-address')!;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--https-listen-port must be a port number, got ${flags.get('https-listen-port')}`);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  const extraHosts = (flags.get('tls-san') ?? '').split(',').filter(Boolean);
  if (host !== '0.0.0.0' && host !== '::') extraHosts.push(host);
  // the store opens (its worker thread boots) while the certificates are made or read
  const [secrets, opened] = await Promise.allSettled([
    Promise.all([ensurePki(dataDir, { hosts: extraHosts }), ensureNodeToken(dataDir)]),
    openStore(flags.get('datastore-endpoint'), dataDir, logger),
  ]);
  if (secrets.status === 'rejected') {
    if (opened.status === 'fulfilled') await opened.value.close();
    throw secrets.reason;
  }
  if (opened.status === 'rejected') throw opened.reason;
  const [pki, nodeToken] = secrets.value;
  const store = opened.value;
  const api = new ApiServer({ store, resources: allResources, logger: logger.child({ component: 'apiserver' }), serverAddress: `${host}:${port}`, kubeletClient: await issueApiserverKubeletClient(pki), serviceCidr: flags.get('service-cidr') });
  await api.start();

  const authenticator = await Authenticator.fromTokenFile(flags.get('token-file') || undefined, [
    { token: nodeToken, user: { name: 'system:node-joiner', groups: ['system:bootstrappers', 'system:nodes'] } },
  ]);
  const https = await startHttpsServer({ handler: withKubeletCertificates(pki, api.handle), authenticator, pki, port, host, logger: logger.child({ component: 'https' }), signal, metrics: api.metrics });
  const server = `https://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${https.port}`;
  serveStreamUpgrades({
    server: https.server,
    authenticate: (req) => authenticator.authenticate(credentials(req)),
    getPod: (namespace, name) => api.storage('', 'pods').get(namespace, name),
    kubelet: api.kubelet!,
    logger: logger.child({ component: 'apiserver' }),
  });
  const advertised = advertiseAddress(host);
  if (advertised) await api.publishApiService(advertised, https.port);
  else logger.warn('no routable IPv4 address on this machine: the kubernetes Service is not published');
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  await writeKubeconfig(kubeconfig, { server, caCert: pki.caCert, clientCert: pki.adminCert, clientKey: pki.adminKey });

  const controllerClient = new Client(new InProcessTransport(api.handle, { name: 'system:kube-controller-manager', groups: ['system:masters', 'system:authenticated'] }, { userAgent: userAgent('kube-controller-manager') }));
  const controllers = startControllers(controllerClient, logger.child({ component: 'controller-manager' }), signal, { clusterCidr: flags.get('cluster-cidr') });
  const scheduling =
    flags.get('disable-scheduler') === 'true'
      ? undefined
      : startSchedulerThread({
          // the thread's port decodes each body from JSON and sends each answer as JSON
          transport: new InProcessTransport(api.handle, { name: 'system:kube-scheduler', groups: ['system:masters', 'system:authenticated'] }, { handsOver: true, userAgent: userAgent('kube-scheduler') }),
          encodeBody,
          logger: logger.child({ component: 'scheduler' }),
          logging: { level: logger.level, base: logBase, bindings: { component: 'scheduler' } },
          signal,
          configPath: flags.get('scheduler-config') || undefined,
        });
  if (scheduling) {
    api.registerNonResource(explainPathPrefix, explainHandler((namespace, name) => scheduling.explain(namespace, name)));
    api.addMetricsSource(() => scheduling.metrics());
    // a bad configuration fails the start; the default one cannot, so the thread starts alongside
    if (flags.get('scheduler-config')) await scheduling.ready;
  }

  logger.info({ server, dataDir, store: flags.get('datastore-endpoint') || 'sqlite', readyMs: Math.round(performance.now() - started) }, 'API server ready');
  if (flags.get('disable-agent') !== 'true') {
    const nodeName = (flags.get('node-name') || hostname()).toLowerCase();
    const kubeletClient = new Client(new InProcessTransport(api.handle, { name: `system:node:${nodeName}`, groups: ['system:nodes', 'system:authenticated'] }, { userAgent: userAgent('kubelet') }));
    try {
      await startKubelet(new Map([...flags, ['node-name', nodeName]]), kubeletClient, dataDir, logger.child({ component: 'agent' }), signal, true, { ...issueKubeletServingCert(pki, nodeName, localAddresses()), caCert: pki.caCert });
    } catch (error) {
      if (flags.get('container-runtime') !== 'auto') throw error;
      logger.error(`no agent on this machine: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  out(`Skiff API server ready at ${server}`);
  out(`export KUBECONFIG=${kubeconfig}`);

  await new Promise<void>((resolveStop) => signal.addEventListener('abort', () => resolveStop(), { once: true }));
  logger.info('shutting down');
  await https.close();
  await controllers.catch((error: unknown) => logger.warn({ err: error }, 'controllers stopped with an error'));
  await scheduling?.done.catch((error: unknown) => logger.warn({ err: error }, 'scheduler stopped with an error'));
  api.stop();
  await store.close();
}

/**
 * The address the `kubernetes` Service's Endpoints name (upstream's --advertise-address): the
 * bind address when it is a routable IPv4, else this machine's first non-loopback IPv4 (k3s
 * advertises the node IP the same way). Undefined on a machine with loopback only.
 */
function advertiseAddress(host: string): string | undefined {
  if (isIP(host) === 4 && !host.startsWith('127.') && host !== '0.0.0.0') return host;
  return Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}

/** The node-join token, made once and kept in `<data-dir>/server/node-token`. */
async function ensureNodeToken(dataDir: string): Promise<string> {
  const path = join(dataDir, 'server', 'node-token');
  try {
    const token = (await readFile(path, 'utf8')).trim();
    if (token) return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(join(dataDir, 'server'), { recursive: true, mode: 0o700 });
  const token = `K10${randomBytes(24).toString('hex')}`;
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  void hostname;
  return token;
}
