import type { ResourceDef } from './resources/resource-def.js';

/** Where a kind's objects live in the store: `/registry/<group or core>/<plural>/` (of the kind it is stored as). */
export function resourceKeyPrefix(def: Pick<ResourceDef, 'group' | 'plural' | 'storedAs'>): string {
  const stored = def.storedAs ?? def;
  return `/registry/${stored.group || 'core'}/${stored.plural}/`;
}
