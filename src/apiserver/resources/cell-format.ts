import type { KubeObject } from '../../api/index.js';
import type { TableColumn } from './resource-def.js';

/** meta/v1 LabelSelector as it travels on the wire. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface ContainerShape {
  name: string;
  image?: string;
}

/** upstream's labels.FormatLabels: `a=1,b=2` sorted by key, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/**
 * upstream's LabelSelectorAsSelector(...).String(): requirements sorted by key, `k=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k`, `!k`. Returns undefined for a selector upstream cannot parse.
 */
export function labelSelectorString(selector: LabelSelector | undefined): string | undefined {
  if (!selector) return '';
  const requirements: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) requirements.push({ key, text: `${key}=${value}` });
  for (const expression of selector.matchExpressions ?? []) {
    const values = [...new Set(expression.values ?? [])].sort();
    switch (expression.operator) {
      case 'In':
        requirements.push({ key: expression.key, text: `${expression.key} in (${values.join(',')})` });
        break;
      case 'NotIn':
        requirements.push({ key: expression.key, text: `${expression.key} notin (${values.join(',')})` });
        break;
      case 'Exists':
        requirements.push({ key: expression.key, text: expression.key });
        break;
      case 'DoesNotExist':
        requirements.push({ key: expression.key, text: `!${expression.key}` });
        break;
      default:
        return undefined;
    }
  }
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return requirements.map((r) => r.text).join(',');
}

/** upstream's metav1.FormatLabelSelector: the selector string, `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  const text = labelSelectorString(selector);
  if (text === undefined) return '<error>';
  return text === '' ? '<none>' : text;
}

/** upstream's printBoolPtr: `True`, `False` or `<unset>`. */
export function formatBoolPointer(value: boolean | undefined): string {
  if (value === undefined || value === null) return '<unset>';
  return value ? 'True' : 'False';
}

/** The wide CONTAINERS and IMAGES columns every workload shows (upstream's layoutContainerCells). */
export function containerColumns(containersOf: (object: KubeObject) => ContainerShape[] | undefined): TableColumn[] {
  return [
    {
      name: 'Containers',
      type: 'string',
      priority: 1,
      description: 'Names of each container in the template.',
      cell: (object) => (containersOf(object) ?? []).map((c) => c.name).join(','),
    },
    {
      name: 'Images',
      type: 'string',
      priority: 1,
      description: 'Images referenced by each container in the template.',
      cell: (object) => (containersOf(object) ?? []).map((c) => c.image ?? '').join(','),
    },
  ];
}
