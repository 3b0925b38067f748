import { FieldSet } from './managed-fields-set.js';

/** One entry of `metadata.managedFields` (meta/v1 ManagedFieldsEntry). */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** A manager's entry with its fields decoded. */
export interface ManagerFields {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
  fields: FieldSet;
}

/** Whether two entries name the same manager: Apply entries by name, Update entries also by apiVersion. */
export function sameManager(a: Omit<ManagerFields, 'fields'>, b: Omit<ManagerFields, 'fields'>): boolean {
  return (
    a.manager === b.manager &&
    a.operation === b.operation &&
    (a.subresource ?? '') === (b.subresource ?? '') &&
    (a.operation === 'Apply' || a.apiVersion === b.apiVersion)
  );
}

/** Decodes `metadata.managedFields`; entries that are not FieldsV1 are dropped. */
export function decodeManagedFields(value: unknown): ManagerFields[] {
  if (!Array.isArray(value)) return [];
  const out: ManagerFields[] = [];
  for (const e of value as Partial<ManagedFieldsEntry>[]) {
    if (typeof e !== 'object' || e === null || (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1')) continue;
    if (e.operation !== 'Apply' && e.operation !== 'Update') continue;
    out.push({
      manager: e.manager ?? '',
      operation: e.operation,
      apiVersion: e.apiVersion ?? '',
      time: e.time,
      subresource: e.subresource || undefined,
      fields: FieldSet.fromFieldsV1(e.fieldsV1),
    });
  }
  return out;
}

/** Encodes managers in upstream's order (Apply before Update, then time, manager, apiVersion); empty ones are dropped. */
export function encodeManagedFields(managers: ManagerFields[]): ManagedFieldsEntry[] {
  const order = (a: ManagerFields, b: ManagerFields): number =>
    cmp(a.operation, b.operation) || cmp(a.time ?? '', b.time ?? '') || cmp(a.manager, b.manager) || cmp(a.apiVersion, b.apiVersion) || cmp(a.subresource ?? '', b.subresource ?? '');
  return managers
    .filter((m) => !m.fields.empty)
    .sort(order)
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      ...(m.time ? { time: m.time } : {}),
      fieldsType: 'FieldsV1' as const,
      fieldsV1: m.fields.toFieldsV1(),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How a manager is named in conflict messages, as upstream prints it. */
export function describeManager(m: Omit<ManagerFields, 'fields'>): string {
  let text = JSON.stringify(m.manager);
  if (m.subresource) text += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') text += ` using ${m.apiVersion}`;
  return text;
}
