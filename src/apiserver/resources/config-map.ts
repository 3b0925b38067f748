import { ageColumn, type ResourceDef } from './resource-def.js';
import { defaultConfigMap, validateConfigMap } from '../../api/index.js';

/** core/v1 configmaps. */
export const configMaps: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  noStatus: true,
  defaults: defaultConfigMap,
  validate: validateConfigMap,
  columns: [
    {
      name: 'Data',
      type: 'string',
      priority: 0,
      description:
        "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
      cell: (object) => Object.keys((object.data as object | undefined) ?? {}).length + Object.keys((object.binaryData as object | undefined) ?? {}).length,
    },
    ageColumn,
  ],
};
