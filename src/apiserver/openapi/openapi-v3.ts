import { definitions } from '../../api/index.js';
import type { ResourceDef } from '../resources/resource-def.js';
import { commonDefinitions, endpointsOf, queryParameters, type Endpoint } from './endpoints.js';
import { reachableDefinitions, renderSchema } from './schema-refs.js';

const prefix = '#/components/schemas/';
const answerTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const patchTypes = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

function schemaFor(name: string): Record<string, unknown> {
  if (name === 'string' || name === 'object') return { type: name };
  return { $ref: `${prefix}${name}` };
}

function parameter(name: string, location: 'path' | 'query'): Record<string, unknown> {
  if (location === 'path') {
    const description = name === 'namespace' ? 'object name and auth scope, such as for teams and projects' : `name of the resource`;
    return { name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } };
  }
  const q = queryParameters[name];
  return { name, in: 'query', description: q.description, schema: { type: q.type, uniqueItems: true } };
}

function operation(e: Endpoint): Record<string, unknown> {
  const op: Record<string, unknown> = { tags: [e.tag], description: e.description, operationId: e.operationId };
  if (e.query.length > 0) op.parameters = e.query.map((q) => parameter(q, 'query'));
  if (e.body) {
    const types = e.method === 'patch' ? patchTypes : ['*/*'];
    op.requestBody = { content: Object.fromEntries(types.map((t) => [t, { schema: schemaFor(e.body!) }])), required: e.method !== 'delete' };
  }
  const content = e.response === 'string' ? { '*/*': { schema: { type: 'string' } } } : Object.fromEntries(answerTypes.map((t) => [t, { schema: schemaFor(e.response) }]));
  const responses: Record<string, unknown> = { '200': { description: 'OK', content } };
  if (e.created) responses['201'] = { description: 'Created', content };
  if (e.method === 'delete') responses['202'] = { description: 'Accepted', content };
  responses['401'] = { description: 'Unauthorized' };
  op.responses = responses;
  op['x-kubernetes-action'] = e.action;
  if (e.gvk) op['x-kubernetes-group-version-kind'] = e.gvk;
  return op;
}

/**
 * The OpenAPI v3 document of one group-version (`/openapi/v3/api/v1`): every operation of its
 * resources and the schemas they reach, named as upstream names them.
 */
export function openApiV3Document(defs: ResourceDef[], version: string): Record<string, unknown> {
  const endpoints = endpointsOf(defs);
  const paths: Record<string, Record<string, unknown>> = {};
  const refs = new Set<string>(commonDefinitions);
  for (const e of endpoints) {
    const item = (paths[e.path] ??= { parameters: [...e.pathParameters.map((p) => parameter(p, 'path')), { name: 'pretty', in: 'query', description: "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).", schema: { type: 'string', uniqueItems: true } }] });
    item[e.method] = operation(e);
    for (const name of [e.body, e.response]) if (name && definitions[name]) refs.add(name);
  }
  const schemas = Object.fromEntries(reachableDefinitions(refs).map((name) => [name, renderSchema(definitions[name], prefix, true)]));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version },
    paths,
    components: { schemas, securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } } },
  };
}
