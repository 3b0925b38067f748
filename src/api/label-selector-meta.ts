import { ApiError, fieldError, type FieldError } from './errors.js';
import { everything, nothing, requirementErrors, type LabelRequirement, type LabelSelector, type SelectorOperator } from './labels.js';
import { isValidLabelValue } from './names.js';
import { validateLabels } from './object-meta.js';

/** meta/v1 LabelSelectorRequirement */
export interface LabelSelectorRequirementMeta {
  key: string;
  operator: string;
  values?: string[];
}

/** meta/v1 LabelSelector, as found in workload specs. */
export interface LabelSelectorMeta {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirementMeta[];
}

const metaOperators: Record<string, SelectorOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * Turns a metav1.LabelSelector into a selector (LabelSelectorAsSelector upstream): null or
 * undefined matches nothing, an empty one matches everything. Throws ApiError BadRequest when
 * the selector is invalid.
 */
export function labelSelectorFromMeta(sel: LabelSelectorMeta | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return nothing();
  const matchLabels = sel.matchLabels ?? {};
  const exprs = sel.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return everything();
  const reqs: LabelRequirement[] = [];
  const add = (key: string, operator: SelectorOperator, values: string[]) => {
    const errs = requirementErrors(key, operator, values, '');
    if (errs.length) throw new ApiError('BadRequest', errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
    reqs.push({ key, operator, values: [...new Set(values)].sort() });
  };
  for (const [k, v] of Object.entries(matchLabels)) add(k, '=', [v]);
  for (const e of exprs) {
    const op = metaOperators[e.operator];
    if (!op) throw new ApiError('BadRequest', `${JSON.stringify(e.operator)} is not a valid label selector operator`);
    add(e.key, op, [...(e.values ?? [])]);
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { requirements: reqs };
}

/** Validates a metav1.LabelSelector as upstream's ValidateLabelSelector. */
export function validateLabelSelector(sel: LabelSelectorMeta | null | undefined, path: string): FieldError[] {
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(fieldError('FieldValueRequired', `${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(fieldError('FieldValueForbidden', `${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(fieldError('FieldValueInvalid', `${p}.operator`, 'not a valid selector operator', e.operator));
    }
    errs.push(...validateLabels({ [e.key]: '' }, `${p}.key`));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(v)) errs.push(fieldError('FieldValueInvalid', `${p}.values[${j}]`, msg, v));
    });
  });
  return errs;
}
