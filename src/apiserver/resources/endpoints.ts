import { defaultEndpoints, validateEndpoints, type KubeObject } from '../../api/index.js';
import { ageColumn, type ResourceDef } from './resource-def.js';

interface Endpoints extends KubeObject {
  subsets?: { addresses?: { ip: string }[]; ports?: { name?: string; port: number }[] }[];
}

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** upstream's formatEndpoints: at most three `ip:port` entries, then `+ N more...`. */
function formatEndpoints(endpoints: Endpoints): string {
  const subsets = endpoints.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const subset of subsets) {
    const addresses = subset.addresses ?? [];
    if ((subset.ports ?? []).length === 0) {
      count += addresses.length;
      for (const address of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(address.ip);
      }
      continue;
    }
    for (const port of subset.ports ?? []) {
      count += addresses.length;
      for (const address of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(address.ip, port.port));
      }
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

/** core/v1 endpoints. */
export const endpoints: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  noStatus: true,
  defaults: defaultEndpoints,
  validate: validateEndpoints,
  columns: [
    {
      name: 'Endpoints',
      type: 'string',
      priority: 0,
      description:
        'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.',
      cell: (object) => formatEndpoints(object as Endpoints),
    },
    ageColumn,
  ],
};
