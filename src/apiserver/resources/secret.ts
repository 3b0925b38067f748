import { ageColumn, type ResourceDef } from './resource-def.js';
import { defaultSecret, validateSecret } from '../../api/index.js';

/** core/v1 secrets. */
export const secrets: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,
  noStatus: true,
  columns: [
    {
      name: 'Type',
      type: 'string',
      priority: 0,
      description: 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
      cell: (object) => (object.type as string | undefined) ?? '',
    },
    {
      name: 'Data',
      type: 'string',
      priority: 0,
      description:
        "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
      cell: (object) => Object.keys((object.data as object | undefined) ?? {}).length,
    },
    ageColumn,
  ],
  fieldSelectors: {
    type: (object) => (object.type as string | undefined) ?? '',
  },
  defaults: defaultSecret,
  validate: validateSecret,
};
