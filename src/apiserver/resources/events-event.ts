import { defaultEvent, validateEventsV1Event, type KubeObject } from '../../api/index.js';
import { eventColumns, objectReferenceSelectors, type EventView, type ObjectReference } from './event-table.js';
import type { ResourceDef } from './resource-def.js';

interface EventsEvent extends KubeObject {
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
  reportingController?: string;
  reportingInstance?: string;
  action?: string;
  reason?: string;
  regarding?: ObjectReference;
  note?: string;
  type?: string;
  deprecatedSource?: { component?: string; host?: string };
  deprecatedFirstTimestamp?: string;
  deprecatedLastTimestamp?: string;
  deprecatedCount?: number;
}

function view(object: KubeObject): EventView {
  const event = object as EventsEvent;
  return {
    name: event.metadata.name ?? '',
    involvedKind: event.regarding?.kind ?? '',
    involvedName: event.regarding?.name ?? '',
    fieldPath: event.regarding?.fieldPath ?? '',
    type: event.type ?? '',
    reason: event.reason ?? '',
    message: event.note ?? '',
    sourceComponent: event.deprecatedSource?.component ?? '',
    sourceHost: event.deprecatedSource?.host ?? '',
    reportingController: event.reportingController ?? '',
    reportingInstance: event.reportingInstance ?? '',
    firstTimestamp: event.deprecatedFirstTimestamp ?? undefined,
    lastTimestamp: event.deprecatedLastTimestamp ?? undefined,
    eventTime: event.eventTime ?? undefined,
    count: event.deprecatedCount ?? 0,
    series: event.series ?? undefined,
  };
}

const regarding = (object: KubeObject) => (object as EventsEvent).regarding;
const source = (object: KubeObject) => (object as EventsEvent).deprecatedSource?.component || (object as EventsEvent).reportingController || '';
const reportingController = (object: KubeObject) => (object as EventsEvent).reportingController ?? '';

/** events.k8s.io/v1 field names and the core/v1 Event fields they are (upstream's conversion). */
const renamed: [eventsField: string, coreField: string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['reportingController', 'reportingComponent'],
];

function rename(object: KubeObject, pairs: [from: string, to: string][], apiVersion: string): KubeObject {
  const out: KubeObject = { ...object, apiVersion, kind: 'Event' };
  for (const [from, to] of pairs) {
    delete out[from];
    if (object[from] !== undefined) out[to] = object[from];
  }
  return out;
}

/**
 * events.k8s.io/v1 events: the same objects as core/v1 events (one store, converted on the way
 * in and out), the same table, and field selectors by either API's names.
 */
export const eventsEvents: ResourceDef = {
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  noStatus: true,
  omitNameColumn: true,
  storedAs: {
    group: '',
    plural: 'events',
    toStored: (object) => rename(object, renamed, 'v1'),
    fromStored: (object) => rename(object, renamed.map(([e, c]) => [c, e]), 'events.k8s.io/v1'),
  },
  defaults: defaultEvent,
  validate: validateEventsV1Event,
  columns: eventColumns(view),
  fieldSelectors: {
    ...objectReferenceSelectors('regarding', regarding),
    ...objectReferenceSelectors('involvedObject', regarding),
    reason: (object) => (object as EventsEvent).reason ?? '',
    reportingController,
    reportingComponent: reportingController,
    source,
    type: (object) => (object as EventsEvent).type ?? '',
  },
};
