import type { ResourceDef } from './resources/resource-def.js';

/** Where a kind's objects live in the store: `/registry/<group or core>/<plural>/`. */
export function resourceKeyPrefix(def: Pick<ResourceDef, 'group' | 'plural'>): string {
  return `/registry/${def.group || 'core'}/${def.plural}/`;
}
