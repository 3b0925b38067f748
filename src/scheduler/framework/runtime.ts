import type { Client, Clock, Logger, SharedInformerFactory } from '../../client/index.js';
import { CycleState } from './cycle-state.js';
import { wildcardEvent, type ClusterEventWithHint } from './events.js';
import type {
  BindPlugin,
  EnqueueExtensions,
  EventRecorder,
  FilterPlugin,
  FrameworkRunner,
  Handle,
  NodeScore,
  NodeToStatusMap,
  PermitPlugin,
  Plugin,
  PodNominator,
  PostBindPlugin,
  PostFilterPlugin,
  PostFilterResult,
  PreBindPlugin,
  PreEnqueuePlugin,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  QueueSortPlugin,
  ReservePlugin,
  ScorePlugin,
  WaitingPod,
} from './interface.js';
import { maxNodeScore, minNodeScore } from './interface.js';
import type { NodeColumns } from './node-columns.js';
import type { NodeInfo, PodInfo } from './node-info.js';
import { extensionPoints, type ExtensionPoint, type Profile } from './profile.js';
import type { Registry } from './registry.js';
import { slabAlloc } from './score-slab.js';
import type { Snapshot } from './snapshot.js';
import { Code, Status } from './status.js';
import type { Pod } from './types.js';
import { WaitingPodImpl } from './waiting-pod.js';

/** The method that marks a plugin as implementing an extension point. */
const pointMethod: Record<ExtensionPoint, string> = {
  preEnqueue: 'preEnqueue',
  queueSort: 'less',
  preFilter: 'preFilter',
  filter: 'filter',
  postFilter: 'postFilter',
  preScore: 'preScore',
  score: 'score',
  reserve: 'reserve',
  permit: 'permit',
  preBind: 'preBind',
  bind: 'bind',
  postBind: 'postBind',
};

/** What the framework needs from the scheduler besides the profile and registry. */
export interface FrameworkOptions {
  client?: Client;
  informers?: SharedInformerFactory;
  logger: Logger;
  clock: Clock;
  snapshot: () => Snapshot;
  nominator: PodNominator;
  eventRecorder?: EventRecorder;
}

/**
 * The weighted scores of one cycle (upstream's []NodePluginScores, packed): a row per node, a
 * column per Score plugin that ran, and each node's total.
 */
export interface ScoreTable {
  nodes: NodeInfo[];
  plugins: string[];
  /** row-major: `scores[i * plugins.length + j]` is plugin j's weighted score on node i */
  scores: Float64Array;
  /** per node, the sum of its row */
  totals: Float64Array;
  /** the nodes' names, when known without reading each NodeInfo (from the snapshot rows) */
  names?: string[];
}

/**
 * Runs one profile's plugins at each extension point (upstream's frameworkImpl). Plugins are
 * built once from the registry; multiPoint plugins are placed at every point they implement.
 */
export class Framework implements FrameworkRunner {
  readonly profileName: string;
  readonly percentageOfNodesToScore: number | undefined;
  readonly handle: Handle;
  readonly pluginsByName = new Map<string, Plugin>();
  readonly queueSort: QueueSortPlugin;
  readonly preEnqueuePlugins: PreEnqueuePlugin[];
  readonly preFilterPlugins: PreFilterPlugin[];
  readonly filterPlugins: FilterPlugin[];
  readonly postFilterPlugins: PostFilterPlugin[];
  readonly preScorePlugins: PreScorePlugin[];
  readonly scorePlugins: ScorePlugin[];
  readonly scoreWeights = new Map<string, number>();
  readonly reservePlugins: ReservePlugin[];
  readonly permitPlugins: PermitPlugin[];
  readonly preBindPlugins: PreBindPlugin[];
  readonly bindPlugins: BindPlugin[];
  readonly postBindPlugins: PostBindPlugin[];
  private readonly waitingPods = new Map<string, WaitingPodImpl>();
  /** one plugin's raw scores during runScorePlugins (reused across cycles) */
  private rawScores = new Float64Array(0);
  private readonly activeFilters = new WeakMap<CycleState, { skipped: number; plugins: FilterPlugin[] }>();
  /** the state Filter ran with last (Filter runs once per node with the same state) */
  private lastActiveFilters: { state: CycleState; skipped: number; plugins: FilterPlugin[] } | undefined;

  constructor(profile: Profile, registry: Registry, private readonly options: FrameworkOptions) {
    this.profileName = profile.schedulerName;
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore;
    const self = this;
    this.handle = {
      client: options.client,
      informers: options.informers,
      logger: options.logger,
      clock: options.clock,
      snapshot: options.snapshot,
      framework: self,
      nominator: options.nominator,
      eventRecorder: options.eventRecorder ?? (() => {}),
    };
    const points = resolvePoints(profile, registry, (name) => this.instantiate(name, profile, registry));
    for (const [name, w] of points.weights) this.scoreWeights.set(name, w);
    const at = <T>(p: ExtensionPoint) => points.names[p].map((n) => this.pluginsByName.get(n) as T);
    const sorts = at<QueueSortPlugin>('queueSort');
    if (sorts.length !== 1) throw new Error(`profile ${profile.schedulerName}: exactly one queueSort plugin must be enabled, found ${sorts.length}`);
    if (points.names.bind.length === 0) throw new Error(`profile ${profile.schedulerName}: at least one bind plugin is needed`);
    this.queueSort = sorts[0];
    this.preEnqueuePlugins = at('preEnqueue');
    this.preFilterPlugins = at('preFilter');
    this.filterPlugins = at('filter');
    this.postFilterPlugins = at('postFilter');
    this.preScorePlugins = at('preScore');
    this.scorePlugins = at('score');
    this.reservePlugins = at('reserve');
    this.permitPlugins = at('permit');
    this.preBindPlugins = at('preBind');
    this.bindPlugins = at('bind');
    this.postBindPlugins = at('postBind');
  }

  private instantiate(name: string, profile: Profile, registry: Registry): Plugin {
    let p = this.pluginsByName.get(name);
    if (p) return p;
    const factory = registry.get(name);
    if (!factory) throw new Error(`profile ${profile.schedulerName}: plugin ${JSON.stringify(name)} does not exist`);
    p = factory(profile.pluginConfig[name], this.handle);
    this.pluginsByName.set(name, p);
    return p;
  }

  /** The events each plugin registered, by plugin name (plugins without EnqueueExtensions get the wildcard). */
  eventsToRegister(): Map<string, ClusterEventWithHint[]> {
    const out = new Map<string, ClusterEventWithHint[]>();
    for (const p of this.pluginsByName.values()) {
      const ext = p as Partial<EnqueueExtensions>;
      out.set(p.name, ext.eventsToRegister ? ext.eventsToRegister() : [{ event: wildcardEvent }]);
    }
    return out;
  }

  hasFilterPlugins(): boolean {
    return this.filterPlugins.length > 0;
  }

  /** The first PreEnqueue rejection, or Success. */
  runPreEnqueuePlugins(pod: Pod): Status {
    for (const p of this.preEnqueuePlugins) {
      const s = p.preEnqueue(pod);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /**
   * Runs PreFilter plugins; intersects their node sets. A rejection or Error stops the run and
   * comes back naming the plugin. Skips are recorded in the state so Filter skips those plugins.
   */
  runPreFilterPlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status: Status; unschedulablePlugins: Set<string> } {
    let result: PreFilterResult | undefined;
    const unschedulablePlugins = new Set<string>();
    for (const p of this.preFilterPlugins) {
      const { result: r, status } = p.preFilter(state, pod, nodes);
      if (status.isSkip()) {
        state.skipFilterPlugins.add(p.name);
        continue;
      }
      if (!status.isSuccess()) {
        if (status.isRejected()) unschedulablePlugins.add(p.name);
        return { status: status.withPlugin(p.name), unschedulablePlugins };
      }
      if (r?.nodeNames) {
        unschedulablePlugins.add(p.name);
        result = { nodeNames: result?.nodeNames ? new Set([...result.nodeNames].filter((n) => r.nodeNames!.has(n))) : new Set(r.nodeNames) };
        if (result.nodeNames!.size === 0) {
          return { result, status: Status.unresolvable('node(s) didn\'t satisfy plugin(s) [' + [...unschedulablePlugins].sort().join(' ') + '] simultaneously').withPlugin(p.name), unschedulablePlugins };
        }
      }
    }
    return { result, status: Status.success(), unschedulablePlugins };
  }

  /** The Filter plugins to run in this cycle: those whose PreFilter did not Skip (kept per state until its skip set changes). */
  private activeFilterPlugins(state: CycleState): FilterPlugin[] {
    const skip = state.skipFilterPlugins;
    if (skip.size === 0) return this.filterPlugins;
    const last = this.lastActiveFilters;
    if (last && last.state === state && last.skipped === skip.size) return last.plugins;
    let cached = this.activeFilters.get(state);
    if (!cached || cached.skipped !== skip.size) {
      cached = { skipped: skip.size, plugins: this.filterPlugins.filter((p) => !skip.has(p.name)) };
      this.activeFilters.set(state, cached);
    }
    this.lastActiveFilters = { state, ...cached };
    return cached.plugins;
  }

  /** The Filter plugins of this cycle when every one of them has filterRows; else undefined. */
  rowFilterPlugins(state: CycleState): FilterPlugin[] | undefined {
    const plugins = this.activeFilterPlugins(state);
    for (let i = 0; i < plugins.length; i++) if (!plugins[i].filterRows) return undefined;
    return plugins;
  }

  /** Whether pods may be nominated to nodes (then Filter must consider them per node). */
  mayHaveNominatedPods(): boolean {
    return this.options.nominator.hasNominatedPods?.() !== false;
  }

  runFilterPlugins(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const plugins = this.activeFilterPlugins(state);
    for (let i = 0; i < plugins.length; i++) {
      const p = plugins[i];
      const s = p.filter(state, pod, nodeInfo);
      if (s.code !== Code.Success) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    if (this.options.nominator.hasNominatedPods?.() === false) return this.runFilterPlugins(state, pod, nodeInfo);
    const onNode = this.options.nominator.nominatedPodsForNode(nodeInfo.name);
    if (onNode.length === 0) return this.runFilterPlugins(state, pod, nodeInfo);
    const prio = pod.spec.priority ?? 0;
    const nominated = onNode.filter((pi) => (pi.pod.spec.priority ?? 0) >= prio && pi.pod.metadata.uid !== pod.metadata.uid);
    if (nominated.length > 0) {
      const stateWith = state.clone();
      const nodeWith = nodeInfo.clone();
      for (const pi of nominated) {
        nodeWith.addPod(pi);
        const s = this.runPreFilterExtensionAddPod(stateWith, pod, pi, nodeWith);
        if (!s.isSuccess()) return s;
      }
      const s = this.runFilterPlugins(stateWith, pod, nodeWith);
      if (!s.isSuccess()) return s;
    }
    return this.runFilterPlugins(state, pod, nodeInfo);
  }

  runPreFilterExtensionAddPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): Status {
    for (const p of this.preFilterPlugins) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const ext = p.preFilterExtensions?.();
      if (!ext) continue;
      const s = ext.addPod(state, podToSchedule, podInfoToAdd, nodeInfo);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  runPreFilterExtensionRemovePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): Status {
    for (const p of this.preFilterPlugins) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const ext = p.preFilterExtensions?.();
      if (!ext) continue;
      const s = ext.removePod(state, podToSchedule, podInfoToRemove, nodeInfo);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** Runs PostFilter plugins until one succeeds or one returns UnschedulableAndUnresolvable; messages are joined. */
  async runPostFilterPlugins(state: CycleState, pod: Pod, statuses: NodeToStatusMap): Promise<{ result?: PostFilterResult; status: Status }> {
    const reasons: string[] = [];
    let last = Status.unschedulable();
    for (const p of this.postFilterPlugins) {
      const { result, status } = await p.postFilter(state, pod, statuses);
      if (status.isSuccess()) return { result, status };
      if (status.code === Code.UnschedulableAndUnresolvable) return { result, status: status.withPlugin(p.name) };
      if (status.code === Code.Error) return { status: status.withPlugin(p.name) };
      reasons.push(...status.reasons);
      last = status.withPlugin(p.name);
    }
    return { status: new Status(last.code, reasons).withPlugin(last.plugin) };
  }

  runPreScorePlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status {
    for (const p of this.preScorePlugins) {
      const s = p.preScore(state, pod, nodes);
      if (s.isSkip()) {
        state.skipScorePlugins.add(p.name);
        continue;
      }
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** Scores every node with every Score plugin, normalises, weighs and sums (upstream's RunScorePlugins). */
  runScorePlugins(state: CycleState, pod: Pod, nodes: NodeInfo[], rows?: { columns: NodeColumns; rows: Int32Array }): { table?: ScoreTable; status: Status } {
    const plugins = state.skipScorePlugins.size > 0 ? this.scorePlugins.filter((p) => !state.skipScorePlugins.has(p.name)) : this.scorePlugins;
    const np = plugins.length;
    const n = nodes.length;
    const out = slabAlloc(n * np + n);
    const scores = out.subarray(0, n * np);
    const totals = out.subarray(n * np);
    if (this.rawScores.length < n) this.rawScores = new Float64Array(Math.max(n, 2 * this.rawScores.length));
    const raw = this.rawScores.subarray(0, n);
    for (let j = 0; j < np; j++) {
      const p = plugins[j];
      if (rows && p.scoreRows) {
        const s = p.scoreRows(state, pod, rows.columns, rows.rows, nodes, raw);
        if (s.code !== Code.Success) return { status: s.withPlugin(p.name) };
      } else {
        for (let i = 0; i < n; i++) {
          const r = p.score(state, pod, nodes[i]);
          if (r.status.code !== Code.Success) return { status: r.status.withPlugin(p.name) };
          raw[i] = r.score;
        }
      }
      const ext = p.scoreExtensions?.();
      if (ext?.normalizeScoreValues) {
        const s = ext.normalizeScoreValues(state, pod, raw);
        if (!s.isSuccess()) return { status: s.withPlugin(p.name) };
      } else if (ext) {
        const list: NodeScore[] = new Array(n);
        for (let i = 0; i < n; i++) list[i] = { name: nodes[i].name, score: raw[i] };
        const s = ext.normalizeScore(state, pod, list);
        if (!s.isSuccess()) return { status: s.withPlugin(p.name) };
        for (let i = 0; i < n; i++) raw[i] = list[i].score;
      }
      const weight = this.scoreWeights.get(p.name) ?? 1;
      const max = maxNodeScore;
      const min = minNodeScore;
      for (let i = 0; i < n; i++) {
        const sc = raw[i];
        if (!(sc >= min && sc <= max)) {
          return { status: Status.error(`plugin "${p.name}" returns an invalid score ${sc}, it should in the range of [${minNodeScore}, ${maxNodeScore}] after normalizing`).withPlugin(p.name) };
        }
        const weighted = sc * weight;
        scores[i * np + j] = weighted;
        totals[i] += weighted;
      }
    }
    const table: ScoreTable = { nodes, plugins: plugins.map((p) => p.name), scores, totals };
    if (rows) {
      const names = new Array<string>(n);
      for (let i = 0; i < n; i++) names[i] = rows.columns.names[rows.rows[i]];
      table.names = names;
    }
    return { table, status: Status.success() };
  }

  /** Runs Reserve plugins; on the first failure the caller must run Unreserve. */
  runReservePluginsReserve(state: CycleState, pod: Pod, nodeName: string): Status {
    for (const p of this.reservePlugins) {
      const s = p.reserve(state, pod, nodeName);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** Runs Unreserve in reverse order. */
  runReservePluginsUnreserve(state: CycleState, pod: Pod, nodeName: string): void {
    for (let i = this.reservePlugins.length - 1; i >= 0; i--) this.reservePlugins[i].unreserve(state, pod, nodeName);
  }

  /** Runs Permit plugins: Success, Wait (the pod is then waiting; see waitOnPermit), or a rejection. */
  runPermitPlugins(state: CycleState, pod: Pod, nodeName: string): Status {
    const waits = new Map<string, number>();
    for (const p of this.permitPlugins) {
      const { status, timeoutMs } = p.permit(state, pod, nodeName);
      if (status.isWait()) {
        waits.set(p.name, Math.min(timeoutMs ?? 15 * 60_000, 15 * 60_000));
        continue;
      }
      if (!status.isSuccess()) return status.withPlugin(p.name);
    }
    if (waits.size === 0) return Status.success();
    const wp = new WaitingPodImpl(pod, waits, this.options.clock);
    this.waitingPods.set(pod.metadata.uid ?? '', wp);
    return Status.wait();
  }

  /** Waits until a waiting pod is allowed (Success) or rejected / timed out (Unschedulable). */
  async waitOnPermit(pod: Pod): Promise<Status> {
    const uid = pod.metadata.uid ?? '';
    const wp = this.waitingPods.get(uid);
    if (!wp) return Status.success();
    try {
      return await wp.done;
    } finally {
      this.waitingPods.delete(uid);
    }
  }

  getWaitingPod(uid: string): WaitingPod | undefined {
    return this.waitingPods.get(uid);
  }

  /** Rejects every waiting pod (shutdown). */
  rejectWaitingPods(message: string): void {
    for (const wp of this.waitingPods.values()) wp.reject('', message);
  }

  async runPreBindPlugins(state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    for (const p of this.preBindPlugins) {
      const s = await p.preBind(state, pod, nodeName);
      if (!s.isSuccess() && !s.isSkip()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** Runs Bind plugins until one does not Skip. */
  async runBindPlugins(state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    for (const p of this.bindPlugins) {
      const s = await p.bind(state, pod, nodeName);
      if (s.isSkip()) continue;
      return s.isSuccess() ? s : s.withPlugin(p.name);
    }
    return Status.skip();
  }

  runPostBindPlugins(state: CycleState, pod: Pod, nodeName: string): void {
    for (const p of this.postBindPlugins) p.postBind(state, pod, nodeName);
  }
}

/**
 * Expands a profile into plugin names per extension point: plugins enabled at a point come
 * first, then multiPoint plugins that implement it, unless disabled there by name or `*`.
 */
function resolvePoints(
  profile: Profile,
  registry: Registry,
  instantiate: (name: string) => Plugin,
): { names: Record<ExtensionPoint, string[]>; weights: Map<string, number> } {
  const names = Object.fromEntries(extensionPoints.map((p) => [p, [] as string[]])) as Record<ExtensionPoint, string[]>;
  const weights = new Map<string, number>();
  const multi = profile.plugins.multiPoint?.enabled ?? [];
  const multiDisabled = new Set((profile.plugins.multiPoint?.disabled ?? []).map((p) => p.name));
  for (const ep of extensionPoints) {
    const set = profile.plugins[ep];
    const disabled = new Set((set?.disabled ?? []).map((p) => p.name));
    for (const ref of set?.enabled ?? []) {
      const p = instantiate(ref.name);
      if (typeof (p as unknown as Record<string, unknown>)[pointMethod[ep]] !== 'function') {
        throw new Error(`profile ${profile.schedulerName}: plugin ${JSON.stringify(ref.name)} does not extend ${ep} plugin`);
      }
      if (names[ep].includes(ref.name)) throw new Error(`profile ${profile.schedulerName}: plugin ${JSON.stringify(ref.name)} already registered as ${JSON.stringify(ep)}`);
      names[ep].push(ref.name);
      if (ep === 'score') weights.set(ref.name, ref.weight || 1);
    }
    if (disabled.has('*')) continue;
    for (const ref of multi) {
      if (disabled.has(ref.name) || multiDisabled.has(ref.name) || names[ep].includes(ref.name)) continue;
      if (!registry.has(ref.name)) throw new Error(`profile ${profile.schedulerName}: plugin ${JSON.stringify(ref.name)} does not exist`);
      const p = instantiate(ref.name);
      if (typeof (p as unknown as Record<string, unknown>)[pointMethod[ep]] !== 'function') continue;
      names[ep].push(ref.name);
      if (ep === 'score') weights.set(ref.name, ref.weight || 1);
    }
  }
  return { names, weights };
}
