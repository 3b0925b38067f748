import type { ProtoPackage } from '../message-schema.js';

/**
 * Field tables of `k8s.io/api/policy/v1/generated.proto` (Kubernetes 1.33): field number →
 * `jsonName: type`. See message-schema.ts for the notation.
 */
export const policyV1: ProtoPackage = {
  name: 'policy.v1',
  messages: {
    PodDisruptionBudgetSpec: {
      1: 'minAvailable: IntOrString?', 2: 'selector: meta.v1.LabelSelector',
      3: 'maxUnavailable: IntOrString?', 4: 'unhealthyPodEvictionPolicy: string?',
    },
    PodDisruptionBudgetStatus: {
      1: 'observedGeneration: int64', 2: 'disruptedPods: map<Time>', 3: 'disruptionsAllowed: int32',
      4: 'currentHealthy: int32', 5: 'desiredHealthy: int32', 6: 'expectedPods: int32',
      7: 'conditions: []meta.v1.Condition',
    },
    PodDisruptionBudget: {
      1: 'metadata: meta.v1.ObjectMeta', 2: 'spec: PodDisruptionBudgetSpec',
      3: 'status: PodDisruptionBudgetStatus',
    },
    Eviction: { 1: 'metadata: meta.v1.ObjectMeta', 2: 'deleteOptions: meta.v1.DeleteOptions' },
  },
};
