import type { Client, Clock, Logger, SharedInformerFactory } from '../../client/index.js';
import type { CycleState } from './cycle-state.js';
import type { ClusterEventWithHint } from './events.js';
import type { NodeColumns } from './node-columns.js';
import type { NodeInfo, PodInfo } from './node-info.js';
import type { Snapshot } from './snapshot.js';
import type { Status } from './status.js';
import type { Pod } from './types.js';

/** The largest score a Score plugin may give after normalisation (upstream's MaxNodeScore). */
export const maxNodeScore = 100;
/** The smallest score. */
export const minNodeScore = 0;
/** The largest weight a Score plugin may have in a profile. */
export const maxWeight = Number.MAX_SAFE_INTEGER / maxNodeScore;

/** Every plugin has a name, its upstream name. */
export interface Plugin {
  readonly name: string;
}

/** A pod as the queue holds it (upstream's QueuedPodInfo). */
export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** when the pod was first added to the queue (ms) */
  initialAttemptTimestamp?: number;
  /** when the pod was added or last moved (ms), the queue-sort tie-break */
  timestamp: number;
  /** scheduling attempts so far */
  attempts: number;
  /** plugins that rejected the pod in its last attempt; only their events requeue it */
  unschedulablePlugins: Set<string>;
  /** plugins that returned Pending in its last attempt */
  pendingPlugins: Set<string>;
  /** names of PreEnqueue plugins that keep the pod out of activeQ */
  gatingPlugin?: string;
}

/** Plugins that declare which cluster events may make a pod they rejected schedulable (upstream's EnqueueExtensions). */
export interface EnqueueExtensions {
  eventsToRegister(): ClusterEventWithHint[];
}

/** Decides whether a pod may enter activeQ at all. */
export interface PreEnqueuePlugin extends Plugin {
  /** Success to admit the pod; UnschedulableAndUnresolvable (or Pending) to keep it waiting with the reason. */
  preEnqueue(pod: Pod): Status;
}

/** Orders activeQ; exactly one per profile. */
export interface QueueSortPlugin extends Plugin {
  /** Whether a should be scheduled before b. */
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

/** What PreFilter may narrow the candidate nodes to (upstream's PreFilterResult). */
export interface PreFilterResult {
  /** when set, only these nodes are evaluated */
  nodeNames?: Set<string>;
}

/** Incremental updates of PreFilter state, used by preemption to simulate adding or removing pods. */
export interface PreFilterExtensions {
  /** Success, or Error. */
  addPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): Status;
  /** Success, or Error. */
  removePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): Status;
}

/** Runs once per cycle before Filter, usually to precompute state into CycleState. */
export interface PreFilterPlugin extends Plugin {
  /**
   * Success; Skip when the plugin has nothing to check for this pod (its Filter is then not run);
   * Unschedulable / UnschedulableAndUnresolvable to reject the pod on every node; Error.
   */
  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status: Status };
  /** The AddPod/RemovePod extensions, or undefined when the state does not depend on other pods. */
  preFilterExtensions?(): PreFilterExtensions | undefined;
}

/** Decides whether the pod can run on one node. */
export interface FilterPlugin extends Plugin {
  /**
   * Success; Unschedulable (preemption may help); UnschedulableAndUnresolvable (it cannot);
   * Error. Reasons are the user-facing text counted in the FailedScheduling message.
   */
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status;
  /**
   * Optional fast pass over snapshot rows (a Skiff addition, not upstream's): clears `pass[k]`
   * for each node `rows[k]` (k < count) that this plugin cannot pass from the row alone. A node
   * left passed by every Filter plugin is feasible without running `filter`; the others run
   * `filter` as usual, so this must only pass nodes `filter` would answer Success for. Where
   * `pass[k]` is still 1 (every plugin before this one passed the node) and `filter` would
   * reject, the plugin may also set `verdicts[k]` to exactly that status, naming the plugin;
   * the node is then rejected with it without running the Filter plugins again.
   */
  filterRows?(state: CycleState, pod: Pod, columns: NodeColumns, rows: Int32Array, count: number, pass: Uint8Array, verdicts: Array<Status | undefined>): void;
}

/** The answer of a PostFilter plugin (upstream's PostFilterResult). */
export interface PostFilterResult {
  nominatedNodeName?: string;
}

/** Statuses of the nodes that failed Filter, by node name. */
export type NodeToStatusMap = Map<string, Status>;

/** Runs when no node fits, e.g. preemption. */
export interface PostFilterPlugin extends Plugin {
  /**
   * Success with a nominated node when the pod can fit after changes (victims evicted);
   * Unschedulable with a message (appended to the FailedScheduling message) when it cannot;
   * UnschedulableAndUnresolvable to stop further PostFilter plugins; Error.
   */
  postFilter(state: CycleState, pod: Pod, filteredNodeStatusMap: NodeToStatusMap): Promise<{ result?: PostFilterResult; status: Status }>;
}

/** Runs once per cycle before Score, with the nodes that passed Filter. */
export interface PreScorePlugin extends Plugin {
  /** Success; Skip when the plugin has nothing to score for this pod (its Score is not run); Error. */
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status;
}

/** A node's score from one plugin. */
export interface NodeScore {
  name: string;
  score: number;
}

/** Normalises a plugin's raw scores to 0–100, in place. */
export interface ScoreExtensions {
  /** Success, or Error. */
  normalizeScore(state: CycleState, pod: Pod, scores: NodeScore[]): Status;
  /** Optional: the same over bare scores in node order (no NodeScore objects). */
  normalizeScoreValues?(state: CycleState, pod: Pod, scores: Float64Array): Status;
}

/** Ranks nodes that passed Filter. */
export interface ScorePlugin extends Plugin {
  /** A score (0–100 after normalisation) and Success, or Error. */
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status };
  /**
   * Optional (a Skiff addition): `out[k]` = what `score` answers for `nodes[k]`, whose snapshot
   * row is `rows[k]`, for every node; Success, or the first error.
   */
  scoreRows?(state: CycleState, pod: Pod, columns: NodeColumns, rows: Int32Array, nodes: NodeInfo[], out: Float64Array): Status;
  scoreExtensions?(): ScoreExtensions | undefined;
}

/** Updates plugin state when a node is chosen, before binding, and undoes it on failure. */
export interface ReservePlugin extends Plugin {
  /** Success, or Error / Unschedulable to abort (Unreserve then runs for every Reserve plugin). */
  reserve(state: CycleState, pod: Pod, nodeName: string): Status;
  /** Undoes reserve; must be idempotent and cannot fail. */
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

/** Approves, delays or rejects a chosen placement before binding. */
export interface PermitPlugin extends Plugin {
  /** Success; Wait with a timeout to hold the pod until allowed; Unschedulable to reject; Error. */
  permit(state: CycleState, pod: Pod, nodeName: string): { status: Status; timeoutMs?: number };
}

/** Work that must happen before the binding (e.g. volumes). */
export interface PreBindPlugin extends Plugin {
  /** Success; Skip; Error or Unschedulable to abort the binding. */
  preBind(state: CycleState, pod: Pod, nodeName: string): Promise<Status>;
}

/** Writes the binding. */
export interface BindPlugin extends Plugin {
  /** Success when bound; Skip to let the next Bind plugin do it; Error. */
  bind(state: CycleState, pod: Pod, nodeName: string): Promise<Status>;
}

/** Told after a successful binding; informational. */
export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: Pod, nodeName: string): void;
}

/** Pods nominated to nodes by preemption, which Filter must account for (upstream's PodNominator). */
export interface PodNominator {
  addNominatedPod(podInfo: PodInfo, nodeName: string): void;
  deleteNominatedPodIfExists(pod: Pod): void;
  /** Whether any pod is nominated at all (lets Filter skip the per-node lookup); assumed true when absent. */
  hasNominatedPods?(): boolean;
  nominatedPodsForNode(nodeName: string): PodInfo[];
}

/** A pod held by a Permit plugin's Wait (upstream's WaitingPod). */
export interface WaitingPod {
  pod: Pod;
  allow(pluginName: string): void;
  reject(pluginName: string, message: string): void;
}

/** The runner of one profile's plugins, as plugins such as preemption need it. */
export interface FrameworkRunner {
  readonly profileName: string;
  /** Runs all Filter plugins on a node; the first non-Success status, or Success. */
  runFilterPlugins(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status;
  /** Like runFilterPlugins, but first adds higher-or-equal-priority pods nominated to the node (upstream's RunFilterPluginsWithNominatedPods). */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status;
  runPreFilterExtensionAddPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): Status;
  runPreFilterExtensionRemovePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): Status;
  getWaitingPod(uid: string): WaitingPod | undefined;
  hasFilterPlugins(): boolean;
}

/** A Kubernetes Event to record: regarding object, type, reason, message. */
export type EventRecorder = (regarding: Pod, type: 'Normal' | 'Warning', reason: string, action: string, message: string) => void;

/** What a plugin gets from the scheduler (upstream's framework.Handle). */
export interface Handle {
  /** the cluster; absent in unit tests that run plugins alone */
  readonly client?: Client;
  /** shared informers (priorityclasses, namespaces …); absent in unit tests */
  readonly informers?: SharedInformerFactory;
  readonly logger: Logger;
  readonly clock: Clock;
  /** the snapshot of the current cycle */
  snapshot(): Snapshot;
  /** the runner of the plugin's own profile */
  readonly framework: FrameworkRunner;
  readonly nominator: PodNominator;
  readonly eventRecorder: EventRecorder;
}

/** Builds a plugin from its args (from pluginConfig, already defaulted by the plugin) and the handle. */
export type PluginFactory = (args: unknown, handle: Handle) => Plugin;
