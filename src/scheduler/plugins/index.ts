/**
 * The in-tree plugins, one file each, under their upstream names.
 * @module
 */
import { Registry, type Handle } from '../framework/index.js';
import { DefaultBinder } from './default-binder.js';
import { ImageLocality } from './image-locality.js';
import { NodeAffinity } from './node-affinity.js';
import { NodeName } from './node-name.js';
import { NodePorts } from './node-ports.js';
import { NodeResourcesBalancedAllocation } from './node-resources-balanced-allocation.js';
import { NodeResourcesFit } from './node-resources-fit.js';
import { NodeUnschedulable } from './node-unschedulable.js';
import { PrioritySort } from './priority-sort.js';
import { SchedulingGates } from './scheduling-gates.js';
import { TaintToleration } from './taint-toleration.js';
import { InterPodAffinity } from './inter-pod-affinity.js';
import { PodTopologySpread } from './pod-topology-spread.js';
import { DefaultPreemption } from './default-preemption.js';

export { DefaultBinder, ImageLocality, NodeAffinity, NodeName, NodePorts, NodeResourcesBalancedAllocation, NodeResourcesFit, NodeUnschedulable, PrioritySort, SchedulingGates, TaintToleration };
export { errReasonPod } from './node-affinity.js';
export { errReasonNodeName } from './node-name.js';
export { errReasonNodePorts } from './node-ports.js';
export { errReasonUnschedulable } from './node-unschedulable.js';
export { fitsRequest, nodeResourcesFitArgs, type NodeResourcesFitArgs, type InsufficientResource } from './node-resources-fit.js';
export { normalizedImageName } from './image-locality.js';
export { matchNodeSelectorRequirement, matchNodeSelectorTerm, matchNodeSelectorTerms, matchNodeSelectorMap, podMatchesNodeSelectorAndAffinity } from './node-selector.js';
export { toleratesTaint, taintToleratedByTolerations, findMatchingUntoleratedTaint } from './taints.js';
export { InterPodAffinity, PodTopologySpread, DefaultPreemption };
export { errReasonAffinityRulesNotMatch, errReasonAntiAffinityRulesNotMatch, errReasonExistingAntiAffinityRulesNotMatch } from './inter-pod-affinity.js';
export { errReasonConstraintsNotMatch, errReasonNodeLabelNotMatch } from './pod-topology-spread.js';
export { defaultNormalizeScore } from './normalize-score.js';
export { podRequests, allocatableAndRequested, defaultResourceSpecs, type ResourceSpec } from './resource-allocation.js';

/** The in-tree plugins by upstream name. */
export function inTreeRegistry(): Registry {
  return new Registry({
    [PrioritySort.pluginName]: () => new PrioritySort(),
    [SchedulingGates.pluginName]: () => new SchedulingGates(),
    [NodeName.pluginName]: () => new NodeName(),
    [NodeUnschedulable.pluginName]: () => new NodeUnschedulable(),
    [NodePorts.pluginName]: () => new NodePorts(),
    [NodeResourcesFit.pluginName]: (args) => new NodeResourcesFit(args),
    [NodeResourcesBalancedAllocation.pluginName]: (args) => new NodeResourcesBalancedAllocation(args),
    [NodeAffinity.pluginName]: () => new NodeAffinity(),
    [TaintToleration.pluginName]: () => new TaintToleration(),
    [ImageLocality.pluginName]: (_args, handle: Handle) => new ImageLocality(handle),
    [DefaultBinder.pluginName]: (_args, handle: Handle) => new DefaultBinder(handle),
    [InterPodAffinity.pluginName]: (args, handle: Handle) => new InterPodAffinity(args, handle),
    [PodTopologySpread.pluginName]: (args, handle: Handle) => new PodTopologySpread(args, handle),
    [DefaultPreemption.pluginName]: (args, handle: Handle) => new DefaultPreemption(args, handle),
  });
}
