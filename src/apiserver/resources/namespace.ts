import { defaultNamespace, nameIsDNSLabel, validateNamespace, type KubeObject } from '../../api/index.js';
import { ageColumn, type ResourceDef } from './resource-def.js';

interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string };
}

/** core/v1 namespaces. */
export const namespaces: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status', 'finalize'],
  nameValidator: nameIsDNSLabel,
  defaults: defaultNamespace,
  validate: validateNamespace,
  columns: [
    {
      name: 'Status',
      type: 'string',
      priority: 0,
      description: 'The status of the namespace',
      cell: (object) => (object as Namespace).status?.phase ?? '',
    },
    ageColumn,
  ],
  fieldSelectors: {
    'status.phase': (object) => (object as Namespace).status?.phase ?? '',
    name: (object) => object.metadata.name ?? '',
  },
  prepareForCreate(object) {
    const namespace = object as Namespace;
    namespace.status = { phase: 'Active' };
    const finalizers = namespace.spec?.finalizers ?? [];
    if (!finalizers.includes('kubernetes')) namespace.spec = { ...namespace.spec, finalizers: [...finalizers, 'kubernetes'] };
  },
  prepareForUpdate(object, old, context) {
    const namespace = object as Namespace;
    const previous = old as Namespace;
    if (context.subresource === 'finalize') {
      const finalizers = namespace.spec?.finalizers;
      for (const key of Object.keys(namespace)) if (key !== 'metadata') delete namespace[key];
      Object.assign(namespace, structuredClone({ ...previous, metadata: namespace.metadata }));
      namespace.spec = { ...namespace.spec, finalizers };
      if (!finalizers) delete namespace.spec.finalizers;
      return;
    }
    if (context.subresource === undefined) {
      const finalizers = previous.spec?.finalizers;
      namespace.spec = { ...namespace.spec };
      if (finalizers) namespace.spec.finalizers = [...finalizers];
      else delete namespace.spec.finalizers;
    }
  },
};
