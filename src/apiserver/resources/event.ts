import { defaultEvent, validateEvent, type KubeObject } from '../../api/index.js';
import { eventColumns, type EventView } from './event-table.js';
import type { ResourceDef } from './resource-def.js';

interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

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

const involved = (field: keyof ObjectReference) => (object: KubeObject) => (object as CoreEvent).involvedObject?.[field] ?? '';

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
    'involvedObject.kind': involved('kind'),
    'involvedObject.namespace': involved('namespace'),
    'involvedObject.name': involved('name'),
    'involvedObject.uid': involved('uid'),
    'involvedObject.apiVersion': involved('apiVersion'),
    'involvedObject.resourceVersion': involved('resourceVersion'),
    'involvedObject.fieldPath': involved('fieldPath'),
    reason: (object) => (object as CoreEvent).reason ?? '',
    reportingComponent: (object) => (object as CoreEvent).reportingComponent ?? '',
    source: (object) => (object as CoreEvent).source?.component || (object as CoreEvent).reportingComponent || '',
    type: (object) => (object as CoreEvent).type ?? '',
  },
};
