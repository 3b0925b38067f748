/** The `oci` container runtime: runc containers, CNI pod networks, the image store. */
export { OciRuntime, type OciRuntimeOptions } from './oci-runtime.js';
export { buildOciSpec, processArgs, processEnv, DEFAULT_CAPABILITIES, type OciSpecInput } from './oci-spec.js';
export { CriLogWriter, formatCriRecord, parseCriRecord, rfc3339Nano, MAX_LOG_LINE, type LogStream } from './cri-log-writer.js';
export { ImageStore } from './images/index.js';
export { ContainerManager, type ContainerRecord } from './containers.js';
export { HostSupport } from './host-support.js';
export { masqueradeTable, masqueradePresent, removeMasquerade } from './masquerade.js';
