import { definitions } from '../../api/index.js';
import type { ResourceDef } from '../resources/resource-def.js';
import { commonDefinitions, endpointsOf, queryParameters, type Endpoint } from './endpoints.js';
import { reachableDefinitions, renderSchema } from './schema-refs.js';

const prefix = '#/definitions/';
const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

function schemaFor(name: string): Record<string, unknown> {
  if (name === 'string' || name === 'object') return { type: name };
  return { $ref: `${prefix}${name}` };
}

function operation(e: Endpoint): Record<string, unknown> {
  const op: Record<string, unknown> = { description: e.description };
  op.consumes = e.method === 'patch' ? patchTypes : ['*/*'];
  op.produces = e.response === 'string' ? ['*/*'] : ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
  op.schemes = ['https'];
  op.tags = [e.tag];
  op.operationId = e.operationId;
  const parameters: Record<string, unknown>[] = [];
  if (e.body) parameters.push({ name: 'body', in: 'body', required: e.method !== 'delete', schema: schemaFor(e.body) });
  for (const q of e.query) parameters.push({ uniqueItems: true, type: queryParameters[q].type, description: queryParameters[q].description, name: q, in: 'query' });
  if (parameters.length > 0) op.parameters = parameters;
  const responses: Record<string, unknown> = { '200': { description: 'OK', schema: schemaFor(e.response) } };
  if (e.created) responses['201'] = { description: 'Created', schema: schemaFor(e.response) };
  if (e.method === 'delete') responses['202'] = { description: 'Accepted', schema: schemaFor(e.response) };
  responses['401'] = { description: 'Unauthorized' };
  op.responses = responses;
  op['x-kubernetes-action'] = e.action;
  if (e.gvk) op['x-kubernetes-group-version-kind'] = e.gvk;
  return op;
}

/** The Swagger 2.0 document of the whole API (`/openapi/v2`), as JSON. */
export function openApiV2Document(defs: ResourceDef[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const refs = new Set<string>(commonDefinitions);
  for (const e of endpointsOf(defs)) {
    const item = (paths[e.path] ??= {
      parameters: [
        ...e.pathParameters.map((p) => ({ uniqueItems: true, type: 'string', description: p === 'namespace' ? 'object name and auth scope, such as for teams and projects' : 'name of the resource', name: p, in: 'path', required: true })),
        { uniqueItems: true, type: 'string', description: "If 'true', then the output is pretty printed.", name: 'pretty', in: 'query' },
      ],
    });
    item[e.method] = operation(e);
    for (const name of [e.body, e.response]) if (name && definitions[name]) refs.add(name);
  }
  const defsOut = Object.fromEntries(reachableDefinitions(refs).map((name) => [name, renderSchema(definitions[name], prefix, false)]));
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version },
    paths,
    definitions: defsOut,
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}
