import type { ProtoPackage } from '../message-schema.js';

/**
 * Field tables of `k8s.io/api/discovery/v1/generated.proto` (Kubernetes 1.33): field number →
 * `jsonName: type`. See message-schema.ts for the notation.
 */
export const discoveryV1: ProtoPackage = {
  name: 'discovery.v1',
  messages: {
    EndpointConditions: { 1: 'ready: bool?', 2: 'serving: bool?', 3: 'terminating: bool?' },
    ForZone: { 1: 'name: string' },
    ForNode: { 1: 'name: string' },
    EndpointHints: { 1: 'forZones: []ForZone', 2: 'forNodes: []ForNode' },
    Endpoint: {
      1: 'addresses: []string', 2: 'conditions: EndpointConditions', 3: 'hostname: string?',
      4: 'targetRef: core.v1.ObjectReference', 5: 'deprecatedTopology: map<string>', 6: 'nodeName: string?',
      7: 'zone: string?', 8: 'hints: EndpointHints',
    },
    EndpointPort: {
      1: 'name: string?', 2: 'protocol: string?', 3: 'port: int32?', 4: 'appProtocol: string?',
    },
    EndpointSlice: {
      1: 'metadata: meta.v1.ObjectMeta', 2: 'endpoints: []Endpoint', 3: 'ports: []EndpointPort',
      4: 'addressType: string',
    },
  },
};
