import type { FieldDef, MessageSchema, ScalarType, SpecialType, ValueType } from './message-schema.js';
import { ProtoReader, ProtoWireError, WireType } from '../../api/index.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * Decodes one protobuf message into the JSON object Go's encoding/json would print for the same
 * value: only fields that are set, maps as objects, bytes as base64, times as RFC 3339 strings.
 * Unknown fields are skipped; malformed bytes throw ProtoWireError.
 */
export function decodeMessage(schema: MessageSchema, name: string, bytes: Uint8Array): JsonObject {
  const out: JsonObject = {};
  decodeInto(schema, name, bytes, out);
  return out;
}

function decodeInto(schema: MessageSchema, name: string, bytes: Uint8Array, out: JsonObject): void {
  const def = schema.message(name);
  const reader = new ProtoReader(bytes);
  while (reader.next()) {
    const { field: number, wire } = reader;
    const field = def.get(number);
    if (!field) {
      reader.skip();
      continue;
    }
    if (field.inline) {
      decodeInto(schema, messageName(field), expectBytes(reader, wire, field), out);
    } else if (field.map) {
      const map = (out[field.json] ??= {}) as JsonObject;
      const [key, value] = mapEntry(schema, field.value, expectBytes(reader, wire, field));
      map[key] = value;
    } else if (field.repeated) {
      const list = (out[field.json] ??= []) as Json[];
      if (wire === WireType.bytes && field.value.kind === 'scalar' && isVarintScalar(field.value.type)) {
        const packed = reader.message();
        while (packed.more()) list.push(readScalar(packed, WireType.varint, field.value.type, field));
      } else {
        const value = readValue(schema, reader, wire, field.value, field);
        if (value !== undefined) list.push(value);
      }
    } else if (field.value.kind === 'message') {
      const target = (out[field.json] ??= {}) as JsonObject;
      decodeInto(schema, field.value.name, expectBytes(reader, wire, field), target);
    } else {
      const value = readValue(schema, reader, wire, field.value, field);
      if (value === undefined || (!field.pointer && isZero(value))) {
        delete out[field.json];
      } else {
        out[field.json] = value;
      }
    }
  }
}

function messageName(field: FieldDef): string {
  if (field.value.kind !== 'message') throw new Error(`inline field ${field.json} is not a message`);
  return field.value.name;
}

function readValue(schema: MessageSchema, reader: ProtoReader, wire: number, type: ValueType, field: FieldDef): Json | undefined {
  switch (type.kind) {
    case 'scalar':
      return readScalar(reader, wire, type.type, field);
    case 'special':
      return readSpecial(type.type, expectBytes(reader, wire, field));
    case 'message':
      return decodeMessage(schema, type.name, expectBytes(reader, wire, field));
  }
}

function readScalar(reader: ProtoReader, wire: number, type: ScalarType, field: FieldDef): Json {
  const expected = type === 'double' ? WireType.fixed64 : isVarintScalar(type) ? WireType.varint : WireType.bytes;
  if (wire !== expected) throw new ProtoWireError(`field ${field.json}: wire type ${wire} does not fit ${type}`);
  switch (type) {
    case 'string':
      return reader.string();
    case 'bytes':
      return Buffer.from(reader.bytes()).toString('base64');
    case 'int32':
      return reader.int32();
    case 'int64':
      return reader.int64();
    case 'bool':
      return reader.bool();
    case 'double':
      return reader.double();
  }
}

function isVarintScalar(type: ScalarType): boolean {
  return type === 'int32' || type === 'int64' || type === 'bool';
}

function expectBytes(reader: ProtoReader, wire: number, field: FieldDef): Uint8Array {
  if (wire !== WireType.bytes) throw new ProtoWireError(`field ${field.json}: wire type ${wire} where a message was expected`);
  return reader.bytes();
}

function isZero(value: Json): boolean {
  return value === '' || value === 0 || value === false;
}

function mapEntry(schema: MessageSchema, type: ValueType, bytes: Uint8Array): [string, Json] {
  const reader = new ProtoReader(bytes);
  const entryField: FieldDef = { json: 'value', value: type, repeated: false, map: false, pointer: true, inline: false };
  let key = '';
  let value: Json | undefined;
  while (reader.next()) {
    const { field, wire } = reader;
    if (field === 1) {
      if (wire !== WireType.bytes) throw new ProtoWireError(`map key: wire type ${wire} does not fit string`);
      key = reader.string();
    } else if (field === 2) value = readValue(schema, reader, wire, type, entryField);
    else reader.skip();
  }
  return [key, value ?? zeroValue(schema, type)];
}

function zeroValue(schema: MessageSchema, type: ValueType): Json {
  if (type.kind === 'message') return {};
  if (type.kind === 'special') return readSpecial(type.type, new Uint8Array()) ?? null;
  return type.type === 'string' || type.type === 'bytes' ? '' : type.type === 'bool' ? false : 0;
}

function readSpecial(type: SpecialType, bytes: Uint8Array): Json | undefined {
  const reader = new ProtoReader(bytes);
  const fields = new Map<number, { wire: number; value: number | Uint8Array }>();
  while (reader.next()) {
    const { field, wire } = reader;
    if (wire === WireType.varint) fields.set(field, { wire, value: type === 'IntOrString' && field === 2 ? reader.int32() : reader.int64() });
    else if (wire === WireType.bytes) fields.set(field, { wire, value: reader.bytes() });
    else reader.skip();
  }
  const num = (n: number): number => {
    const f = fields.get(n);
    return f && typeof f.value === 'number' ? f.value : 0;
  };
  const raw = (n: number): Uint8Array | undefined => {
    const f = fields.get(n);
    return f && typeof f.value !== 'number' ? f.value : undefined;
  };
  const text = (n: number): string => Buffer.from(raw(n) ?? new Uint8Array()).toString('utf8');
  switch (type) {
    case 'Time':
    case 'MicroTime':
      if (fields.size === 0) return undefined;
      return formatTime(num(1), num(2), type === 'MicroTime');
    case 'Quantity':
      return text(1) || '0';
    case 'IntOrString':
      return num(1) === 1 ? text(3) : num(2);
    case 'RawExtension':
    case 'FieldsV1': {
      const json = raw(1);
      if (!json || json.length === 0) return undefined;
      try {
        return JSON.parse(Buffer.from(json).toString('utf8')) as Json;
      } catch {
        throw new ProtoWireError(`${type} does not hold JSON`);
      }
    }
  }
}

/** RFC 3339 as metav1.Time (whole seconds) or metav1.MicroTime (six fractional digits) print it, in UTC. */
function formatTime(seconds: number, nanos: number, micro: boolean): string {
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (!micro) return `${iso}Z`;
  return `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}
