export { ApiServer, kubernetesVersion, type ApiServerOptions, type NonResourceHandler } from './api-server.js';
export { allResources } from './resources/index.js';
export type { ResourceDef, TableColumn } from './resources/resource-def.js';
export { Authenticator, parseTokenFile, type TokenEntry } from './authn.js';
export { credentials, startHttpsServer, type HttpsServer, type HttpsServerOptions } from './https-server.js';
export { renderKubeconfig, writeKubeconfig, type KubeconfigOptions } from './kubeconfig.js';
export { ensurePki, issueClientCert, type Pki, type CertKeyPair } from './pki.js';
export { issueApiserverKubeletClient, issueKubeletServingCert, kubeletCertificatePath, withKubeletCertificates } from './kubelet-certs.js';
export { serveStreamUpgrades, type StreamProxyOptions } from './pod-stream-proxy.js';
