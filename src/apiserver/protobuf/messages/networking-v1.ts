import type { ProtoPackage } from '../message-schema.js';

/**
 * Field tables of `k8s.io/api/networking/v1/generated.proto` (Kubernetes 1.33): field number →
 * `jsonName: type`. See message-schema.ts for the notation.
 */
export const networkingV1: ProtoPackage = {
  name: 'networking.v1',
  messages: {
    ServiceBackendPort: { 1: 'name: string', 2: 'number: int32' },
    IngressServiceBackend: { 1: 'name: string', 2: 'port: ServiceBackendPort' },
    IngressBackend: { 3: 'resource: core.v1.TypedLocalObjectReference', 4: 'service: IngressServiceBackend' },
    IngressTLS: { 1: 'hosts: []string', 2: 'secretName: string' },
    HTTPIngressPath: { 1: 'path: string', 2: 'backend: IngressBackend', 3: 'pathType: string?' },
    HTTPIngressRuleValue: { 1: 'paths: []HTTPIngressPath' },
    IngressRuleValue: { 1: 'http: HTTPIngressRuleValue' },
    IngressRule: { 1: 'host: string', 2: 'ingressRuleValue: IngressRuleValue...' },
    IngressSpec: {
      1: 'defaultBackend: IngressBackend', 2: 'tls: []IngressTLS', 3: 'rules: []IngressRule',
      4: 'ingressClassName: string?',
    },
    IngressPortStatus: { 1: 'port: int32', 2: 'protocol: string', 3: 'error: string?' },
    IngressLoadBalancerIngress: { 1: 'ip: string', 2: 'hostname: string', 4: 'ports: []IngressPortStatus' },
    IngressLoadBalancerStatus: { 1: 'ingress: []IngressLoadBalancerIngress' },
    IngressStatus: { 1: 'loadBalancer: IngressLoadBalancerStatus' },
    Ingress: { 1: 'metadata: meta.v1.ObjectMeta', 2: 'spec: IngressSpec', 3: 'status: IngressStatus' },
    IngressClassParametersReference: {
      1: 'apiGroup: string?', 2: 'kind: string', 3: 'name: string', 4: 'scope: string?',
      5: 'namespace: string?',
    },
    IngressClassSpec: { 1: 'controller: string', 2: 'parameters: IngressClassParametersReference' },
    IngressClass: { 1: 'metadata: meta.v1.ObjectMeta', 2: 'spec: IngressClassSpec' },
    NetworkPolicyPort: { 1: 'protocol: string?', 2: 'port: IntOrString?', 3: 'endPort: int32?' },
    IPBlock: { 1: 'cidr: string', 2: 'except: []string' },
    NetworkPolicyPeer: {
      1: 'podSelector: meta.v1.LabelSelector', 2: 'namespaceSelector: meta.v1.LabelSelector',
      3: 'ipBlock: IPBlock',
    },
    NetworkPolicyIngressRule: { 1: 'ports: []NetworkPolicyPort', 2: 'from: []NetworkPolicyPeer' },
    NetworkPolicyEgressRule: { 1: 'ports: []NetworkPolicyPort', 2: 'to: []NetworkPolicyPeer' },
    NetworkPolicySpec: {
      1: 'podSelector: meta.v1.LabelSelector', 2: 'ingress: []NetworkPolicyIngressRule',
      3: 'egress: []NetworkPolicyEgressRule', 4: 'policyTypes: []string',
    },
    NetworkPolicy: { 1: 'metadata: meta.v1.ObjectMeta', 2: 'spec: NetworkPolicySpec' },
  },
};
