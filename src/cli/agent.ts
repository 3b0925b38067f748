import { mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { Client, HttpsTransport } from '../client/index.js';
import { Kubelet } from '../kubelet/index.js';
import { createRuntime, type CreateRuntimeOptions } from '../runtime/index.js';
import type { FlagSpec } from './flags.js';
import { fetchKubeletTls, startKubeletHttps, type KubeletTls } from './kubelet-tls.js';
import { userAgent } from './user-agent.js';

/** Flags of the kubelet, shared by `skiff server` (its own agent) and `skiff agent`. */
export const kubeletFlags: FlagSpec[] = [
  { name: 'node-name', description: 'name of this node (lower-cased hostname unless told)' },
  { name: 'node-labels', description: 'extra node labels, key=value,key2=value2' },
  { name: 'register-with-taints', description: 'taints to register the node with, key=value:Effect,…' },
  { name: 'pod-manifest-path', description: 'static pod folder (default <data-dir>/manifests)' },
  { name: 'manifest-url', description: 'URL of a Pod or PodList to run as static pods' },
  { name: 'container-runtime', description: 'auto, oci, host or sim (sim: no processes, for tests and scale work)', default: 'auto' },
  { name: 'cluster-dns', description: 'DNS server IPs for pods with dnsPolicy ClusterFirst, comma-separated' },
  { name: 'cluster-domain', description: 'cluster DNS domain', default: 'cluster.local' },
  { name: 'cni-bridge', description: 'Linux bridge of the pod network (oci runtime)', default: 'skiff0' },
  { name: 'kubelet-port', description: 'port of the kubelet API (logs, exec, attach); default 10250, a free port when 10250 is taken' },
];

export const agentFlags: FlagSpec[] = [
  { name: 'server', description: 'URL of the API server, https://host:6443' },
  { name: 'token', description: 'node-join token (<data-dir>/server/node-token on the server)' },
  { name: 'ca-file', description: 'PEM of the cluster CA (<data-dir>/tls/ca.crt on the server); unverified TLS when absent' },
  { name: 'data-dir', description: 'folder for pods, logs and images', default: process.getuid?.() === 0 ? '/var/lib/skiff' : './.skiff' },
  { name: 'log-level', description: 'trace, debug, info, warn or error', default: 'info' },
  ...kubeletFlags,
];

function parseLabels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`--node-labels: want key=value, got ${part}`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

function parseTaints(text: string | undefined): { key: string; value?: string; effect: string }[] {
  return (text ?? '')
    .split(',')
    .filter(Boolean)
    .map((t) => {
      const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(t);
      if (!m) throw new Error(`--register-with-taints: want key=value:Effect, got ${t}`);
      return { key: m[1]!, ...(m[2] !== undefined ? { value: m[2] } : {}), effect: m[3]! };
    });
}

/** Builds and starts the kubelet for this machine on `client`, with its HTTPS server (logs, exec, attach) on `tls`. */
export async function startKubelet(flags: Map<string, string>, client: Client, dataDir: string, logger: Logger, signal: AbortSignal, controlPlane: boolean, tls: KubeletTls): Promise<Kubelet> {
  const nodeName = (flags.get('node-name') || hostname()).toLowerCase();
  const { runtime, why } = createRuntime({ prefer: (flags.get('container-runtime') || 'auto') as CreateRuntimeOptions['prefer'], dataDir, logger: logger.child({ component: 'runtime' }), bridge: flags.get('cni-bridge') || undefined });
  logger.info({ runtime: runtime.name, version: runtime.version, node: nodeName }, `container runtime ${runtime.name}: ${why}`);
  await mkdir(dataDir, { recursive: true });
  const https = await startKubeletHttps({ flag: flags.get('kubelet-port'), runtime, tls, logger, signal });
  const kubelet = new Kubelet({
    nodeName,
    runtime,
    client,
    dataDir,
    logger,
    podManifestPath: flags.get('pod-manifest-path') || join(dataDir, 'manifests'),
    manifestUrl: flags.get('manifest-url') || undefined,
    nodeLabels: parseLabels(flags.get('node-labels')),
    taints: parseTaints(flags.get('register-with-taints')),
    controlPlane,
    clusterDNS: (flags.get('cluster-dns') ?? '').split(',').filter(Boolean),
    clusterDomain: flags.get('cluster-domain') ?? 'cluster.local',
    kubeletPort: https.port,
    waitForPodCIDR: runtime.name === 'oci',
  });
  await kubelet.start(signal);
  signal.addEventListener('abort', () => void runtime.close(), { once: true });
  return kubelet;
}

/** `skiff agent --server URL --token T`: a kubelet for this machine joining a cluster. */
export async function runAgent(flags: Map<string, string>, signal: AbortSignal, out: (line: string) => void): Promise<void> {
  const logger: Logger = pino({ level: flags.get('log-level') ?? 'info', base: { component: 'agent' } }, pino.destination(2));
  const server = flags.get('server');
  const token = flags.get('token');
  if (!server || !token) throw new Error('skiff agent needs --server URL and --token T (the token is in <data-dir>/server/node-token on the server)');
  const caFile = flags.get('ca-file');
  const ca = caFile ? await readFile(caFile, 'utf8') : undefined;
  if (!ca) logger.warn('no --ca-file: the server certificate is not verified');
  const client = new Client(new HttpsTransport({ server, token, ...(ca ? { ca } : { insecureSkipTLSVerify: true }) }, { userAgent: userAgent('kubelet') }));
  const dataDir = resolve(flags.get('data-dir')!);
  const nodeName = (flags.get('node-name') || hostname()).toLowerCase();
  const tls = await fetchKubeletTls({ server, token, ca, nodeName });
  const kubelet = await startKubelet(new Map([...flags, ['node-name', nodeName]]), client, dataDir, logger, signal, false, tls);
  out(`Skiff agent running for node ${kubelet.nodeName}`);
  await new Promise<void>((done) => signal.addEventListener('abort', () => done(), { once: true }));
  logger.info('shutting down');
}
