/** The `host` container runtime: plain processes without isolation, for machines without runc or root. */
export { HostRuntime, type HostRuntimeOptions } from './host-runtime.js';
