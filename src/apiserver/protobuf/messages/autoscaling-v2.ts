import type { ProtoPackage } from '../message-schema.js';

/**
 * Field tables of `k8s.io/api/autoscaling/v2/generated.proto` (Kubernetes 1.33): field number →
 * `jsonName: type`. See message-schema.ts for the notation.
 */
export const autoscalingV2: ProtoPackage = {
  name: 'autoscaling.v2',
  messages: {
    CrossVersionObjectReference: { 1: 'kind: string', 2: 'name: string', 3: 'apiVersion: string' },
    MetricTarget: {
      1: 'type: string', 2: 'value: Quantity?', 3: 'averageValue: Quantity?', 4: 'averageUtilization: int32?',
    },
    MetricIdentifier: { 1: 'name: string', 2: 'selector: meta.v1.LabelSelector' },
    ObjectMetricSource: {
      1: 'describedObject: CrossVersionObjectReference', 2: 'target: MetricTarget',
      3: 'metric: MetricIdentifier',
    },
    PodsMetricSource: { 1: 'metric: MetricIdentifier', 2: 'target: MetricTarget' },
    ResourceMetricSource: { 1: 'name: string', 2: 'target: MetricTarget' },
    ContainerResourceMetricSource: { 1: 'name: string', 2: 'target: MetricTarget', 3: 'container: string' },
    ExternalMetricSource: { 1: 'metric: MetricIdentifier', 2: 'target: MetricTarget' },
    MetricSpec: {
      1: 'type: string', 2: 'object: ObjectMetricSource', 3: 'pods: PodsMetricSource',
      4: 'resource: ResourceMetricSource', 5: 'external: ExternalMetricSource',
      7: 'containerResource: ContainerResourceMetricSource',
    },
    HPAScalingPolicy: { 1: 'type: string', 2: 'value: int32', 3: 'periodSeconds: int32' },
    HPAScalingRules: {
      1: 'selectPolicy: string?', 2: 'policies: []HPAScalingPolicy', 3: 'stabilizationWindowSeconds: int32?',
      4: 'tolerance: Quantity?',
    },
    HorizontalPodAutoscalerBehavior: { 1: 'scaleUp: HPAScalingRules', 2: 'scaleDown: HPAScalingRules' },
    HorizontalPodAutoscalerSpec: {
      1: 'scaleTargetRef: CrossVersionObjectReference', 2: 'minReplicas: int32?', 3: 'maxReplicas: int32',
      4: 'metrics: []MetricSpec', 5: 'behavior: HorizontalPodAutoscalerBehavior',
    },
    MetricValueStatus: {
      1: 'value: Quantity?', 2: 'averageValue: Quantity?', 3: 'averageUtilization: int32?',
    },
    ObjectMetricStatus: {
      1: 'metric: MetricIdentifier', 2: 'current: MetricValueStatus',
      3: 'describedObject: CrossVersionObjectReference',
    },
    PodsMetricStatus: { 1: 'metric: MetricIdentifier', 2: 'current: MetricValueStatus' },
    ResourceMetricStatus: { 1: 'name: string', 2: 'current: MetricValueStatus' },
    ContainerResourceMetricStatus: {
      1: 'name: string', 2: 'current: MetricValueStatus', 3: 'container: string',
    },
    ExternalMetricStatus: { 1: 'metric: MetricIdentifier', 2: 'current: MetricValueStatus' },
    MetricStatus: {
      1: 'type: string', 2: 'object: ObjectMetricStatus', 3: 'pods: PodsMetricStatus',
      4: 'resource: ResourceMetricStatus', 5: 'external: ExternalMetricStatus',
      7: 'containerResource: ContainerResourceMetricStatus',
    },
    HorizontalPodAutoscalerCondition: {
      1: 'type: string', 2: 'status: string', 3: 'lastTransitionTime: Time', 4: 'reason: string',
      5: 'message: string',
    },
    HorizontalPodAutoscalerStatus: {
      1: 'observedGeneration: int64?', 2: 'lastScaleTime: Time?', 3: 'currentReplicas: int32',
      4: 'desiredReplicas: int32', 5: 'currentMetrics: []MetricStatus',
      6: 'conditions: []HorizontalPodAutoscalerCondition',
    },
    HorizontalPodAutoscaler: {
      1: 'metadata: meta.v1.ObjectMeta', 2: 'spec: HorizontalPodAutoscalerSpec',
      3: 'status: HorizontalPodAutoscalerStatus',
    },
  },
};
