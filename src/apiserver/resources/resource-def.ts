import { translateTimestampSince, type FieldError, type KubeObject, type NameValidator, type UserInfo } from '../../api/index.js';

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
  /** the verbs of the main resource, when not all of upstream's eight (namespaces have no deletecollection) */
  verbs?: string[];
  /**
   * a kind that is never stored, only created to be answered (the self reviews of
   * authentication.k8s.io and authorization.k8s.io): a create answers what this returns
   */
  review?(object: KubeObject, user: UserInfo): KubeObject;
  /** subresources served besides the main one: 'status', 'scale', 'binding', 'eviction', 'log' … */
  subresources?: string[];
  /** how metadata.name is validated; DNS-1123 subdomain unless told */
  nameValidator?: NameValidator;
  /** metadata.generation is kept and bumped on spec changes (workloads) */
  tracksGeneration?: boolean;
  /**
   * this kind is another version of an already stored kind (events.k8s.io/v1 Event is core/v1
   * Event): its objects live under that kind's key and are converted on the way in and out
   */
  storedAs?: StoredAs;
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

/** The verbs a main resource serves unless its declaration says otherwise. */
export const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Where and how a kind that is a view of another kind is stored. */
export interface StoredAs {
  group: string;
  plural: string;
  toStored(object: KubeObject): KubeObject;
  fromStored(object: KubeObject): KubeObject;
}

/** The gone-since column every kind shows last: `AGE`. */
export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (object, now) => translateTimestampSince(object.metadata.creationTimestamp, now),
};
