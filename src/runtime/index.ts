export * from './types.js';
export { SimRuntime, type SimBehavior, type SimRuntimeOptions } from './sim/sim-runtime.js';
export { OciRuntime, masqueradePresent, masqueradeTable, removeMasquerade, type OciRuntimeOptions } from './oci/index.js';
export { HostRuntime, type HostRuntimeOptions } from './host/index.js';
export { createRuntime, type CreateRuntimeOptions } from './create-runtime.js';
export { findOnPath } from './find-on-path.js';
