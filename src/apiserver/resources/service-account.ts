import { ageColumn, type ResourceDef } from './resource-def.js';
import { defaultServiceAccount, validateServiceAccount } from '../../api/index.js';

/** core/v1 serviceaccounts. */
export const serviceAccounts: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  subresources: ['token'],
  noStatus: true,
  defaults: defaultServiceAccount,
  validate: validateServiceAccount,
  columns: [
    {
      name: 'Secrets',
      type: 'string',
      priority: 0,
      description:
        'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". The "kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret',
      cell: (object) => ((object.secrets as unknown[] | undefined) ?? []).length,
    },
    ageColumn,
  ],
};
