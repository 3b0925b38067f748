export { ApiServer, kubernetesVersion, type ApiServerOptions, type NonResourceHandler } from './api-server.js';
export { allResources } from './resources/index.js';
export type { ResourceDef, TableColumn } from './resources/resource-def.js';
