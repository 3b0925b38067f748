/**
 * Simulated nodes for capacity planning and benchmarks (like kwok): Nodes and Leases through the
 * API, bound pods turned Running without containers.
 *
 * ```ts
 * const sim = new SimNodes({ client, count: 100, namePrefix: 'sim-', cpu: '8', memory: '32Gi', pods: 110, labels: parseLabelSpec('topology.kubernetes.io/zone=a|b|c') });
 * await sim.run(signal); // removes its nodes when signal aborts
 * ```
 * @module
 */
export { SimNodes, type SimNodesOptions } from './sim-nodes.js';
export { parseLabelSpec, simNode, simNodeName, simulatedNodeLabel, type SimNodeShape } from './sim-node-spec.js';
export { forEachBounded } from './bounded.js';
