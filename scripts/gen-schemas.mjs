#!/usr/bin/env node
// Derives the object schemas of the kinds Skiff serves from @kubernetes/client-node's generated
// models (attributeTypeMap in each model's .js, descriptions and required fields in its .d.ts) and
// writes src/api/schema/generated/definitions.ts. The hand-kept facts the models lack (patch
// strategies, list types, quantities …) are applied at run time from src/api/schema/facts.ts.
// Run: node scripts/gen-schemas.mjs
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const pkgDir = dirname(require.resolve('@kubernetes/client-node/package.json'));
const pkgVersion = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
const modelsDir = join(pkgDir, 'dist', 'gen', 'models');

/** The kinds whose schemas are generated: [group, version, kind, model class]. Core first. */
const kinds = [
  ['', 'v1', 'Namespace'], ['', 'v1', 'Pod'], ['', 'v1', 'Node'], ['', 'v1', 'Service'], ['', 'v1', 'Endpoints'],
  ['', 'v1', 'ConfigMap'], ['', 'v1', 'Secret'], ['', 'v1', 'ServiceAccount'], ['', 'v1', 'Event', 'CoreV1Event'],
  ['', 'v1', 'Binding'], ['', 'v1', 'PersistentVolumeClaim'], ['', 'v1', 'PersistentVolume'], ['', 'v1', 'PodTemplate'],
  ['', 'v1', 'ReplicationController'], ['', 'v1', 'ResourceQuota'], ['', 'v1', 'LimitRange'],
  ['apps', 'v1', 'ControllerRevision'], ['apps', 'v1', 'DaemonSet'], ['apps', 'v1', 'Deployment'], ['apps', 'v1', 'ReplicaSet'], ['apps', 'v1', 'StatefulSet'],
  ['autoscaling', 'v1', 'Scale'],
  ['authentication.k8s.io', 'v1', 'SelfSubjectReview'],
  ['authorization.k8s.io', 'v1', 'SelfSubjectAccessReview'], ['authorization.k8s.io', 'v1', 'SelfSubjectRulesReview'],
  ['batch', 'v1', 'CronJob'], ['batch', 'v1', 'Job'],
  ['coordination.k8s.io', 'v1', 'Lease'],
  ['discovery.k8s.io', 'v1', 'EndpointSlice'],
  ['events.k8s.io', 'v1', 'Event', 'EventsV1Event'],
  ['policy', 'v1', 'PodDisruptionBudget'], ['policy', 'v1', 'Eviction'],
  ['scheduling.k8s.io', 'v1', 'PriorityClass'],
  ['rbac.authorization.k8s.io', 'v1', 'Role'], ['rbac.authorization.k8s.io', 'v1', 'RoleBinding'],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRole'], ['rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding'],
  ['networking.k8s.io', 'v1', 'NetworkPolicy'], ['networking.k8s.io', 'v1', 'Ingress'], ['networking.k8s.io', 'v1', 'IngressClass'],
  ['storage.k8s.io', 'v1', 'StorageClass'], ['node.k8s.io', 'v1', 'RuntimeClass'],
  ['autoscaling', 'v2', 'HorizontalPodAutoscaler', 'V2HorizontalPodAutoscaler'],
];

/** Types of meta/v1 (apimachinery), named io.k8s.apimachinery.pkg.apis.meta.v1.<Name>. */
const metaTypes = [
  'ObjectMeta', 'ListMeta', 'LabelSelector', 'LabelSelectorRequirement', 'ManagedFieldsEntry', 'OwnerReference',
  'Status', 'StatusDetails', 'StatusCause', 'DeleteOptions', 'Preconditions', 'WatchEvent', 'Condition',
];
/** Types first reached from a non-core kind that upstream declares in core/v1 anyway. */
const coreTypes = ['PersistentVolumeClaim', 'PersistentVolumeClaimSpec', 'PersistentVolumeClaimStatus', 'PersistentVolumeClaimCondition', 'ModifyVolumeStatus', 'TypedObjectReference', 'TypedLocalObjectReference', 'VolumeResourceRequirements', 'TopologySelectorTerm', 'TopologySelectorLabelRequirement'];
/** Types of rbac, networking … that a group's kinds share; the group of the first reaching kind is right for them. */
const groupPackage = {
  '': 'io.k8s.api.core.v1', apps: 'io.k8s.api.apps.v1', autoscaling: 'io.k8s.api.autoscaling', batch: 'io.k8s.api.batch.v1',
  'authentication.k8s.io': 'io.k8s.api.authentication.v1', 'authorization.k8s.io': 'io.k8s.api.authorization.v1',
  'coordination.k8s.io': 'io.k8s.api.coordination.v1', 'discovery.k8s.io': 'io.k8s.api.discovery.v1', 'events.k8s.io': 'io.k8s.api.events.v1',
  policy: 'io.k8s.api.policy.v1', 'scheduling.k8s.io': 'io.k8s.api.scheduling.v1', 'rbac.authorization.k8s.io': 'io.k8s.api.rbac.v1',
  'networking.k8s.io': 'io.k8s.api.networking.v1', 'storage.k8s.io': 'io.k8s.api.storage.v1', 'node.k8s.io': 'io.k8s.api.node.v1',
};

const intOrString = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

function unescape(text) {
  return text.replace(/\\(.)/g, '$1').replace(/\\\\/g, '\\');
}

/** Class description, property descriptions and required names from a model's .d.ts. */
function readDeclaration(className) {
  const text = readFileSync(join(modelsDir, `${className}.d.ts`), 'utf8');
  const classDoc = /\/\*\*\n\* ([\s\S]*?)\n\*\/\nexport declare class/.exec(text);
  const props = {};
  const re = /(?:\/\*\*\n\s*\* ([\s\S]*?)\n\s*\*\/\n)?\s*'([^']+)'(\??):/g;
  const body = text.slice(text.indexOf('export declare class'));
  for (let m; (m = re.exec(body)); ) props[m[2]] = { description: m[1] ? unescape(m[1].replace(/\n\s*\* ?/g, '\n')) : undefined, required: m[3] !== '?' };
  return { description: classDoc ? unescape(classDoc[1]) : undefined, props };
}

async function readModel(className) {
  const mod = await import(join(modelsDir, `${className}.js`));
  return mod[className].attributeTypeMap;
}

const names = new Map();
const definitions = {};
const queue = [];

function groupOfClass(className) {
  const m = /^(Core|Discovery|Events|Storage|Apps|Batch|Policy)V1/.exec(className);
  return m ? m[1] : undefined;
}

function upstreamName(className, group, version) {
  const base = className.replace(/^(CoreV1|DiscoveryV1|EventsV1|StorageV1|RbacV1|V1|V2|V1beta1|V2beta2)/, '');
  if (metaTypes.includes(base)) return `io.k8s.apimachinery.pkg.apis.meta.v1.${base}`;
  if (coreTypes.includes(base) || groupOfClass(className) === 'Core') return `io.k8s.api.core.v1.${base}`;
  const pkg = group === 'autoscaling' ? `io.k8s.api.autoscaling.${version}` : groupPackage[group];
  return `${pkg}.${base}`;
}

function refTo(className, group, version) {
  let name = names.get(className);
  if (!name) {
    name = upstreamName(className, group, version);
    names.set(className, name);
    queue.push({ className, name, group, version });
  }
  return { $ref: name };
}

function typeOf(type, format, group, version) {
  let m;
  if (type === 'string') return format && format !== '' ? { type: 'string', format } : { type: 'string' };
  if (type === 'number') return format === 'double' ? { type: 'number', format: 'double' } : { type: 'integer', format: format || 'int32' };
  if (type === 'boolean') return { type: 'boolean' };
  if (type === 'Date' || type === 'V1MicroTime') return { type: 'string', format: 'date-time' };
  if (type === 'IntOrString') return { $ref: intOrString };
  if (type === 'any') return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  if ((m = /^Array<(.+)>$/.exec(type))) return { type: 'array', items: typeOf(m[1], format, group, version) };
  if ((m = /^\{ \[key: string\]: (.+); \}$/.exec(type))) return { type: 'object', additionalProperties: typeOf(m[1], format, group, version) };
  if (/^[A-Z]\w+$/.test(type)) return refTo(type, group, version);
  throw new Error(`unknown model type ${type}`);
}

const roots = new Map();
for (const [group, version, kind, className = `${version.toUpperCase()}${kind}`] of kinds) {
  const { $ref } = refTo(className, group, version);
  roots.set($ref, { group, kind, version });
}
for (const meta of metaTypes) refTo(`V1${meta}`, '', 'v1');

while (queue.length > 0) {
  const { className, name, group, version } = queue.shift();
  const attributes = await readModel(className);
  const declaration = readDeclaration(className);
  const properties = {};
  const required = [];
  for (const a of attributes) {
    const schema = typeOf(a.type, a.format, group, version);
    const doc = declaration.props[a.name];
    if (doc?.description) schema.description = doc.description;
    properties[a.baseName] = schema;
    if (doc?.required) required.push(a.baseName);
  }
  const definition = { type: 'object' };
  if (declaration.description) definition.description = declaration.description;
  definition.properties = properties;
  if (required.length > 0) definition.required = required;
  if (roots.has(name)) definition['x-kubernetes-group-version-kind'] = [roots.get(name)];
  definitions[name] = definition;
}

for (const definition of Object.values(definitions)) {
  for (const property of Object.values(definition.properties ?? {})) {
    if (property.$ref && !property.description && definitions[property.$ref]?.description) property.description = definitions[property.$ref].description;
  }
}

definitions[intOrString] = {
  description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
  type: 'string',
  format: 'int-or-string',
};
definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = {
  description:
    'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the "" case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= "+" | "-" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>       ::= m | "" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn\'t choose the capitalization.)\n\n<decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber> ```\n\nNo matter which of the three exponent forms is used, no quantity may represent a number greater than 2^63-1 in magnitude, nor may it have more than 3 decimal places. Numbers larger or more precise will be capped or rounded up. (E.g.: 0.1m will rounded up to 1m.) This may be extended in the future if we require larger or smaller quantities.',
  type: 'string',
};

const sorted = Object.fromEntries(Object.keys(definitions).sort().map((k) => [k, definitions[k]]));
const out = join(root, 'src', 'api', 'schema', 'generated', 'definitions.ts');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `// Generated by scripts/gen-schemas.mjs from @kubernetes/client-node ${pkgVersion}; do not edit.\n` +
    `import type { Schema } from '../schema-types.js';\n\n` +
    `/** Object schemas (OpenAPI v3 style, refs by definition name) of the kinds Skiff serves and every type they reach. */\n` +
    `export const generatedDefinitions: Record<string, Schema> = ${JSON.stringify(sorted, null, 1)};\n`,
);
process.stdout.write(`wrote ${Object.keys(sorted).length} definitions to ${out}\n`);
