import { Registry as PromRegistry } from 'prom-client';
import { realClock, SharedInformerFactory, silentLogger, trimManagedFields, type Client, type Clock, type Informer, type Logger } from '../client/index.js';
import { SchedulerCache } from './cache/index.js';
import { SchedulerEventRecorder } from './event-recorder.js';
import { addEventHandlers } from './event-handlers.js';
import { ExplanationStore, type CycleRecord, type ScheduleExplanation } from './explanation.js';
import {
  CycleState,
  defaultProfile,
  FitError,
  Framework,
  podKey,
  Snapshot,
  Status,
  type Node,
  type Pod,
  type Profile,
  type QueuedPodInfo,
  type Registry,
} from './framework/index.js';
import { SchedulerMetrics } from './metrics.js';
import { inTreeRegistry } from './plugins/index.js';
import { SchedulingQueue } from './queue/index.js';
import { schedulePod, type AlgorithmState } from './schedule-pod.js';
import { buildPodScheduledFailure } from './pod-condition.js';

/** The scheduling loop's shortest and longest run before it yields to the rest of the process. */
const minSliceMs = 5;
const maxSliceMs = 50;

/** How a Scheduler is built. */
export interface SchedulerOptions {
  client: Client;
  logger?: Logger;
  /** default: one profile, upstream's default plugins, `default-scheduler` */
  profiles?: Profile[];
  /** plugin factories; default the in-tree registry */
  registry?: Registry;
  /** 0 or absent: adaptive */
  percentageOfNodesToScore?: number;
  /** shared informers; one is made when absent */
  informers?: SharedInformerFactory;
  clock?: Clock;
  /** random source in [0,1) for tie-breaks */
  random?: () => number;
  /** where metrics are registered; a private registry when absent */
  metricsRegistry?: PromRegistry;
  /** how many pods' last decisions are kept for explain (default 500) */
  explanationLimit?: number;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
}

/**
 * The kube-scheduler: watches pending pods of its profiles and the nodes, and for each pod runs
 * the scheduling cycle (filter, score, reserve, permit) and then, without waiting, the binding
 * cycle (pre-bind, bind), so one binding's API round trip overlaps the next pod's cycle.
 */
export class Scheduler {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly snapshot = new Snapshot();
  readonly frameworks = new Map<string, Framework>();
  readonly informers: SharedInformerFactory;
  readonly metrics: SchedulerMetrics;
  readonly metricsRegistry: PromRegistry;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly recorder: SchedulerEventRecorder;
  private readonly explanations: ExplanationStore;
  private readonly alg: AlgorithmState;
  private readonly bindings = new Set<Promise<void>>();
  private podInformer?: Informer<Pod>;

  constructor(private readonly options: SchedulerOptions) {
    this.logger = (options.logger ?? silentLogger()).child({ component: 'scheduler' });
    this.clock = options.clock ?? realClock;
    // as kube-scheduler: cached objects without managedFields, which scheduling never reads (less memory, less GC)
    this.informers = options.informers ?? new SharedInformerFactory(options.client, { logger: this.logger, clock: this.clock, transform: trimManagedFields });
    this.recorder = new SchedulerEventRecorder(options.client, this.clock, this.logger);
    this.explanations = new ExplanationStore(options.explanationLimit ?? 500);
    this.alg = { nextStartNodeIndex: 0, percentageOfNodesToScore: options.percentageOfNodesToScore, random: options.random ?? Math.random };
    this.cache = new SchedulerCache({ clock: this.clock, logger: this.logger });
    const registry = options.registry ?? inTreeRegistry();
    const profiles = options.profiles?.length ? options.profiles : [defaultProfile(undefined, registry)];
    const nominatorRef: { queue?: SchedulingQueue } = {};
    for (const profile of profiles) {
      if (this.frameworks.has(profile.schedulerName)) throw new Error(`duplicate profile with scheduler name ${JSON.stringify(profile.schedulerName)}`);
      const fwk = new Framework(profile, registry, {
        client: options.client,
        informers: this.informers,
        logger: this.logger.child({ profile: profile.schedulerName }),
        clock: this.clock,
        snapshot: () => this.snapshot,
        nominator: {
          addNominatedPod: (pi, node) => nominatorRef.queue!.nominator.addNominatedPod(pi, node),
          deleteNominatedPodIfExists: (p) => nominatorRef.queue!.nominator.deleteNominatedPodIfExists(p),
          nominatedPodsForNode: (node) => nominatorRef.queue!.nominator.nominatedPodsForNode(node),
          hasNominatedPods: () => nominatorRef.queue!.nominator.hasNominatedPods(),
        },
        eventRecorder: (pod, type, reason, action, message) => this.recorder.record(pod, type, reason, action, message),
      });
      this.frameworks.set(profile.schedulerName, fwk);
    }
    const first = this.frameworks.values().next().value!;
    const eventsByPlugin = new Map<string, ReturnType<Framework['eventsToRegister']> extends Map<string, infer V> ? V : never>();
    for (const fwk of this.frameworks.values()) for (const [name, evs] of fwk.eventsToRegister()) eventsByPlugin.set(name, evs);
    this.queue = new SchedulingQueue({
      less: (a, b) => first.queueSort.less(a, b),
      preEnqueue: (pod) => this.frameworkFor(pod)?.runPreEnqueuePlugins(pod) ?? Status.success(),
      eventsByPlugin,
      clock: this.clock,
      initialBackoffMs: options.podInitialBackoffMs,
      maxBackoffMs: options.podMaxBackoffMs,
    });
    nominatorRef.queue = this.queue;
    this.metricsRegistry = options.metricsRegistry ?? new PromRegistry();
    this.metrics = new SchedulerMetrics(this.metricsRegistry, () => this.queue.pendingPods());
  }

  /** The framework of the pod's `spec.schedulerName`, or undefined when another scheduler owns it. */
  frameworkFor(pod: Pod): Framework | undefined {
    return this.frameworks.get(pod.spec.schedulerName || 'default-scheduler');
  }

  /** The last decision about a pod: per node, the plugin that filtered it out or the plugins' scores. */
  explain(namespace: string, name: string): ScheduleExplanation | undefined {
    return this.explanations.get(namespace, name);
  }

  /** Starts informers, waits for their first lists, then schedules until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.podInformer = this.informers.informerFor<Pod>('pods');
    const nodeInformer = this.informers.informerFor<Node>('nodes');
    addEventHandlers(this, this.podInformer, nodeInformer);
    this.informers.start(signal);
    await this.informers.waitForSync(signal);
    if (signal.aborted) return;
    this.queue.run(signal);
    this.logger.info({ profiles: [...this.frameworks.keys()] }, 'scheduler started');
    let slice = performance.now();
    let budget = minSliceMs;
    let turned = false;
    let probe = setImmediate(() => (turned = true));
    while (!signal.aborted) {
      const q = await this.queue.pop(signal);
      if (!q) break;
      await this.scheduleOne(q);
      // Cycles chain as microtasks while activeQ is full; yield so bindings, informer events and API requests in this process get their turn.
      // A slice spent computing may be followed by one as long as the others just had (5–50 ms): about half the thread each while both
      // are busy, as two processes would share a core. A slice that waited on I/O (the event loop turned) already shared it: 5 ms.
      const now = performance.now();
      if (now - slice > budget) {
        const computed = !turned;
        await new Promise<void>((resolve) => setImmediate(resolve));
        const resumed = performance.now();
        budget = computed ? Math.min(maxSliceMs, Math.max(minSliceMs, resumed - now)) : minSliceMs;
        slice = resumed;
        turned = false;
        clearImmediate(probe);
        probe = setImmediate(() => (turned = true));
      }
    }
    clearImmediate(probe);
    for (const f of this.frameworks.values()) f.rejectWaitingPods('scheduler stopped');
    await Promise.allSettled([...this.bindings]);
  }

  /** Schedules one popped pod: the scheduling cycle now, the binding cycle in the background. */
  async scheduleOne(q: QueuedPodInfo): Promise<void> {
    const pod = q.podInfo.pod;
    const fwk = this.frameworkFor(pod);
    if (!fwk || pod.metadata.deletionTimestamp || this.cache.isAssumedPod(pod) || pod.spec.nodeName) {
      this.queue.done(q.podInfo.key);
      return;
    }
    const start = performance.now();
    const cycle = this.queue.schedulingCycle();
    const state = new CycleState();
    this.cache.updateSnapshot(this.snapshot);
    const record: CycleRecord = {
      namespace: pod.metadata.namespace ?? '',
      name: pod.metadata.name ?? '',
      uid: pod.metadata.uid,
      profile: fwk.profileName,
      timeMs: this.clock.now(),
      attempt: q.attempts,
      result: 'Error',
      numAllNodes: this.snapshot.numNodes(),
      nodesEvaluated: 0,
    };
    let host: string;
    try {
      this.alg.percentageOfNodesToScore = fwk.percentageOfNodesToScore ?? this.options.percentageOfNodesToScore;
      const result = schedulePod(fwk, state, pod, this.snapshot, this.alg);
      host = result.suggestedHost;
      record.nodesEvaluated = result.evaluatedNodes;
      record.rejected = result.diagnosis.nodeToStatus;
      const table = result.scores;
      if (table) {
        // the names from the snapshot rows when known: reading each NodeInfo again would cost a cache miss per node
        record.feasible = table.names ?? table.nodes.map((n) => n.name);
        record.scorePlugins = table.plugins;
        record.weights = table.plugins.map((p) => fwk.scoreWeights.get(p) ?? 1);
        record.scores = table.scores;
      } else {
        record.feasible = [host];
      }
    } catch (err) {
      await this.handleCycleError(fwk, q, state, err as Error, record, cycle, start);
      return;
    }
    record.result = 'Scheduled';
    record.selectedNode = host;
    this.explanations.record(record);

    const assumed: Pod = { ...pod, spec: { ...pod.spec, nodeName: host } };
    try {
      this.cache.assumePod(assumed);
    } catch (err) {
      await this.failure(fwk, q, Status.error(err as Error), cycle, start);
      return;
    }
    const reserve = fwk.runReservePluginsReserve(state, assumed, host);
    if (!reserve.isSuccess()) {
      fwk.runReservePluginsUnreserve(state, assumed, host);
      this.cache.forgetPod(assumed);
      await this.failure(fwk, q, reserve, cycle, start);
      return;
    }
    const permit = fwk.runPermitPlugins(state, assumed, host);
    if (!permit.isSuccess() && !permit.isWait()) {
      fwk.runReservePluginsUnreserve(state, assumed, host);
      this.cache.forgetPod(assumed);
      await this.failure(fwk, q, permit, cycle, start);
      return;
    }
    if (q.unschedulablePlugins.size > 0 || q.pendingPlugins.size > 0) {
      q.unschedulablePlugins.clear();
      q.pendingPlugins.clear();
    }
    const binding = this.bindingCycle(fwk, state, q, assumed, host, cycle, start);
    this.bindings.add(binding);
    void binding.finally(() => this.bindings.delete(binding));
  }

  private async bindingCycle(fwk: Framework, state: CycleState, q: QueuedPodInfo, assumed: Pod, host: string, cycle: number, start: number): Promise<void> {
    const fail = async (s: Status) => {
      fwk.runReservePluginsUnreserve(state, assumed, host);
      this.cache.forgetPod(assumed);
      this.queue.moveAllToActiveOrBackoffQueue({ resource: 'AssignedPod', actionType: 2, label: 'AssignedPodDelete' }, assumed, undefined);
      await this.failure(fwk, q, s, cycle, start);
    };
    try {
      const permit = await fwk.waitOnPermit(assumed);
      if (!permit.isSuccess()) return await fail(permit);
      const pre = await fwk.runPreBindPlugins(state, assumed, host);
      if (!pre.isSuccess()) return await fail(pre);
      const bind = await fwk.runBindPlugins(state, assumed, host);
      if (!bind.isSuccess()) return await fail(bind.isSkip() ? Status.error('no bind plugin bound the pod') : bind);
      this.cache.finishBinding(assumed);
      this.queue.done(q.podInfo.key);
      this.queue.nominator.deleteNominatedPodIfExists(assumed);
      this.metrics.observe('scheduled', fwk.profileName, (performance.now() - start) / 1000);
      this.recorder.record(assumed, 'Normal', 'Scheduled', 'Binding', `Successfully assigned ${podKey(assumed)} to ${host}`);
      fwk.runPostBindPlugins(state, assumed, host);
    } catch (err) {
      this.logger.error({ err, pod: q.podInfo.key }, 'binding cycle failed');
      await fail(Status.error(err as Error));
    }
  }

  private async handleCycleError(fwk: Framework, q: QueuedPodInfo, state: CycleState, err: Error, record: CycleRecord, cycle: number, start: number): Promise<void> {
    const pod = q.podInfo.pod;
    if (!(err instanceof FitError)) {
      record.message = err.message;
      this.explanations.record(record);
      await this.failure(fwk, q, Status.error(err), cycle, start);
      return;
    }
    const d = err.diagnosis;
    record.result = 'Unschedulable';
    record.rejected = d.nodeToStatus;
    record.nodesEvaluated = d.nodeToStatus.size;
    if (d.preFilterMsg) record.preFilterStatus = [...d.nodeToStatus.values()][0];
    let nominatedNodeName: string | undefined;
    if (fwk.postFilterPlugins.length > 0) {
      try {
        const { result, status } = await fwk.runPostFilterPlugins(state, pod, d.nodeToStatus);
        if (status.code === 1) this.logger.warn({ pod: q.podInfo.key, err: status.message() }, 'PostFilter failed');
        else if (!status.isSuccess()) d.postFilterMsg = status.message();
        nominatedNodeName = result?.nominatedNodeName || undefined;
        record.postFilter = { message: status.message() || undefined, nominatedNodeName };
      } catch (e) {
        this.logger.warn({ err: e, pod: q.podInfo.key }, 'PostFilter threw');
      }
    }
    const message = new FitError(pod, err.numAllNodes, d).message;
    record.message = message;
    this.explanations.record(record);
    q.unschedulablePlugins = new Set(d.unschedulablePlugins);
    q.pendingPlugins = new Set(d.pendingPlugins);
    await this.failure(fwk, q, Status.unschedulable(message), cycle, start, nominatedNodeName, true);
  }

  /** Requeues a pod that did not get scheduled, and tells the user why (condition and event). */
  private async failure(fwk: Framework, q: QueuedPodInfo, status: Status, cycle: number, start: number, nominatedNodeName?: string, fit = false): Promise<void> {
    const pod = q.podInfo.pod;
    const key = q.podInfo.key;
    const isError = !fit;
    if (isError) {
      q.unschedulablePlugins.clear();
      q.pendingPlugins.clear();
    }
    this.metrics.observe(isError ? 'error' : 'unschedulable', fwk.profileName, (performance.now() - start) / 1000);
    const current = this.podInformer?.store.getByName(pod.metadata.namespace, pod.metadata.name!);
    if (this.podInformer && (!current || current.metadata.uid !== pod.metadata.uid || current.spec.nodeName)) {
      this.queue.done(key);
      return;
    }
    this.queue.addUnschedulableIfNotPresent(q, cycle);
    const latest = current ?? pod;
    if (nominatedNodeName) this.queue.nominator.addNominatedPod(q.podInfo, nominatedNodeName);
    const reason = isError ? 'SchedulerError' : 'Unschedulable';
    const message = status.message();
    if (isError) this.logger.warn({ pod: key, err: message }, 'error scheduling pod; retrying');
    else this.logger.debug({ pod: key, reason: message }, 'unable to schedule pod; waiting');
    this.recorder.record(latest, 'Warning', 'FailedScheduling', 'Scheduling', message);
    const patch = buildPodScheduledFailure(latest, reason, message, this.clock.now(), nominatedNodeName);
    if (!patch) return;
    try {
      await this.options.client.resource<Pod>('pods').patch(latest.metadata.namespace, latest.metadata.name!, patch, 'merge', { subresource: 'status' });
    } catch (err) {
      this.logger.warn({ err, pod: key }, 'could not update the PodScheduled condition');
    }
  }

  /** Pods whose binding is still being written. */
  inFlightBindings(): number {
    return this.bindings.size;
  }
}
