import type { ProtoPackage } from '../message-schema.js';

/**
 * Field tables of `k8s.io/api/coordination/v1/generated.proto` (Kubernetes 1.33): field number →
 * `jsonName: type`. See message-schema.ts for the notation.
 */
export const coordinationV1: ProtoPackage = {
  name: 'coordination.v1',
  messages: {
    LeaseSpec: {
      1: 'holderIdentity: string?', 2: 'leaseDurationSeconds: int32?', 3: 'acquireTime: MicroTime?',
      4: 'renewTime: MicroTime?', 5: 'leaseTransitions: int32?', 6: 'strategy: string?',
      7: 'preferredHolder: string?',
    },
    Lease: { 1: 'metadata: meta.v1.ObjectMeta', 2: 'spec: LeaseSpec' },
  },
};
