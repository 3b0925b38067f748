import { fieldError, type FieldError } from '../errors.js';

/** Loosely typed JSON object, as specs arrive on the wire. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

/** `Required value` (with an optional detail). */
export function required(path: string, detail?: string): FieldError {
  return fieldError('FieldValueRequired', path, detail);
}

/** `Invalid value: <value>: <detail>` */
export function invalidValue(path: string, value: unknown, detail?: string): FieldError {
  return fieldError('FieldValueInvalid', path, detail, value === undefined ? null : value);
}

/** `Forbidden: <detail>` */
export function forbidden(path: string, detail: string): FieldError {
  return fieldError('FieldValueForbidden', path, detail);
}

/** `Duplicate value: <value>` */
export function duplicate(path: string, value: unknown): FieldError {
  return fieldError('FieldValueDuplicate', path, undefined, value);
}

/** `Not found: <value>` */
export function notFound(path: string, value: unknown): FieldError {
  return fieldError('FieldValueNotFound', path, undefined, value);
}

/** `Unsupported value: <value>: supported values: "a", "b"` */
export function notSupported(path: string, value: unknown, supported: readonly string[]): FieldError {
  return fieldError('FieldValueNotSupported', path, `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`, value);
}

/** `must be greater than or equal to 0` for a negative number. */
export function nonNegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalidValue(path, value, 'must be greater than or equal to 0')] : [];
}

/** One Invalid error per message from a string validator. */
export function each(path: string, value: unknown, msgs: string[]): FieldError[] {
  return msgs.map((m) => invalidValue(path, value, m));
}

/** The object at `key`, created empty when absent. */
export function child(obj: Obj, key: string): Obj {
  if (typeof obj[key] !== 'object' || obj[key] === null) obj[key] = {};
  return obj[key] as Obj;
}

/** Sets `obj[key]` when it is undefined or null. */
export function setDefault(obj: Obj, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

/** The array at `obj[key]`, or an empty one. */
export function list(obj: Obj | undefined, key: string): Obj[] {
  const v = obj?.[key];
  return Array.isArray(v) ? v : [];
}

/** Deep equality for JSON values, ignoring key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a).filter((k) => (a as Obj)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Obj)[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual((a as Obj)[k], (b as Obj)[k]));
  }
  return false;
}

/** An error whose value is already printed the way upstream's Go formatting prints it. */
export function rawError(type: FieldError['type'], path: string, printedValue: string, detail?: string): FieldError {
  const wording: Partial<Record<FieldError['type'], string>> = { FieldValueInvalid: 'Invalid value', FieldValueDuplicate: 'Duplicate value', FieldValueNotSupported: 'Unsupported value' };
  return { type, field: path, message: `${wording[type] ?? 'Invalid value'}: ${printedValue}${detail ? `: ${detail}` : ''}` };
}

/**
 * A map as upstream (1.34+) prints composite values in field errors: Go's encoding/json, keys
 * sorted, no spaces (`{"a":"b","c":"d"}`); `null` for nil.
 */
export function goJsonMap(m: Record<string, unknown> | undefined | null): string {
  if (m === undefined || m === null) return 'null';
  return `{${Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`)
    .join(',')}}`;
}

/** A list as upstream (1.34+) prints it in field errors (`["a","b"]`, `null` for nil). */
export function goJsonList(s: unknown[] | undefined | null): string {
  return s === undefined || s === null ? 'null' : JSON.stringify(s);
}

/** An int-or-string as upstream prints it (IntOrString is a Stringer: `25%`, `1`). */
export function intOrStringText(v: unknown): string {
  return v === undefined || v === null ? '0' : String(v);
}
