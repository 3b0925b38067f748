import { translateTimestampSince, type KubeObject } from '../../api/index.js';
import type { TableColumn } from './resource-def.js';

/** A core/v1 ObjectReference: an event's `involvedObject` (`regarding` in events.k8s.io/v1). */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

const referenceFields = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'] as const;

/** Field selectors `<prefix>.kind` … `<prefix>.fieldPath` over the object reference an event is about. */
export function objectReferenceSelectors(prefix: string, reference: (object: KubeObject) => ObjectReference | undefined): Record<string, (object: KubeObject) => string> {
  return Object.fromEntries(referenceFields.map((field) => [`${prefix}.${field}`, (object: KubeObject) => reference(object)?.[field] ?? '']));
}

/** The fields upstream's event printer reads, in core/v1 terms. */
export interface EventView {
  name: string;
  involvedKind: string;
  involvedName: string;
  fieldPath: string;
  type: string;
  reason: string;
  message: string;
  sourceComponent: string;
  sourceHost: string;
  reportingController: string;
  reportingInstance: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  count: number;
  series?: { count?: number; lastObservedTime?: string };
}

function firstSeen(event: EventView, now: Date): string {
  return event.firstTimestamp ? translateTimestampSince(event.firstTimestamp, now) : translateTimestampSince(event.eventTime, now);
}

function lastSeen(event: EventView, now: Date): string {
  if (event.series) return translateTimestampSince(event.series.lastObservedTime, now);
  return event.lastTimestamp ? translateTimestampSince(event.lastTimestamp, now) : firstSeen(event, now);
}

function count(event: EventView): number {
  if (event.series) return event.series.count ?? 0;
  return event.count || 1;
}

function target(event: EventView): string {
  const kind = event.involvedKind.toLowerCase();
  return event.involvedName ? `${kind}/${event.involvedName}` : kind;
}

function source(event: EventView): string {
  const component = event.sourceComponent || event.reportingController;
  const instance = event.sourceHost || event.reportingInstance;
  return instance ? `${component}, ${instance}` : component;
}

/**
 * upstream's event columns (LAST SEEN TYPE REASON OBJECT MESSAGE, wide SUBOBJECT SOURCE FIRST SEEN
 * COUNT NAME), for either event API; `view` reads the object in core/v1 terms.
 */
export function eventColumns(view: (object: KubeObject) => EventView): TableColumn[] {
  return [
    { name: 'Last Seen', type: 'string', priority: 0, description: 'The time at which the most recent occurrence of this event was recorded.', cell: (o, now) => lastSeen(view(o), now) },
    { name: 'Type', type: 'string', priority: 0, description: 'Type of this event (Normal, Warning), new types could be added in the future', cell: (o) => view(o).type },
    {
      name: 'Reason',
      type: 'string',
      priority: 0,
      description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
      cell: (o) => view(o).reason,
    },
    { name: 'Object', type: 'string', priority: 0, description: 'The object that this event is about.', cell: (o) => target(view(o)) },
    {
      name: 'Subobject',
      type: 'string',
      priority: 1,
      description:
        'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
      cell: (o) => view(o).fieldPath,
    },
    { name: 'Source', type: 'string', priority: 1, description: 'The component reporting this event. Should be a short machine understandable string.', cell: (o) => source(view(o)) },
    { name: 'Message', type: 'string', priority: 0, description: 'A human-readable description of the status of this operation.', cell: (o) => view(o).message.trim() },
    { name: 'First Seen', type: 'string', priority: 1, description: 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', cell: (o, now) => firstSeen(view(o), now) },
    { name: 'Count', type: 'string', priority: 1, description: 'The number of times this event has occurred.', cell: (o) => count(view(o)) },
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      priority: 1,
      description:
        'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
      cell: (o) => view(o).name,
    },
  ];
}
