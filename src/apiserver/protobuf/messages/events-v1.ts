import type { ProtoPackage } from '../message-schema.js';

/**
 * Field tables of `k8s.io/api/events/v1/generated.proto` (Kubernetes 1.33): field number →
 * `jsonName: type`. See message-schema.ts for the notation.
 */
export const eventsV1: ProtoPackage = {
  name: 'events.v1',
  messages: {
    EventSeries: { 1: 'count: int32', 2: 'lastObservedTime: MicroTime' },
    Event: {
      1: 'metadata: meta.v1.ObjectMeta', 2: 'eventTime: MicroTime', 3: 'series: EventSeries',
      4: 'reportingController: string', 5: 'reportingInstance: string', 6: 'action: string',
      7: 'reason: string', 8: 'regarding: core.v1.ObjectReference', 9: 'related: core.v1.ObjectReference',
      10: 'note: string', 11: 'type: string', 12: 'deprecatedSource: core.v1.EventSource',
      13: 'deprecatedFirstTimestamp: Time', 14: 'deprecatedLastTimestamp: Time', 15: 'deprecatedCount: int32',
    },
  },
};
