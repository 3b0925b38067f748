import { fieldError, type FieldError, type KubeObject } from '../../api/index.js';
import { ageColumn, type ResourceDef } from './resource-def.js';

interface PriorityClass extends KubeObject {
  value?: number;
  globalDefault?: boolean;
  description?: string;
  preemptionPolicy?: string;
}

/** The classes the API server creates itself; the only names allowed the `system-` prefix. */
export const systemPriorityClasses: Record<string, number> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

/** Highest value a user-defined PriorityClass may carry. */
export const highestUserDefinablePriority = 1000000000;

const preemptionPolicies = ['Never', 'PreemptLowerPriority'];

/** upstream's SetDefaults_PriorityClass: preemptionPolicy PreemptLowerPriority. */
export function defaultPriorityClass(object: KubeObject): void {
  const priorityClass = object as PriorityClass;
  if (!priorityClass.preemptionPolicy) priorityClass.preemptionPolicy = 'PreemptLowerPriority';
}

/** upstream's ValidatePriorityClass(Update). */
export function validatePriorityClass(object: KubeObject, old?: KubeObject): FieldError[] {
  const priorityClass = object as PriorityClass;
  const errors: FieldError[] = [];
  const name = priorityClass.metadata.name ?? '';
  const systemValue = systemPriorityClasses[name];
  if (systemValue !== undefined) {
    if (priorityClass.value !== systemValue) {
      errors.push(fieldError('FieldValueForbidden', 'metadata.name', `priority class ${name} is a system priority class and may only have the value ${systemValue}`));
    }
  } else if (name.startsWith('system-')) {
    errors.push(fieldError('FieldValueForbidden', 'metadata.name', "priority class names with 'system-' prefix are reserved"));
  } else if (typeof priorityClass.value === 'number' && priorityClass.value > highestUserDefinablePriority) {
    errors.push(fieldError('FieldValueForbidden', 'value', `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`));
  }
  if (typeof priorityClass.value !== 'number' || !Number.isInteger(priorityClass.value)) errors.push(fieldError('FieldValueRequired', 'value'));
  if (priorityClass.preemptionPolicy !== undefined && !preemptionPolicies.includes(priorityClass.preemptionPolicy)) {
    errors.push(fieldError('FieldValueNotSupported', 'preemptionPolicy', `supported values: "Never", "PreemptLowerPriority"`, priorityClass.preemptionPolicy));
  }
  if (old) {
    const previous = old as PriorityClass;
    if (previous.value !== priorityClass.value) errors.push(fieldError('FieldValueForbidden', 'value', 'may not be changed in an update.'));
    if (previous.preemptionPolicy !== priorityClass.preemptionPolicy) {
      errors.push(fieldError('FieldValueInvalid', 'preemptionPolicy', 'field is immutable', priorityClass.preemptionPolicy));
    }
  }
  return errors;
}

/** scheduling.k8s.io/v1 priorityclasses. */
export const priorityClasses: ResourceDef = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  plural: 'priorityclasses',
  singular: 'priorityclass',
  namespaced: false,
  shortNames: ['pc'],
  noStatus: true,
  columns: [
    {
      name: 'Value',
      type: 'integer',
      priority: 0,
      description: 'value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.',
      cell: (object) => (object as PriorityClass).value ?? 0,
    },
    {
      name: 'Global-Default',
      type: 'boolean',
      priority: 0,
      description:
        'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.',
      cell: (object) => (object as PriorityClass).globalDefault === true,
    },
    ageColumn,
    {
      name: 'PreemptionPolicy',
      type: 'string',
      priority: 0,
      description: 'preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.',
      cell: (object) => (object as PriorityClass).preemptionPolicy ?? '',
    },
  ],
  defaults: defaultPriorityClass,
  validate: validatePriorityClass,
};
