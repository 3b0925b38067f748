import { fieldError, type FieldError, type KubeObject } from '../../api/index.js';
import { ageColumn, type ResourceDef } from './resource-def.js';

interface PodDisruptionBudget extends KubeObject {
  spec?: { minAvailable?: number | string; maxUnavailable?: number | string; unhealthyPodEvictionPolicy?: string };
  status?: { disruptionsAllowed?: number };
}

const evictionPolicies = ['IfHealthyBudget', 'AlwaysAllow'];

/** upstream's ValidatePositiveIntOrPercent plus IsValidPercent's 0–100% bound. */
function validateIntOrPercent(value: number | string | undefined, field: string): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'number') {
    return value < 0 ? [fieldError('FieldValueInvalid', field, 'must be greater than or equal to 0', value)] : [];
  }
  const match = /^([0-9]+)%$/.exec(value);
  if (!match) return [fieldError('FieldValueInvalid', field, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')", value)];
  return Number(match[1]) > 100 ? [fieldError('FieldValueInvalid', field, 'must not be greater than 100%', value)] : [];
}

/** upstream's ValidatePodDisruptionBudgetSpec, the parts that do not need the label selector validator. */
export function validatePodDisruptionBudget(object: KubeObject): FieldError[] {
  const spec = (object as PodDisruptionBudget).spec ?? {};
  const errors: FieldError[] = [];
  if (spec.minAvailable !== undefined && spec.minAvailable !== null && spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    errors.push(fieldError('FieldValueInvalid', 'spec', 'minAvailable and maxUnavailable cannot be both set', spec));
  }
  errors.push(...validateIntOrPercent(spec.minAvailable, 'spec.minAvailable'));
  errors.push(...validateIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
  if (spec.unhealthyPodEvictionPolicy !== undefined && !evictionPolicies.includes(spec.unhealthyPodEvictionPolicy)) {
    errors.push(fieldError('FieldValueNotSupported', 'spec.unhealthyPodEvictionPolicy', 'supported values: "AlwaysAllow", "IfHealthyBudget"', spec.unhealthyPodEvictionPolicy));
  }
  return errors;
}

function intOrString(value: number | string | undefined): string {
  return value === undefined || value === null ? 'N/A' : String(value);
}

/** policy/v1 poddisruptionbudgets. */
export const podDisruptionBudgets: ResourceDef = {
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  plural: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  namespaced: true,
  shortNames: ['pdb'],
  subresources: ['status'],
  tracksGeneration: true,
  columns: [
    {
      name: 'Min Available',
      type: 'string',
      priority: 0,
      description: 'The minimum number of pods that must be available.',
      cell: (object) => intOrString((object as PodDisruptionBudget).spec?.minAvailable),
    },
    {
      name: 'Max Unavailable',
      type: 'string',
      priority: 0,
      description: 'The maximum number of pods that may be unavailable.',
      cell: (object) => intOrString((object as PodDisruptionBudget).spec?.maxUnavailable),
    },
    {
      name: 'Allowed Disruptions',
      type: 'integer',
      priority: 0,
      description: 'Calculated number of pods that may be disrupted at this time.',
      cell: (object) => (object as PodDisruptionBudget).status?.disruptionsAllowed ?? 0,
    },
    ageColumn,
  ],
  validate: validatePodDisruptionBudget,
  prepareForCreate(object) {
    object.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  },
};
