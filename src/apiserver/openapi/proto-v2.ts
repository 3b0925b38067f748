import { stringify as toYaml } from 'yaml';

/** A small protobuf writer: fields are appended in the order written. */
class ProtoWriter {
  private readonly chunks: Buffer[] = [];

  private varint(value: number): void {
    const bytes: number[] = [];
    let v = value;
    while (v > 0x7f) {
      bytes.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    bytes.push(v);
    this.chunks.push(Buffer.from(bytes));
  }

  string(field: number, value: string | undefined): this {
    if (value === undefined || value === '') return this;
    const bytes = Buffer.from(value, 'utf8');
    this.varint((field << 3) | 2);
    this.varint(bytes.length);
    this.chunks.push(bytes);
    return this;
  }

  strings(field: number, values: readonly string[] | undefined): this {
    for (const v of values ?? []) {
      const bytes = Buffer.from(v, 'utf8');
      this.varint((field << 3) | 2);
      this.varint(bytes.length);
      this.chunks.push(bytes);
    }
    return this;
  }

  bool(field: number, value: boolean | undefined): this {
    if (!value) return this;
    this.varint(field << 3);
    this.varint(1);
    return this;
  }

  message(field: number, inner: ProtoWriter | undefined): this {
    if (!inner) return this;
    const bytes = inner.finish();
    this.varint((field << 3) | 2);
    this.varint(bytes.length);
    this.chunks.push(bytes);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

type Json = Record<string, unknown>;
const w = () => new ProtoWriter();

/** gnostic NamedAny: a vendor extension whose value is carried as YAML text. */
function vendorExtensions(writer: ProtoWriter, field: number, object: Json): void {
  for (const [key, value] of Object.entries(object)) {
    if (!key.startsWith('x-')) continue;
    writer.message(field, w().string(1, key).message(2, w().string(2, toYaml(value))));
  }
}

function schema(s: Json): ProtoWriter {
  const out = w().string(1, s.$ref as string).string(2, s.format as string).string(4, s.description as string).strings(19, s.required as string[]);
  for (const e of (s.enum as unknown[]) ?? []) out.message(20, w().string(2, toYaml(e)));
  const additional = s.additionalProperties;
  if (typeof additional === 'object' && additional) out.message(21, w().message(1, schema(additional as Json)));
  else if (additional === true) out.message(21, w().bool(2, true));
  if (s.type) out.message(22, w().strings(1, [s.type as string]));
  if (s.items) out.message(23, w().message(1, schema(s.items as Json)));
  for (const a of (s.allOf as Json[]) ?? []) out.message(24, schema(a));
  if (s.properties) {
    const props = w();
    for (const [name, p] of Object.entries(s.properties as Record<string, Json>)) props.message(1, w().string(1, name).message(2, schema(p)));
    out.message(25, props);
  }
  vendorExtensions(out, 31, s);
  return out;
}

function parameter(p: Json): ProtoWriter {
  if (p.in === 'body') {
    return w().message(1, w().message(1, w().string(1, p.description as string).string(2, p.name as string).string(3, 'body').bool(4, p.required as boolean).message(5, schema(p.schema as Json))));
  }
  const sub = w().bool(1, p.required as boolean).string(2, p.in as string).string(3, p.description as string).string(4, p.name as string);
  if (p.in === 'path') sub.string(5, p.type as string).bool(19, p.uniqueItems as boolean);
  else sub.string(6, p.type as string).bool(20, p.uniqueItems as boolean);
  return w().message(1, w().message(2, w().message(p.in === 'path' ? 4 : 3, sub)));
}

function operation(op: Json): ProtoWriter {
  const out = w().strings(1, op.tags as string[]).string(3, op.description as string).string(5, op.operationId as string).strings(6, op.produces as string[]).strings(7, op.consumes as string[]);
  for (const p of (op.parameters as Json[]) ?? []) out.message(8, parameter(p));
  const responses = w();
  for (const [code, r] of Object.entries(op.responses as Record<string, Json>)) {
    const response = w().string(1, r.description as string);
    if (r.schema) response.message(2, w().message(1, schema(r.schema as Json)));
    responses.message(1, w().string(1, code).message(2, w().message(1, response)));
  }
  out.message(9, responses).strings(10, op.schemes as string[]);
  vendorExtensions(out, 13, op);
  return out;
}

const methodFields: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

/**
 * Encodes a Swagger 2.0 document (as `openApiV2Document` builds it) as gnostic's `openapi.v2.Document`
 * protobuf message, what kubectl reads from `/openapi/v2`.
 */
export function encodeOpenApiV2(doc: Json): Buffer {
  const info = doc.info as Json;
  const out = w().string(1, doc.swagger as string).message(2, w().string(1, info.title as string).string(2, info.version as string));
  const paths = w();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    const pathItem = w();
    for (const [method, field] of Object.entries(methodFields)) if (item[method]) pathItem.message(field, operation(item[method] as Json));
    for (const p of (item.parameters as Json[]) ?? []) pathItem.message(9, parameter(p));
    paths.message(2, w().string(1, path).message(2, pathItem));
  }
  out.message(8, paths);
  const definitions = w();
  for (const [name, s] of Object.entries(doc.definitions as Record<string, Json>)) definitions.message(1, w().string(1, name).message(2, schema(s)));
  out.message(9, definitions);
  for (const requirement of (doc.security as Record<string, string[]>[]) ?? []) {
    const r = w();
    for (const [name, scopes] of Object.entries(requirement)) r.message(1, w().string(1, name).message(2, w().strings(1, scopes)));
    out.message(12, r);
  }
  const securityDefinitions = w();
  for (const [name, d] of Object.entries((doc.securityDefinitions as Record<string, Json>) ?? {})) {
    securityDefinitions.message(1, w().string(1, name).message(2, w().message(2, w().string(1, d.type as string).string(2, d.name as string).string(3, d.in as string).string(4, d.description as string))));
  }
  out.message(13, securityDefinitions);
  return out.finish();
}
