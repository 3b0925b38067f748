import { definitions, type Schema } from '../../api/index.js';

/** The names of `roots` and every definition they reach through `$ref`s. */
export function reachableDefinitions(roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const stack = [...roots].filter((name) => definitions[name]);
  const visit = (schema: Schema | boolean | undefined): void => {
    if (!schema || typeof schema !== 'object') return;
    if (schema.$ref && !seen.has(schema.$ref)) stack.push(schema.$ref);
    visit(schema.items);
    visit(schema.additionalProperties);
    for (const property of Object.values(schema.properties ?? {})) visit(property);
  };
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    visit(definitions[name]);
  }
  return [...seen].sort();
}

/**
 * A schema with its `$ref`s turned into JSON pointers under `prefix`. In OpenAPI v3 a property
 * that refers to a type is written `allOf: [{$ref}]` beside its description, as upstream does.
 */
export function renderSchema(schema: Schema, prefix: string, v3: boolean, asProperty = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref') continue;
    if (key === 'items' || key === 'additionalProperties') {
      out[key] = typeof value === 'object' ? renderSchema(value as Schema, prefix, v3) : value;
    } else if (key === 'properties') {
      out[key] = Object.fromEntries(Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, renderSchema(v, prefix, v3, true)]));
    } else if (!v3 && key === 'x-kubernetes-int-or-string') {
      continue;
    } else {
      out[key] = value;
    }
  }
  if (schema.$ref) {
    const ref = `${prefix}${schema.$ref}`;
    if (v3 && asProperty) out.allOf = [{ $ref: ref }];
    else out.$ref = ref;
  }
  return out;
}
