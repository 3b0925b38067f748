import { defaultNode, validateNode, type KubeObject } from '../../api/index.js';
import { ageColumn, type ResourceDef } from './resource-def.js';

interface Node extends KubeObject {
  spec?: { unschedulable?: boolean };
  status?: {
    conditions?: { type: string; status: string }[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: { kubeletVersion?: string; osImage?: string; kernelVersion?: string; containerRuntimeVersion?: string };
  };
}

const rolePrefix = 'node-role.kubernetes.io/';

function nodeStatus(node: Node): string {
  const status: string[] = [];
  const ready = node.status?.conditions?.filter((c) => c.type === 'Ready').at(-1);
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** upstream's findNodeRoles: `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value, sorted. */
function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(rolePrefix)) {
      const role = key.slice(rolePrefix.length);
      if (role) roles.add(role);
    } else if (key === 'kubernetes.io/role' && value !== '') {
      roles.add(value);
    }
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function address(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

const addressesDoc =
  "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";

/** core/v1 nodes. */
export const nodes: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  subresources: ['status', 'proxy'],
  defaults: defaultNode,
  validate: validateNode,
  columns: [
    { name: 'Status', type: 'string', priority: 0, description: 'The status of the node', cell: (object) => nodeStatus(object as Node) },
    { name: 'Roles', type: 'string', priority: 0, description: 'The roles of the node', cell: (object) => nodeRoles(object as Node) },
    ageColumn,
    {
      name: 'Version',
      type: 'string',
      priority: 0,
      description: 'Kubelet Version reported by the node.',
      cell: (object) => (object as Node).status?.nodeInfo?.kubeletVersion ?? '',
    },
    { name: 'Internal-IP', type: 'string', priority: 1, description: addressesDoc, cell: (object) => address(object as Node, 'InternalIP') },
    { name: 'External-IP', type: 'string', priority: 1, description: addressesDoc, cell: (object) => address(object as Node, 'ExternalIP') },
    {
      name: 'OS-Image',
      type: 'string',
      priority: 1,
      description: 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
      cell: (object) => (object as Node).status?.nodeInfo?.osImage || '<unknown>',
    },
    {
      name: 'Kernel-Version',
      type: 'string',
      priority: 1,
      description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
      cell: (object) => (object as Node).status?.nodeInfo?.kernelVersion || '<unknown>',
    },
    {
      name: 'Container-Runtime',
      type: 'string',
      priority: 1,
      description: 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
      cell: (object) => (object as Node).status?.nodeInfo?.containerRuntimeVersion || '<unknown>',
    },
  ],
  fieldSelectors: {
    'spec.unschedulable': (object) => String((object as Node).spec?.unschedulable === true),
  },
};
