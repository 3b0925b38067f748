import { definitionNameOf, definitions, type GroupVersionKind } from '../../api/index.js';
import { allVerbs, type ResourceDef } from '../resources/resource-def.js';

/** What `x-kubernetes-action` says an operation does. */
export type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'watch' | 'watchlist' | 'connect';

/** One operation of the API, from which both OpenAPI versions are written. */
export interface Endpoint {
  path: string;
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  action: Action;
  operationId: string;
  description: string;
  tag: string;
  gvk?: GroupVersionKind;
  /** definition name of the request body; 'Patch' bodies use the meta Patch type */
  body?: string;
  /** definition name of the 200/201 answer, or 'string' for text */
  response: string;
  /** query parameter names, see `queryParameters` */
  query: string[];
  pathParameters: string[];
  created?: boolean;
}

const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
/** Definitions every group-version document carries besides its kinds'. */
export const commonDefinitions = [`${meta}.DeleteOptions`, `${meta}.Status`, `${meta}.WatchEvent`, `${meta}.Patch`];

/** Upstream's description and type of each query parameter the operations take. */
export const queryParameters: Record<string, { description: string; type: 'string' | 'integer' | 'boolean' }> = {
  allowWatchBookmarks: { type: 'boolean', description: 'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.' },
  continue: { type: 'string', description: 'The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize.' },
  dryRun: { type: 'string', description: 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed' },
  fieldManager: { type: 'string', description: 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.' },
  fieldSelector: { type: 'string', description: 'A selector to restrict the list of returned objects by their fields. Defaults to everything.' },
  fieldValidation: { type: 'string', description: 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.' },
  force: { type: 'boolean', description: 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.' },
  gracePeriodSeconds: { type: 'integer', description: 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.' },
  labelSelector: { type: 'string', description: 'A selector to restrict the list of returned objects by their labels. Defaults to everything.' },
  limit: { type: 'integer', description: 'limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.' },
  propagationPolicy: { type: 'string', description: "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground." },
  resourceVersion: { type: 'string', description: 'resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details. Defaults to unset' },
  resourceVersionMatch: { type: 'string', description: 'resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details. Defaults to unset' },
  timeoutSeconds: { type: 'integer', description: 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.' },
  watch: { type: 'boolean', description: 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.' },
  container: { type: 'string', description: 'The container for which to stream logs. Defaults to only container if there is one container in the pod.' },
  follow: { type: 'boolean', description: 'Follow the log stream of the pod. Defaults to false.' },
  previous: { type: 'boolean', description: 'Return previous terminated container logs. Defaults to false.' },
  sinceSeconds: { type: 'integer', description: 'A relative time in seconds before the current time from which to show logs.' },
  tailLines: { type: 'integer', description: 'If set, the number of lines from the end of the logs to show.' },
  timestamps: { type: 'boolean', description: 'If true, add an RFC3339 or RFC3339Nano timestamp at the beginning of every line of log output. Defaults to false.' },
  command: { type: 'string', description: 'Command is the remote command to execute. argv array. Not executed within a shell.' },
  stdin: { type: 'boolean', description: 'Redirect the standard input stream of the pod for this call. Defaults to false.' },
  stdout: { type: 'boolean', description: 'Redirect the standard output stream of the pod for this call.' },
  stderr: { type: 'boolean', description: 'Redirect the standard error stream of the pod for this call.' },
  tty: { type: 'boolean', description: 'TTY if true indicates that a tty will be allocated for the exec call. Defaults to false.' },
  ports: { type: 'integer', description: 'List of ports to forward Required when using WebSockets' },
};

const listQuery = ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion', 'resourceVersionMatch', 'timeoutSeconds', 'watch'];
const writeQuery = ['dryRun', 'fieldManager', 'fieldValidation'];
const deleteQuery = ['dryRun', 'gracePeriodSeconds', 'propagationPolicy'];
const connectQuery: Record<string, string[]> = {
  exec: ['command', 'container', 'stdin', 'stdout', 'stderr', 'tty'],
  attach: ['container', 'stdin', 'stdout', 'stderr', 'tty'],
  portforward: ['ports'],
  proxy: [],
};

function pascal(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `CoreV1`, `AppsV1`, `RbacAuthorizationV1` … as upstream's operation ids spell a group-version. */
function groupId(def: ResourceDef): string {
  const group = def.group === '' ? 'core' : def.group.replace(/\.k8s\.io$/, '');
  return group.split('.').map(pascal).join('') + pascal(def.version);
}

/** The URL prefix of a group-version: `/api/v1`, `/apis/apps/v1`. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/** The verb each OpenAPI action needs the resource to serve. */
const verbOfAction: Record<string, string> = { post: 'create', put: 'update', watchlist: 'watch' };

function known(name: string | undefined): string | undefined {
  return name && definitions[name] ? name : undefined;
}

/** Every operation of one group-version's resources, as upstream's OpenAPI lists them. */
export function endpointsOf(defs: ResourceDef[]): Endpoint[] {
  const out: Endpoint[] = [];
  for (const def of defs) {
    const root = groupVersionPath(def.group, def.version);
    const kindName = known(definitionNameOf(def.group, def.version, def.kind));
    const listName = known(kindName ? `${kindName}List` : undefined);
    const gvk: GroupVersionKind = { group: def.group, version: def.version, kind: def.kind };
    const tag = `${def.group === '' ? 'core' : def.group.replace(/\.k8s\.io$/, '').replace(/\./g, '_')}_${def.version}`;
    const id = groupId(def);
    const scope = def.namespaced ? 'Namespaced' : '';
    const ns = def.namespaced ? '/namespaces/{namespace}' : '';
    const nsParams = def.namespaced ? ['namespace'] : [];
    const collection = `${root}${ns}/${def.plural}`;
    const item = `${collection}/{name}`;
    const verbs = new Set(def.verbs ?? allVerbs);
    const add = (e: Omit<Endpoint, 'tag'>) => {
      if (verbs.has(verbOfAction[e.action] ?? e.action)) out.push({ ...e, tag });
    };
    const response = kindName ?? 'object';
    add({ path: collection, method: 'get', action: 'list', operationId: `list${id}${scope}${def.kind}`, description: `list or watch objects of kind ${def.kind}`, gvk, response: listName ?? 'object', query: listQuery, pathParameters: nsParams });
    add({ path: collection, method: 'post', action: 'post', operationId: `create${id}${scope}${def.kind}`, description: `create a ${def.kind}`, gvk, body: response, response, query: writeQuery, pathParameters: nsParams, created: true });
    add({ path: collection, method: 'delete', action: 'deletecollection', operationId: `deletecollection${id}${scope}${def.kind}`, description: `delete collection of ${def.kind}`, gvk, body: `${meta}.DeleteOptions`, response: `${meta}.Status`, query: [...listQuery.filter((q) => q !== 'watch' && q !== 'allowWatchBookmarks'), ...deleteQuery], pathParameters: nsParams });
    const itemParams = ['name', ...nsParams];
    add({ path: item, method: 'get', action: 'get', operationId: `read${id}${scope}${def.kind}`, description: `read the specified ${def.kind}`, gvk, response, query: [], pathParameters: itemParams });
    add({ path: item, method: 'put', action: 'put', operationId: `replace${id}${scope}${def.kind}`, description: `replace the specified ${def.kind}`, gvk, body: response, response, query: writeQuery, pathParameters: itemParams, created: true });
    add({ path: item, method: 'delete', action: 'delete', operationId: `delete${id}${scope}${def.kind}`, description: `delete a ${def.kind}`, gvk, body: `${meta}.DeleteOptions`, response: def.plural === 'pods' ? response : `${meta}.Status`, query: deleteQuery, pathParameters: itemParams });
    add({ path: item, method: 'patch', action: 'patch', operationId: `patch${id}${scope}${def.kind}`, description: `partially update the specified ${def.kind}`, gvk, body: `${meta}.Patch`, response, query: [...writeQuery, 'force'], pathParameters: itemParams, created: true });
    if (def.namespaced) {
      add({ path: `${root}/${def.plural}`, method: 'get', action: 'list', operationId: `list${id}${def.kind}ForAllNamespaces`, description: `list or watch objects of kind ${def.kind}`, gvk, response: listName ?? 'object', query: listQuery, pathParameters: [] });
      add({ path: `${root}/watch/${def.plural}`, method: 'get', action: 'watchlist', operationId: `watch${id}${def.kind}ListForAllNamespaces`, description: `watch individual changes to a list of ${def.kind}. deprecated: use the 'watch' parameter with a list operation instead.`, gvk, response: `${meta}.WatchEvent`, query: listQuery, pathParameters: [] });
    }
    add({ path: `${root}/watch${ns}/${def.plural}`, method: 'get', action: 'watchlist', operationId: `watch${id}${scope}${def.kind}List`, description: `watch individual changes to a list of ${def.kind}. deprecated: use the 'watch' parameter with a list operation instead.`, gvk, response: `${meta}.WatchEvent`, query: listQuery, pathParameters: nsParams });
    add({ path: `${root}/watch${ns}/${def.plural}/{name}`, method: 'get', action: 'watch', operationId: `watch${id}${scope}${def.kind}`, description: `watch changes to an object of kind ${def.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`, gvk, response: `${meta}.WatchEvent`, query: listQuery, pathParameters: itemParams });
    for (const sub of def.subresources ?? []) out.push(...subresourceEndpoints(def, sub, item, itemParams, id, scope, tag, gvk, response));
  }
  return out;
}

function subresourceEndpoints(def: ResourceDef, sub: string, item: string, params: string[], id: string, scope: string, tag: string, gvk: GroupVersionKind, kindName: string): Endpoint[] {
  const path = `${item}/${sub}`;
  const op = (verb: string) => `${verb}${id}${scope}${def.kind}${pascal(sub === 'portforward' ? 'portForward' : sub === 'ephemeralcontainers' ? 'ephemeralContainers' : sub)}`;
  const base = { path, tag, pathParameters: params };
  const readWrite = (subGvk: GroupVersionKind, name: string, what: string): Endpoint[] => [
    { ...base, method: 'get', action: 'get', operationId: op('read'), description: `read ${what} of the specified ${def.kind}`, gvk: subGvk, response: name, query: [] },
    { ...base, method: 'put', action: 'put', operationId: op('replace'), description: `replace ${what} of the specified ${def.kind}`, gvk: subGvk, body: name, response: name, query: writeQuery, created: true },
    { ...base, method: 'patch', action: 'patch', operationId: op('patch'), description: `partially update ${what} of the specified ${def.kind}`, gvk: subGvk, body: `${meta}.Patch`, response: name, query: [...writeQuery, 'force'], created: true },
  ];
  switch (sub) {
    case 'status':
      return readWrite(gvk, kindName, 'status');
    case 'ephemeralcontainers':
      return readWrite(gvk, kindName, 'ephemeralcontainers');
    case 'scale':
      return readWrite({ group: 'autoscaling', version: 'v1', kind: 'Scale' }, 'io.k8s.api.autoscaling.v1.Scale', 'scale');
    case 'finalize':
      return [{ ...base, method: 'put', action: 'put', operationId: op('replace'), description: `replace finalize of the specified ${def.kind}`, gvk, body: kindName, response: kindName, query: writeQuery, created: true }];
    case 'binding':
      return [{ ...base, method: 'post', action: 'post', operationId: op('create'), description: `create binding of a ${def.kind}`, gvk: { group: '', version: 'v1', kind: 'Binding' }, body: 'io.k8s.api.core.v1.Binding', response: 'io.k8s.api.core.v1.Binding', query: writeQuery, created: true }];
    case 'eviction':
      return [{ ...base, method: 'post', action: 'post', operationId: op('create'), description: `create eviction of a ${def.kind}`, gvk: { group: 'policy', version: 'v1', kind: 'Eviction' }, body: 'io.k8s.api.policy.v1.Eviction', response: 'io.k8s.api.policy.v1.Eviction', query: writeQuery, created: true }];
    case 'log':
      return [{ ...base, method: 'get', action: 'get', operationId: op('read'), description: `read log of the specified ${def.kind}`, gvk, response: 'string', query: ['container', 'follow', 'previous', 'sinceSeconds', 'tailLines', 'timestamps'] }];
    case 'exec':
    case 'attach':
    case 'portforward':
    case 'proxy': {
      const optionsKind = `${def.kind}${sub === 'portforward' ? 'PortForward' : pascal(sub)}Options`;
      const subGvk = { group: '', version: 'v1', kind: optionsKind };
      const query = connectQuery[sub];
      return (['get', 'post'] as const).map((method) => ({ ...base, method, action: 'connect' as const, operationId: `connect${pascal(method)}${id}${scope}${def.kind}${pascal(sub === 'portforward' ? 'portforward' : sub)}`, description: `connect ${method.toUpperCase()} requests to ${sub} of ${def.kind}`, gvk: subGvk, response: 'string', query }));
    }
    default:
      return [];
  }
}
