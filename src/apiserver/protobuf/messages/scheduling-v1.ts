import type { ProtoPackage } from '../message-schema.js';

/**
 * Field tables of `k8s.io/api/scheduling/v1/generated.proto` (Kubernetes 1.33): field number →
 * `jsonName: type`. See message-schema.ts for the notation.
 */
export const schedulingV1: ProtoPackage = {
  name: 'scheduling.v1',
  messages: {
    PriorityClass: {
      1: 'metadata: meta.v1.ObjectMeta', 2: 'value: int32', 3: 'globalDefault: bool',
      4: 'description: string', 5: 'preemptionPolicy: string?',
    },
  },
};
