import { labelSelectorFromMeta, labelSelectorString as selectorString, type KubeObject, type LabelSelectorMeta } from '../../api/index.js';
import type { TableColumn } from './resource-def.js';

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

/** upstream's LabelSelectorAsSelector(...).String(); undefined for a selector that does not parse. */
export function labelSelectorString(selector: LabelSelectorMeta | null | undefined): string | undefined {
  try {
    return selectorString(labelSelectorFromMeta(selector));
  } catch {
    return undefined;
  }
}

/** upstream's metav1.FormatLabelSelector: the selector string, `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(selector: LabelSelectorMeta | null | undefined): string {
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
