import { matchLabelSelector, labelSelectorFromMeta, type KubeObject, type LabelSelectorMeta } from '../../api/index.js';
import { Code, Status, type CycleState, type FrameworkRunner, type NodeInfo, type Pod, type PodInfo } from '../framework/index.js';

/** A PodDisruptionBudget as preemption reads it. */
export interface DisruptionBudget extends KubeObject {
  spec?: { selector?: LabelSelectorMeta };
  status?: { disruptionsAllowed?: number; disruptedPods?: Record<string, string> };
}

/** Victims on one node (upstream's Candidate). */
export interface Candidate {
  nodeName: string;
  victims: Pod[];
  numPDBViolations: number;
}

function priorityOf(p: Pod): number {
  return p.spec.priority ?? 0;
}

function startTime(p: Pod): number {
  const t = (p.status?.startTime as string | undefined) ?? p.metadata.creationTimestamp;
  return t ? Date.parse(t) : 0;
}

/** Upstream's MoreImportantPod: higher priority, then the one that started earlier. */
export function moreImportantPod(a: Pod, b: Pod): boolean {
  const pa = priorityOf(a);
  const pb = priorityOf(b);
  if (pa !== pb) return pa > pb;
  return startTime(a) < startTime(b);
}

/** Splits pods into those whose eviction would violate a PDB and the rest (upstream's filterPodsWithPDBViolation). */
export function splitByPDBViolation(pods: PodInfo[], pdbs: DisruptionBudget[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const pi of pods) {
    const p = pi.pod;
    let violates = false;
    const labels = p.metadata.labels ?? {};
    if (Object.keys(labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        if (pdb.metadata.namespace !== p.metadata.namespace || !pdb.spec?.selector) return;
        let sel;
        try {
          sel = labelSelectorFromMeta(pdb.spec.selector);
        } catch {
          return;
        }
        if (sel.requirements.length === 0 || !matchLabelSelector(sel, labels)) return;
        if (pdb.status?.disruptedPods && p.metadata.name! in pdb.status.disruptedPods) return;
        allowed[i]--;
        if (allowed[i] < 0) violates = true;
      });
    }
    (violates ? violating : nonViolating).push(pi);
  }
  return { violating, nonViolating };
}

/**
 * Upstream's SelectVictimsOnNode: removes every lower-priority pod, checks the pod then fits,
 * and adds pods back, most important first (PDB-violating ones before the others), keeping
 * each that still lets the pod fit. Answers the victims, or the status of why the node cannot help.
 */
export function selectVictimsOnNode(
  fwk: FrameworkRunner,
  state: CycleState,
  pod: Pod,
  original: NodeInfo,
  pdbs: DisruptionBudget[],
): { candidate?: Candidate; status: Status } {
  const nodeInfo = original.clone();
  const prio = priorityOf(pod);
  const potential = nodeInfo.pods.filter((pi) => priorityOf(pi.pod) < prio);
  if (potential.length === 0) return { status: Status.unresolvable('No preemption victims found for incoming pod') };
  for (const pi of potential) {
    nodeInfo.removePod(pi);
    const s = fwk.runPreFilterExtensionRemovePod(state, pod, pi, nodeInfo);
    if (!s.isSuccess()) return { status: s };
  }
  const fits = fwk.runFilterPluginsWithNominatedPods(state, pod, nodeInfo);
  if (!fits.isSuccess()) return { status: fits };
  potential.sort((a, b) => (moreImportantPod(a.pod, b.pod) ? -1 : moreImportantPod(b.pod, a.pod) ? 1 : 0));
  const { violating, nonViolating } = splitByPDBViolation(potential, pdbs);
  const victims: Pod[] = [];
  let numPDBViolations = 0;
  const reprieve = (pi: PodInfo, isViolating: boolean): Status => {
    nodeInfo.addPod(pi);
    const add = fwk.runPreFilterExtensionAddPod(state, pod, pi, nodeInfo);
    if (!add.isSuccess()) return add;
    const s = fwk.runFilterPluginsWithNominatedPods(state, pod, nodeInfo);
    if (s.isSuccess()) return Status.success();
    if (s.code === Code.Error) return s;
    nodeInfo.removePod(pi);
    const rm = fwk.runPreFilterExtensionRemovePod(state, pod, pi, nodeInfo);
    if (!rm.isSuccess()) return rm;
    victims.push(pi.pod);
    if (isViolating) numPDBViolations++;
    return Status.success();
  };
  for (const pi of violating) {
    const s = reprieve(pi, true);
    if (!s.isSuccess()) return { status: s };
  }
  for (const pi of nonViolating) {
    const s = reprieve(pi, false);
    if (!s.isSuccess()) return { status: s };
  }
  return { candidate: { nodeName: original.name, victims, numPDBViolations }, status: Status.success() };
}

/**
 * Upstream's pickOneNodeForPreemption: the fewest PDB violations, then the lowest highest-priority
 * victim, the smallest sum of priorities, the fewest victims, the latest start of the
 * highest-priority victims, then the first.
 */
export function pickOneCandidate(candidates: Candidate[]): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  const highest = (c: Candidate) => (c.victims.length ? Math.max(...c.victims.map(priorityOf)) : -Infinity);
  const sum = (c: Candidate) => c.victims.reduce((a, p) => a + priorityOf(p) + 2147483648, 0);
  const earliestOfHighest = (c: Candidate) => {
    const h = highest(c);
    let t = Infinity;
    for (const v of c.victims) if (priorityOf(v) === h) t = Math.min(t, startTime(v));
    return t;
  };
  let best = candidates;
  const keep = (score: (c: Candidate) => number) => {
    if (best.length <= 1) return;
    const min = Math.min(...best.map(score));
    best = best.filter((c) => score(c) === min);
  };
  keep((c) => c.numPDBViolations);
  keep(highest);
  keep(sum);
  keep((c) => c.victims.length);
  keep((c) => -earliestOfHighest(c));
  return best[0];
}
