import { ageColumn, type ResourceDef } from './resource-def.js';
import { defaultLease, validateLease } from '../../api/index.js';

/** coordination.k8s.io/v1 leases. */
export const leases: ResourceDef = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  singular: 'lease',
  namespaced: true,
  noStatus: true,
  defaults: defaultLease,
  validate: validateLease,
  columns: [
    {
      name: 'Holder',
      type: 'string',
      priority: 0,
      description:
        'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.',
      cell: (object) => (object.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? '',
    },
    ageColumn,
  ],
};
