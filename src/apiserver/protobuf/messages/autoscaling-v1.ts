import type { ProtoPackage } from '../message-schema.js';

/**
 * Field tables of `k8s.io/api/autoscaling/v1/generated.proto` (Kubernetes 1.33): field number →
 * `jsonName: type`. See message-schema.ts for the notation.
 */
export const autoscalingV1: ProtoPackage = {
  name: 'autoscaling.v1',
  messages: {
    ScaleSpec: { 1: 'replicas: int32' },
    ScaleStatus: { 1: 'replicas: int32', 2: 'selector: string' },
    Scale: { 1: 'metadata: meta.v1.ObjectMeta', 2: 'spec: ScaleSpec', 3: 'status: ScaleStatus' },
  },
};
