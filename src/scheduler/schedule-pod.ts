import { numFeasibleNodesToFind } from './cache/index.js';
import {
  Code,
  CycleState,
  FitError,
  newDiagnosis,
  Status,
  type Diagnosis,
  type FilterPlugin,
  type Framework,
  type NodeColumns,
  type NodeInfo,
  type Pod,
  type ScoreTable,
  type Snapshot,
} from './framework/index.js';

/** What a scheduling algorithm run found. */
export interface ScheduleResult {
  suggestedHost: string;
  evaluatedNodes: number;
  feasibleNodes: number;
  /** scores of the feasible nodes; absent when there was only one */
  scores?: ScoreTable;
  diagnosis: Diagnosis;
}

/** Thrown when there are no nodes at all (upstream's ErrNoNodesAvailable). */
export class NoNodesAvailableError extends Error {
  constructor() {
    super('no nodes available to schedule pods');
    this.name = 'NoNodesAvailableError';
  }
}

/** Per-scheduler mutable state of the algorithm: where the next round-robin search starts. */
export interface AlgorithmState {
  nextStartNodeIndex: number;
  percentageOfNodesToScore?: number;
  random: () => number;
}

const filteredByPreFilterResult = 'node is filtered out by the prefilter result';

/**
 * Upstream's schedulePod: PreFilter, Filter over the nodes (round robin from where the last cycle
 * stopped, until enough feasible nodes are found), then PreScore, Score and the highest total.
 * Throws FitError when no node fits (with the diagnosis), or an Error for plugin errors.
 */
export function schedulePod(fwk: Framework, state: CycleState, pod: Pod, snapshot: Snapshot, alg: AlgorithmState): ScheduleResult {
  const all = snapshot.list();
  if (all.length === 0) throw new NoNodesAvailableError();
  const { feasible, diagnosis, evaluated, rows } = findNodesThatFitPod(fwk, state, pod, snapshot, alg);
  if (feasible.length === 0) throw new FitError(pod, all.length, diagnosis);
  if (feasible.length === 1) return { suggestedHost: feasible[0].name, evaluatedNodes: evaluated, feasibleNodes: 1, diagnosis };
  const scores = prioritizeNodes(fwk, state, pod, feasible, rows && { columns: snapshot.columns, rows });
  return { suggestedHost: selectHost(scores, alg.random), evaluatedNodes: evaluated, feasibleNodes: feasible.length, scores, diagnosis };
}

function statusError(s: Status): Error {
  return s.error ?? new Error(`running ${s.plugin} plugin: ${s.message()}`);
}

/** What findNodesThatFitPod found. */
export interface FitResult {
  feasible: NodeInfo[];
  diagnosis: Diagnosis;
  evaluated: number;
  /** the snapshot row of each feasible node, when the row fast path ran (valid until the next cycle) */
  rows?: Int32Array;
}

/** PreFilter, then Filter: the feasible nodes and why the others were rejected. */
export function findNodesThatFitPod(fwk: Framework, state: CycleState, pod: Pod, snapshot: Snapshot, alg: AlgorithmState): FitResult {
  const all = snapshot.list();
  const diagnosis = newDiagnosis();
  const pre = fwk.runPreFilterPlugins(state, pod, all);
  for (const p of pre.unschedulablePlugins) diagnosis.unschedulablePlugins.add(p);
  if (!pre.status.isSuccess()) {
    if (!pre.status.isRejected()) throw statusError(pre.status);
    if (pre.status.code === Code.Pending) diagnosis.pendingPlugins.add(pre.status.plugin);
    diagnosis.preFilterMsg = pre.status.message();
    for (const n of all) diagnosis.nodeToStatus.set(n.name, pre.status);
    return { feasible: [], diagnosis, evaluated: 0 };
  }

  const nominated = pod.status?.nominatedNodeName;
  if (nominated) {
    const n = snapshot.get(nominated);
    if (n && (!pre.result?.nodeNames || pre.result.nodeNames.has(nominated))) {
      const s = fwk.runFilterPluginsWithNominatedPods(state, pod, n);
      if (s.isSuccess()) return { feasible: [n], diagnosis, evaluated: 1 };
      if (!s.isRejected()) throw statusError(s);
    }
  }

  let nodes = all;
  if (pre.result?.nodeNames) {
    const allowed = pre.result.nodeNames;
    nodes = [];
    const outStatus = Status.unresolvable(filteredByPreFilterResult);
    for (const n of all) {
      if (allowed.has(n.name)) nodes.push(n);
      else diagnosis.nodeToStatus.set(n.name, outStatus);
    }
  }
  const want = numFeasibleNodesToFind(nodes.length, alg.percentageOfNodesToScore);
  const feasible: NodeInfo[] = [];
  const start = nodes.length > 0 ? alg.nextStartNodeIndex % nodes.length : 0;
  const rowPlugins = nodes === all && snapshot.columns.size === all.length && !fwk.mayHaveNominatedPods() ? fwk.rowFilterPlugins(state) : undefined;
  if (rowPlugins) {
    const { rows, processed } = filterByRows(fwk, rowPlugins, state, pod, snapshot, start, want, feasible, diagnosis);
    alg.nextStartNodeIndex = nodes.length > 0 ? (start + processed) % nodes.length : 0;
    return { feasible, diagnosis, evaluated: processed, rows };
  }
  let processed = 0;
  const hasFilters = fwk.hasFilterPlugins();
  for (let i = 0; i < nodes.length && feasible.length < want; i++) {
    const n = nodes[(start + i) % nodes.length];
    processed++;
    if (!hasFilters) {
      feasible.push(n);
      continue;
    }
    const s = fwk.runFilterPluginsWithNominatedPods(state, pod, n);
    if (s.isSuccess()) {
      feasible.push(n);
    } else if (s.isRejected()) {
      diagnosis.nodeToStatus.set(n.name, s);
      if (s.code === Code.Pending) diagnosis.pendingPlugins.add(s.plugin);
      else diagnosis.unschedulablePlugins.add(s.plugin);
    } else {
      throw statusError(s);
    }
  }
  alg.nextStartNodeIndex = nodes.length > 0 ? (start + processed) % nodes.length : 0;
  return { feasible, diagnosis, evaluated: processed };
}

let scratchRows = new Int32Array(0);
let scratchPass = new Uint8Array(0);
let scratchFound = new Int32Array(0);
const scratchVerdicts: Array<Status | undefined> = [];

/**
 * The Filter loop over all snapshot nodes when every Filter plugin has filterRows and no pod is
 * nominated: from `start`, round robin, in batches of as many nodes as feasible ones are still
 * wanted (so no node past the last one needed is evaluated), the plugins pass what they can from
 * the rows; the other nodes run the Filter plugins as usual. Same nodes, order and statuses as
 * the per-node loop. The rows answered are valid until the next cycle.
 */
function filterByRows(fwk: Framework, plugins: FilterPlugin[], state: CycleState, pod: Pod, snapshot: Snapshot, start: number, want: number, feasible: NodeInfo[], diagnosis: Diagnosis): { rows: Int32Array; processed: number } {
  const nodes = snapshot.list();
  const columns = snapshot.columns;
  const n = nodes.length;
  const size = Math.min(want, n);
  if (scratchRows.length < size) {
    scratchRows = new Int32Array(size);
    scratchPass = new Uint8Array(size);
    scratchFound = new Int32Array(size);
  }
  const found = scratchFound;
  const rows = scratchRows;
  const pass = scratchPass;
  let processed = 0;
  while (processed < n && feasible.length < want) {
    const count = Math.min(want - feasible.length, n - processed);
    const verdicts = scratchVerdicts;
    let r = (start + processed) % n;
    for (let k = 0; k < count; k++) {
      rows[k] = r;
      verdicts[k] = undefined;
      if (++r === n) r = 0;
    }
    pass.fill(1, 0, count);
    for (let j = 0; j < plugins.length; j++) plugins[j].filterRows!(state, pod, columns, rows, count, pass, verdicts);
    for (let k = 0; k < count; k++) {
      const row = rows[k];
      const node = nodes[row];
      if (pass[k] === 1) {
        found[feasible.length] = row;
        feasible.push(node);
        continue;
      }
      const s = verdicts[k] ?? fwk.runFilterPlugins(state, pod, node);
      if (s.isSuccess()) {
        found[feasible.length] = row;
        feasible.push(node);
      } else if (s.isRejected()) {
        diagnosis.nodeToStatus.set(columns.names[row], s);
        if (s.code === Code.Pending) diagnosis.pendingPlugins.add(s.plugin);
        else diagnosis.unschedulablePlugins.add(s.plugin);
      } else {
        throw statusError(s);
      }
    }
    processed += count;
  }
  return { rows: found.subarray(0, feasible.length), processed };
}

/** PreScore and Score: each feasible node's weighted scores. Throws on a plugin error. */
export function prioritizeNodes(fwk: Framework, state: CycleState, pod: Pod, nodes: NodeInfo[], rows?: { columns: NodeColumns; rows: Int32Array }): ScoreTable {
  if (fwk.preScorePlugins.length === 0 && fwk.scorePlugins.length === 0) {
    return { nodes, plugins: [], scores: new Float64Array(0), totals: new Float64Array(nodes.length).fill(1) };
  }
  const pre = fwk.runPreScorePlugins(state, pod, nodes);
  if (!pre.isSuccess()) throw statusError(pre);
  const { table, status } = fwk.runScorePlugins(state, pod, nodes, rows);
  if (!status.isSuccess() || !table) throw statusError(status);
  return table;
}

/** The node with the highest total; ties broken at random, each tied node equally likely (upstream's selectHost). */
export function selectHost(table: ScoreTable, random: () => number): string {
  const totals = table.totals;
  if (totals.length === 0) throw new Error('empty priorityList');
  let best = 0;
  let ties = 1;
  for (let i = 1; i < totals.length; i++) {
    const t = totals[i];
    if (t > totals[best]) {
      best = i;
      ties = 1;
    } else if (t === totals[best]) {
      ties++;
      if (Math.floor(random() * ties) === 0) best = i;
    }
  }
  return table.nodes[best].name;
}
