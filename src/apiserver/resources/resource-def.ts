import type { FieldError, KubeObject, NameValidator } from '../../api/index.js';

/** One column of a `kubectl get` Table (meta.k8s.io/v1 TableColumnDefinition) and how to fill it. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0 shows always; 1 only with `-o wide` */
  priority: number;
  cell(object: KubeObject, now: Date): unknown;
}

/** What the strategy hooks may read besides the object. */
export interface StrategyContext {
  now: Date;
  /** set when the write comes through a subresource ('status', 'finalize', 'scale' …) */
  subresource?: string;
}

/**
 * Everything the API server knows about one kind, declared once in `resources/<kind>.ts`.
 * Discovery, routing, tables, field selectors and OpenAPI all read these declarations.
 */
export interface ResourceDef {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** subresources served besides the main one: 'status', 'scale', 'binding', 'eviction', 'log' … */
  subresources?: string[];
  /** how metadata.name is validated; DNS-1123 subdomain unless told */
  nameValidator?: NameValidator;
  /** metadata.generation is kept and bumped on spec changes (workloads) */
  tracksGeneration?: boolean;
  /** the main resource of this kind has no spec/status split (configmaps, secrets, events …) */
  noStatus?: boolean;
  /** table columns after NAME (NAME is always first; AGE is declared where upstream puts it) */
  columns: TableColumn[];
  /** upstream's table has no leading NAME column (events: NAME is a wide column at the end, declared in `columns`) */
  omitNameColumn?: boolean;
  /** extra field selectors beyond metadata.name and metadata.namespace */
  fieldSelectors?: Record<string, (object: KubeObject) => string | undefined>;
  /** upstream defaulting, applied on create and update, mutating the object */
  defaults?(object: KubeObject): void;
  /** validation on create (old undefined) and update; field paths as upstream (`metadata.name`, `spec.containers[0].image`) */
  validate?(object: KubeObject, old?: KubeObject): FieldError[];
  /** changes the server makes on create beyond generic metadata (pods: status.phase Pending …) */
  prepareForCreate?(object: KubeObject, context: StrategyContext): void;
  /** changes the server makes on update (kept fields, generation rules) */
  prepareForUpdate?(object: KubeObject, old: KubeObject, context: StrategyContext): void;
}

/** The gone-since column every kind shows last: `AGE`. */
export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (object, now) => humanDuration(object.metadata.creationTimestamp, now),
};

/** upstream's duration.HumanDuration: `5s`, `3m20s`, `2d5h`, `3y45d`. */
export function humanDuration(since: string | undefined, now: Date): string {
  if (!since) return '<unknown>';
  const seconds = Math.floor((now.getTime() - Date.parse(since)) / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds <= 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(seconds / 3600);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}
