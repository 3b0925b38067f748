import { defaultEvent, validateEvent, type KubeObject } from '../../api/index.js';
import { eventColumns, objectReferenceSelectors, type EventView, type ObjectReference } from './event-table.js';
import type { ResourceDef } from './resource-def.js';

interface CoreEvent extends KubeObject {
  involvedObject?: ObjectReference;
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string;
  lastTimestamp?: string;
  count?: number;
  type?: string;
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

function view(object: KubeObject): EventView {
  const event = object as CoreEvent;
  return {
    name: event.metadata.name ?? '',
    involvedKind: event.involvedObject?.kind ?? '',
    involvedName: event.involvedObject?.name ?? '',
    fieldPath: event.involvedObject?.fieldPath ?? '',
    type: event.type ?? '',
    reason: event.reason ?? '',
    message: event.message ?? '',
    sourceComponent: event.source?.component ?? '',
    sourceHost: event.source?.host ?? '',
    reportingController: event.reportingComponent ?? '',
    reportingInstance: event.reportingInstance ?? '',
    firstTimestamp: event.firstTimestamp ?? undefined,
    lastTimestamp: event.lastTimestamp ?? undefined,
    eventTime: event.eventTime ?? undefined,
    count: event.count ?? 0,
    series: event.series ?? undefined,
  };
}

/** core/v1 events. */
export const events: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  noStatus: true,
  omitNameColumn: true,
  defaults: defaultEvent,
  validate: validateEvent,
  columns: eventColumns(view),
  fieldSelectors: {
    ...objectReferenceSelectors('involvedObject', (object) => (object as CoreEvent).involvedObject),
    reason: (object) => (object as CoreEvent).reason ?? '',
    reportingComponent: (object) => (object as CoreEvent).reportingComponent ?? '',
    source: (object) => (object as CoreEvent).source?.component || (object as CoreEvent).reportingComponent || '',
    type: (object) => (object as CoreEvent).type ?? '',
  },
};
