import type { NodeInfo, Pod, Snapshot } from '../framework/index.js';
import { podAffinityTerms, podIdentity, termIdentity, type AffinityTerm } from './pod-affinity-terms.js';

/** Pods (or terms) per topology value. */
export type ValueCounts = Map<string, number>;

/** Existing pods' terms of one kind that select the same pods on the same topology key, counted per topology value. */
export interface TermGroup {
  term: AffinityTerm;
  topologyKey: string;
  /** 0 for required anti-affinity; for scoring: the term's signed weight, or 0 standing for hardPodAffinityWeight */
  weight: number;
  hard: boolean;
  counts: ValueCounts;
  total: number;
}

/** Existing pods that every term matches alike (same namespace and labels), counted per topology value of the keys asked for. */
export interface PodGroup {
  pod: Pod;
  byKey: Map<string, ValueCounts>;
  total: number;
}

interface NodeEntry {
  info: NodeInfo;
  generation: number;
  undo: Array<ValueCounts | string>;
  podGroups: PodGroup[];
  termGroups: Array<{ groups: Map<string, TermGroup>; group: TermGroup }>;
}

function bump(counts: ValueCounts, value: string, delta: number): void {
  const n = (counts.get(value) ?? 0) + delta;
  if (n === 0) counts.delete(value);
  else counts.set(value, n);
}

/**
 * The pods of a snapshot grouped for InterPodAffinity, kept in step with the snapshot node by
 * node (a node whose NodeInfo object or generation changed is recounted): existing pods'
 * required anti-affinity terms and scoring terms per (term selector, topology key) with counts
 * per topology value, and all pods per (namespace, labels) with counts per topology value of
 * the keys incoming pods asked about. A cycle then matches each group once instead of each pod.
 * A snapshot kept by SchedulerCache names the nodes each update changed, so only those are
 * recounted; any other snapshot is compared node by node on every use.
 */
export class PodAffinityIndex {
  readonly antiTerms = new Map<string, TermGroup>();
  readonly scoringTerms = new Map<string, TermGroup>();
  readonly pods = new Map<string, PodGroup>();
  private readonly keys = new Set<string>();
  private readonly nodes = new Map<string, NodeEntry>();
  private lastList: NodeInfo[] | undefined;
  /** the snapshot generation last synced with; NaN when the snapshot does not say what changed */
  private generation = Number.NaN;

  /** The index of a snapshot, brought up to date with it. */
  static of(snapshot: Snapshot): PodAffinityIndex {
    let index = indexes.get(snapshot);
    if (!index) indexes.set(snapshot, (index = new PodAffinityIndex()));
    index.sync(snapshot);
    return index;
  }

  /** The pod groups with their counts for `topologyKey` (counting the key from now on). */
  podGroupsFor(topologyKey: string): Iterable<PodGroup> {
    if (!this.keys.has(topologyKey)) {
      this.keys.add(topologyKey);
      for (const entry of this.nodes.values()) {
        const value = entry.info.node?.metadata.labels?.[topologyKey];
        if (value === undefined) continue;
        for (const group of entry.podGroups) this.countPod(entry, group, topologyKey, value);
      }
    }
    return this.pods.values();
  }

  private sync(snapshot: Snapshot): void {
    const list = snapshot.list();
    const changed = snapshot.changedNodes;
    if (list === this.lastList && snapshot.generation === this.generation) return;
    if (list === this.lastList && changed && snapshot.generation === this.generation + 1) {
      for (const name of changed) {
        const n = snapshot.nodeInfoMap.get(name);
        if (n?.node) this.recount(n);
        else this.uncount(name);
      }
    } else {
      const names = new Set<string>();
      for (const n of list) {
        names.add(n.name);
        const entry = this.nodes.get(n.name);
        if (!entry || entry.info !== n || entry.generation !== n.generation) this.recount(n);
      }
      for (const name of [...this.nodes.keys()]) if (!names.has(name)) this.uncount(name);
    }
    this.lastList = list;
    this.generation = changed ? snapshot.generation : Number.NaN;
  }

  private uncount(name: string): void {
    const entry = this.nodes.get(name);
    if (!entry) return;
    this.nodes.delete(name);
    const undo = entry.undo;
    for (let i = 0; i < undo.length; i += 2) bump(undo[i] as ValueCounts, undo[i + 1] as string, -1);
    for (const g of entry.podGroups) if (--g.total === 0) this.pods.delete(podIdentity(g.pod));
    for (const { groups, group } of entry.termGroups) if (--group.total === 0) groups.delete(groupKey(group));
  }

  private recount(n: NodeInfo): void {
    this.uncount(n.name);
    const entry: NodeEntry = { info: n, generation: n.generation, undo: [], podGroups: [], termGroups: [] };
    this.nodes.set(n.name, entry);
    const labels = n.node?.metadata.labels;
    if (!labels) return;
    for (const pi of n.pods) {
      const id = podIdentity(pi.pod);
      let group = this.pods.get(id);
      if (!group) this.pods.set(id, (group = { pod: pi.pod, byKey: new Map(), total: 0 }));
      group.total++;
      entry.podGroups.push(group);
      for (const key of this.keys) {
        const value = labels[key];
        if (value !== undefined) this.countPod(entry, group, key, value);
      }
    }
    for (const pi of n.podsWithAffinity) {
      const terms = podAffinityTerms(pi.pod);
      for (const t of terms.requiredAntiAffinity) this.countTerm(entry, this.antiTerms, t, 0, false, labels);
      for (const t of terms.requiredAffinity) this.countTerm(entry, this.scoringTerms, t, 0, true, labels);
      for (const t of terms.preferredAffinity) this.countTerm(entry, this.scoringTerms, t, t.weight, false, labels);
      for (const t of terms.preferredAntiAffinity) this.countTerm(entry, this.scoringTerms, t, -t.weight, false, labels);
    }
  }

  private countPod(entry: NodeEntry, group: PodGroup, key: string, value: string): void {
    let counts = group.byKey.get(key);
    if (!counts) group.byKey.set(key, (counts = new Map()));
    bump(counts, value, 1);
    entry.undo.push(counts, value);
  }

  private countTerm(entry: NodeEntry, groups: Map<string, TermGroup>, term: AffinityTerm, weight: number, hard: boolean, labels: Record<string, string>): void {
    const value = labels[term.topologyKey];
    if (value === undefined) return;
    const probe = { term, topologyKey: term.topologyKey, weight, hard } as TermGroup;
    const k = groupKey(probe);
    let group = groups.get(k);
    if (!group) groups.set(k, (group = { ...probe, counts: new Map(), total: 0 }));
    group.total++;
    entry.termGroups.push({ groups, group });
    bump(group.counts, value, 1);
    entry.undo.push(group.counts, value);
  }
}

function groupKey(g: Pick<TermGroup, 'term' | 'topologyKey' | 'weight' | 'hard'>): string {
  return `${g.hard ? 'h' : g.weight}\u0000${g.topologyKey}\u0000${termIdentity(g.term)}`;
}

const indexes = new WeakMap<Snapshot, PodAffinityIndex>();
