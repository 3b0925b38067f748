/** Data a plugin keeps for one pod's scheduling cycle; cloned when preemption simulates removals. */
export interface StateData {
  clone(): StateData;
}

/**
 * Per-cycle storage shared by the plugins of one profile (upstream's CycleState). PreFilter
 * typically computes something once and Filter/Score read it per node. Keys are plugin-chosen
 * strings, usually `PreFilter<PluginName>`.
 */
export class CycleState {
  private readonly data = new Map<string, StateData>();
  /** plugins whose PreFilter returned Skip: their Filter is not run */
  readonly skipFilterPlugins = new Set<string>();
  /** plugins whose PreScore returned Skip: their Score is not run */
  readonly skipScorePlugins = new Set<string>();

  read<T extends StateData>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: StateData): void {
    this.data.set(key, value);
  }

  delete(key: string): void {
    this.data.delete(key);
  }

  /** A deep copy (each value's own clone) for simulations such as preemption. */
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, v.clone());
    for (const p of this.skipFilterPlugins) c.skipFilterPlugins.add(p);
    for (const p of this.skipScorePlugins) c.skipScorePlugins.add(p);
    return c;
  }
}
