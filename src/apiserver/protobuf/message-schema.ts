/**
 * The field tables of one protobuf package (e.g. `core.v1`), as upstream's generated.proto
 * declares them. Each field is written `'jsonName: type'`, where type is
 * - a scalar: `string`, `int32`, `int64`, `bool`, `bytes`, `double`;
 * - a special apimachinery type with its own JSON form: `Time`, `MicroTime` (RFC 3339 strings),
 *   `Quantity` (string), `IntOrString` (number or string), `RawExtension`, `FieldsV1` (embedded JSON);
 * - a message: `Name` in the same package or `pkg.v1.Name` in another;
 * - `[]T` for a repeated field, `map<T>` for a map with string keys.
 * A `?` suffix marks a scalar that Go holds as a pointer (kept in JSON even when zero); other
 * scalars at their zero value are left out, as Go's `omitempty` does. A `...` suffix marks a
 * message whose fields Go inlines into the parent's JSON (`json:",inline"`).
 */
export interface ProtoPackage {
  name: string;
  messages: Record<string, Record<number, string>>;
}

/** Field types read directly off the wire. */
export const scalarTypes = ['string', 'int32', 'int64', 'bool', 'bytes', 'double'] as const;
/** apimachinery types with their own wire form, decoded to their JSON form. */
export const specialTypes = ['Time', 'MicroTime', 'Quantity', 'IntOrString', 'RawExtension', 'FieldsV1'] as const;

export type ScalarType = (typeof scalarTypes)[number];
export type SpecialType = (typeof specialTypes)[number];

/** A value's type: a scalar, a special apimachinery type, or a message by its full name. */
export type ValueType =
  | { kind: 'scalar'; type: ScalarType }
  | { kind: 'special'; type: SpecialType }
  | { kind: 'message'; name: string };

/** One field of a message, resolved. */
export interface FieldDef {
  json: string;
  value: ValueType;
  repeated: boolean;
  map: boolean;
  pointer: boolean;
  inline: boolean;
}

/** A message: its fields by number. */
export type MessageDef = Map<number, FieldDef>;

/** Every message of the given packages by full name (`core.v1.Pod`), with all references checked. */
export class MessageSchema {
  private readonly messages = new Map<string, MessageDef>();

  constructor(packages: readonly ProtoPackage[]) {
    for (const pkg of packages) {
      for (const [name, fields] of Object.entries(pkg.messages)) {
        const full = `${pkg.name}.${name}`;
        if (this.messages.has(full)) throw new Error(`protobuf message ${full} is declared twice`);
        const def: MessageDef = new Map();
        for (const [number, spec] of Object.entries(fields)) def.set(Number(number), parseField(pkg.name, full, spec));
        this.messages.set(full, def);
      }
    }
    for (const [full, def] of this.messages) {
      for (const field of def.values()) {
        if (field.value.kind === 'message' && !this.messages.has(field.value.name)) {
          throw new Error(`protobuf message ${full} field ${field.json} refers to unknown message ${field.value.name}`);
        }
      }
    }
  }

  /** The message of that full name; throws when it is unknown. */
  message(name: string): MessageDef {
    const def = this.messages.get(name);
    if (!def) throw new Error(`unknown protobuf message ${name}`);
    return def;
  }

  /** Whether a message of that full name is declared. */
  has(name: string): boolean {
    return this.messages.has(name);
  }
}

function parseField(pkg: string, message: string, spec: string): FieldDef {
  const match = /^(\w+): (\[\])?(map<)?(\w+(?:\.\w+)*)(>)?(\?|\.\.\.)?$/.exec(spec);
  if (!match || Boolean(match[3]) !== Boolean(match[5])) throw new Error(`protobuf message ${message}: bad field spec '${spec}'`);
  const [, json, repeated, map, type, , suffix] = match;
  return {
    json,
    value: valueType(pkg, type),
    repeated: Boolean(repeated),
    map: Boolean(map),
    pointer: suffix === '?',
    inline: suffix === '...',
  };
}

function valueType(pkg: string, type: string): ValueType {
  if ((scalarTypes as readonly string[]).includes(type)) return { kind: 'scalar', type: type as ScalarType };
  if ((specialTypes as readonly string[]).includes(type)) return { kind: 'special', type: type as SpecialType };
  return { kind: 'message', name: type.includes('.') ? type : `${pkg}.${type}` };
}
