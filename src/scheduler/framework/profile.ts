/** The extension points a profile configures, by their KubeSchedulerConfiguration names. */
export const extensionPoints = [
  'preEnqueue',
  'queueSort',
  'preFilter',
  'filter',
  'postFilter',
  'preScore',
  'score',
  'reserve',
  'permit',
  'preBind',
  'bind',
  'postBind',
] as const;

export type ExtensionPoint = (typeof extensionPoints)[number];

/** A plugin named in a plugin set; weight only matters for score. */
export interface PluginRef {
  name: string;
  weight?: number;
}

/** Enabled and disabled plugins of one extension point (upstream's PluginSet). `*` in disabled disables all defaults. */
export interface PluginSet {
  enabled?: PluginRef[];
  disabled?: PluginRef[];
}

/** Plugin sets per extension point, and multiPoint (each plugin at every point it implements). */
export type Plugins = Partial<Record<ExtensionPoint | 'multiPoint', PluginSet>>;

/**
 * A scheduling profile (upstream's KubeSchedulerProfile after defaulting): the plugin sets, merged
 * with the defaults, which the framework expands per extension point (multiPoint plugins go to
 * every point they implement unless disabled there).
 */
export interface Profile {
  schedulerName: string;
  plugins: Plugins;
  /** args by plugin name, as given in pluginConfig */
  pluginConfig: Record<string, unknown>;
  /** 0 (or absent) for the adaptive default; else 1–100 */
  percentageOfNodesToScore?: number;
}

/** The scheduler name pods get by default. */
export const defaultSchedulerName = 'default-scheduler';

/**
 * The default profile's plugins in upstream's multiPoint order with their score weights
 * (pkg/scheduler/apis/config/v1/default_plugins.go). Volume plugins are absent: Skiff has no
 * volume binding to schedule around.
 */
export const defaultMultiPoint: PluginRef[] = [
  { name: 'SchedulingGates' },
  { name: 'PrioritySort' },
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultBinder' },
];

/**
 * The default profile: upstream's plugins and weights under `default-scheduler`. With
 * `available`, default plugins it does not contain are left out (plugins not built yet).
 */
export function defaultProfile(schedulerName = defaultSchedulerName, available?: { has(name: string): boolean }): Profile {
  const enabled = defaultMultiPoint.filter((p) => !available || available.has(p.name)).map((p) => ({ ...p }));
  return { schedulerName, plugins: { multiPoint: { enabled } }, pluginConfig: {} };
}
