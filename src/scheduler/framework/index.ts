/**
 * The scheduling framework, in upstream's shape (pkg/scheduler/framework): extension point
 * interfaces, `Status`, `CycleState`, `NodeInfo`, `Snapshot`, profiles and the plugin registry.
 * @module
 */
export * from './types.js';
export { Code, Status, isSuccess } from './status.js';
export { CycleState, type StateData } from './cycle-state.js';
export { Resource, computePodResourceRequest, milliValue, unitValue, defaultMilliCPURequest, defaultMemoryRequest } from './resource.js';
export { NodeInfo, PodInfo, HostPortInfo, podHostPorts, nextGeneration, noImageStates, type ImageStateSummary } from './node-info.js';
export { Snapshot } from './snapshot.js';
export { NodeColumns, Col, ColFlag, colStride } from './node-columns.js';
export * from './events.js';
export * from './interface.js';
export { Registry } from './registry.js';
export * from './profile.js';
export { type Diagnosis, newDiagnosis, FitError, fitErrorMessage, compareGoStrings } from './diagnosis.js';
export { Framework, type FrameworkOptions, type ScoreTable } from './runtime.js';
