export * from './types.js';
export { SimRuntime, type SimBehavior, type SimRuntimeOptions } from './sim/sim-runtime.js';
