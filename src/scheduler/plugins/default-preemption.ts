import type { Informer } from '../../client/index.js';
import {
  Code,
  FitError,
  newDiagnosis,
  podKey,
  Status,
  type CycleState,
  type Handle,
  type NodeToStatusMap,
  type Pod,
  type PostFilterPlugin,
  type PostFilterResult,
} from '../framework/index.js';
import { pickOneCandidate, selectVictimsOnNode, type Candidate, type DisruptionBudget } from './preemption-victims.js';

/** DefaultPreemption's args (upstream's DefaultPreemptionArgs). */
export interface DefaultPreemptionArgs {
  minCandidateNodesPercentage?: number;
  minCandidateNodesAbsolute?: number;
}

const notHelpful = 'Preemption is not helpful for scheduling';

/**
 * Upstream's DefaultPreemption (PostFilter). When no node fits, it looks for a node where
 * evicting lower-priority pods lets the pod fit (respecting PodDisruptionBudgets where it can),
 * picks the cheapest such node, marks each victim with a DisruptionTarget condition, deletes it
 * with its grace period, records `Preempted` events, and nominates the node
 * (`status.nominatedNodeName`) so the pod waits for the room it made.
 */
export class DefaultPreemption implements PostFilterPlugin {
  static readonly pluginName = 'DefaultPreemption';
  readonly name = DefaultPreemption.pluginName;
  private readonly pdbs?: Informer<DisruptionBudget>;
  private readonly minPercentage: number;
  private readonly minAbsolute: number;

  constructor(args: unknown, private readonly handle: Handle) {
    const a = (args ?? {}) as DefaultPreemptionArgs;
    this.minPercentage = a.minCandidateNodesPercentage ?? 10;
    this.minAbsolute = a.minCandidateNodesAbsolute ?? 100;
    this.pdbs = handle.informers?.informerFor<DisruptionBudget>({ group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true });
  }

  /**
   * Success with the nominated node when victims were evicted; Unschedulable
   * `preemption: …` when the pod may not or cannot preempt; Error when an eviction fails.
   */
  async postFilter(state: CycleState, pod: Pod, statuses: NodeToStatusMap): Promise<{ result?: PostFilterResult; status: Status }> {
    const why = this.ineligible(pod);
    if (why) return { status: Status.unschedulable(`preemption: ${why}`) };
    const snapshot = this.handle.snapshot();
    const all = snapshot.list();
    const pdbs = this.pdbs?.store.list() ?? [];
    const diagnosis = newDiagnosis();
    const candidates: Candidate[] = [];
    const wanted = Math.max(this.minAbsolute, Math.floor((all.length * this.minPercentage) / 100));
    const fwk = this.handle.framework;
    for (const n of all) {
      const s = statuses.get(n.name);
      if (s && s.code === Code.UnschedulableAndUnresolvable) {
        diagnosis.nodeToStatus.set(n.name, Status.unresolvable(notHelpful));
        continue;
      }
      if (candidates.length >= wanted) continue;
      const r = selectVictimsOnNode(fwk, state.clone(), pod, n, pdbs);
      if (r.status.code === Code.Error) return { status: r.status };
      if (r.candidate && r.candidate.victims.length > 0) candidates.push(r.candidate);
      else if (r.candidate) diagnosis.nodeToStatus.set(n.name, Status.unresolvable('No preemption victims found for incoming pod'));
      else diagnosis.nodeToStatus.set(n.name, r.status);
    }
    const best = pickOneCandidate(candidates);
    if (!best) {
      const msg = new FitError(pod, diagnosis.nodeToStatus.size, diagnosis).message.replace(/\.$/, '');
      return { result: { nominatedNodeName: '' }, status: Status.unschedulable(`preemption: ${msg}`) };
    }
    try {
      await this.evict(pod, best);
    } catch (err) {
      return { status: Status.error(err as Error) };
    }
    return { result: { nominatedNodeName: best.nodeName }, status: Status.success() };
  }

  /** Why the pod may not preempt now, or undefined (upstream's PodEligibleToPreemptOthers). */
  private ineligible(pod: Pod): string | undefined {
    if (pod.spec.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never';
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      const n = this.handle.snapshot().get(nominated);
      const prio = pod.spec.priority ?? 0;
      if (n?.pods.some((pi) => pi.pod.metadata.deletionTimestamp && (pi.pod.spec.priority ?? 0) < prio)) return 'not eligible due to a terminating pod on the nominated node';
    }
    return undefined;
  }

  private async evict(pod: Pod, c: Candidate): Promise<void> {
    const client = this.handle.client;
    const fwkName = this.handle.framework.profileName;
    await Promise.all(
      c.victims.map(async (v) => {
        const waiting = v.metadata.uid ? this.handle.framework.getWaitingPod(v.metadata.uid) : undefined;
        if (waiting) {
          waiting.reject(DefaultPreemption.pluginName, 'preempted');
        } else if (client) {
          const pods = client.resource<Pod>('pods');
          const condition = {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'PreemptionByScheduler',
            message: `${fwkName}: preempting to accommodate a higher priority pod`,
            lastTransitionTime: new Date(this.handle.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          };
          const conditions = [...(v.status?.conditions ?? []).filter((x) => x.type !== 'DisruptionTarget'), condition];
          try {
            await pods.patch(v.metadata.namespace, v.metadata.name!, { status: { conditions } }, 'merge', { subresource: 'status' });
            await pods.delete(v.metadata.namespace, v.metadata.name!, { preconditions: v.metadata.uid ? { uid: v.metadata.uid } : undefined });
          } catch (err) {
            if ((err as { code?: number }).code !== 404) throw err;
          }
        }
        this.handle.eventRecorder(v, 'Normal', 'Preempted', 'Preempting', `Preempted by pod ${pod.metadata.uid ?? podKey(pod)} on node ${c.nodeName}`);
      }),
    );
    const prio = pod.spec.priority ?? 0;
    for (const pi of this.handle.nominator.nominatedPodsForNode(c.nodeName).slice()) {
      if ((pi.pod.spec.priority ?? 0) >= prio || pi.pod.metadata.uid === pod.metadata.uid) continue;
      this.handle.nominator.deleteNominatedPodIfExists(pi.pod);
      await client?.resource<Pod>('pods').patch(pi.pod.metadata.namespace, pi.pod.metadata.name!, { status: { nominatedNodeName: null } }, 'merge', { subresource: 'status' }).catch((err: unknown) => this.handle.logger.warn({ err, pod: pi.key }, 'could not clear nominatedNodeName'));
    }
  }
}
