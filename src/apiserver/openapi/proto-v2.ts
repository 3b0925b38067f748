import { stringify as toYaml } from 'yaml';
import { ProtoWriter } from '../../api/index.js';

type Json = Record<string, unknown>;

/** gnostic NamedAny: a vendor extension whose value is carried as YAML text. */
function vendorExtensions(w: ProtoWriter, field: number, object: Json): void {
  for (const [key, value] of Object.entries(object)) {
    if (!key.startsWith('x-')) continue;
    w.begin(field).string(1, key).begin(2).string(2, toYaml(value)).end().end();
  }
}

function schema(w: ProtoWriter, field: number, s: Json): void {
  w.begin(field).string(1, s.$ref as string).string(2, s.format as string).string(4, s.description as string).strings(19, s.required as string[]);
  for (const e of (s.enum as unknown[]) ?? []) w.begin(20).string(2, toYaml(e)).end();
  const additional = s.additionalProperties;
  if (typeof additional === 'object' && additional) {
    w.begin(21);
    schema(w, 1, additional as Json);
    w.end();
  } else if (additional === true) w.begin(21).bool(2, true).end();
  if (s.type) w.begin(22).strings(1, [s.type as string]).end();
  if (s.items) {
    w.begin(23);
    schema(w, 1, s.items as Json);
    w.end();
  }
  for (const a of (s.allOf as Json[]) ?? []) schema(w, 24, a);
  if (s.properties) {
    w.begin(25);
    for (const [name, p] of Object.entries(s.properties as Record<string, Json>)) {
      w.begin(1).string(1, name);
      schema(w, 2, p);
      w.end();
    }
    w.end();
  }
  vendorExtensions(w, 31, s);
  w.end();
}

function parameter(w: ProtoWriter, field: number, p: Json): void {
  w.begin(field);
  if (p.in === 'body') {
    w.begin(1).begin(1).string(1, p.description as string).string(2, p.name as string).string(3, 'body').bool(4, p.required as boolean);
    schema(w, 5, p.schema as Json);
    w.end().end();
  } else {
    w.begin(1).begin(2).begin(p.in === 'path' ? 4 : 3);
    w.bool(1, p.required as boolean).string(2, p.in as string).string(3, p.description as string).string(4, p.name as string);
    if (p.in === 'path') w.string(5, p.type as string).bool(19, p.uniqueItems as boolean);
    else w.string(6, p.type as string).bool(20, p.uniqueItems as boolean);
    w.end().end().end();
  }
  w.end();
}

function operation(w: ProtoWriter, field: number, op: Json): void {
  w.begin(field).strings(1, op.tags as string[]).string(3, op.description as string).string(5, op.operationId as string).strings(6, op.produces as string[]).strings(7, op.consumes as string[]);
  for (const p of (op.parameters as Json[]) ?? []) parameter(w, 8, p);
  w.begin(9);
  for (const [code, r] of Object.entries(op.responses as Record<string, Json>)) {
    w.begin(1).string(1, code).begin(2).begin(1).string(1, r.description as string);
    if (r.schema) {
      w.begin(2);
      schema(w, 1, r.schema as Json);
      w.end();
    }
    w.end().end().end();
  }
  w.end().strings(10, op.schemes as string[]);
  vendorExtensions(w, 13, op);
  w.end();
}

const methodFields: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

/**
 * Encodes a Swagger 2.0 document (as `openApiV2Document` builds it) as gnostic's `openapi.v2.Document`
 * protobuf message, what kubectl reads from `/openapi/v2`.
 */
export function encodeOpenApiV2(doc: Json): Buffer {
  const info = doc.info as Json;
  const w = new ProtoWriter(1 << 18).string(1, doc.swagger as string).begin(2).string(1, info.title as string).string(2, info.version as string).end();
  w.begin(8);
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    w.begin(2).string(1, path).begin(2);
    for (const [method, field] of Object.entries(methodFields)) if (item[method]) operation(w, field, item[method] as Json);
    for (const p of (item.parameters as Json[]) ?? []) parameter(w, 9, p);
    w.end().end();
  }
  w.end().begin(9);
  for (const [name, s] of Object.entries(doc.definitions as Record<string, Json>)) {
    w.begin(1).string(1, name);
    schema(w, 2, s);
    w.end();
  }
  w.end();
  for (const requirement of (doc.security as Record<string, string[]>[]) ?? []) {
    w.begin(12);
    for (const [name, scopes] of Object.entries(requirement)) w.begin(1).string(1, name).begin(2).strings(1, scopes).end().end();
    w.end();
  }
  w.begin(13);
  for (const [name, d] of Object.entries((doc.securityDefinitions as Record<string, Json>) ?? {})) {
    w.begin(1).string(1, name).begin(2).begin(2).string(1, d.type as string).string(2, d.name as string).string(3, d.in as string).string(4, d.description as string).end().end().end();
  }
  w.end();
  return Buffer.from(w.finish());
}
