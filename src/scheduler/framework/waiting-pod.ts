import type { Clock, TimerHandle } from '../../client/index.js';
import type { WaitingPod } from './interface.js';
import { Status } from './status.js';
import type { Pod } from './types.js';

/** A pod held by Permit plugins until each allows it, one rejects it, or a timeout passes. */
export class WaitingPodImpl implements WaitingPod {
  readonly done: Promise<Status>;
  private resolve!: (s: Status) => void;
  private readonly pending: Set<string>;
  private readonly timers: TimerHandle[] = [];
  private finished = false;

  constructor(
    readonly pod: Pod,
    timeouts: Map<string, number>,
    private readonly clock: Clock,
  ) {
    this.pending = new Set(timeouts.keys());
    this.done = new Promise((r) => (this.resolve = r));
    for (const [plugin, ms] of timeouts) {
      this.timers.push(clock.setTimeout(() => this.reject(plugin, `rejected due to timeout after waiting ${ms / 1000}s at plugin ${plugin}`), ms));
    }
  }

  allow(pluginName: string): void {
    this.pending.delete(pluginName);
    if (this.pending.size === 0) this.finish(Status.success());
  }

  reject(pluginName: string, message: string): void {
    this.finish(Status.unschedulable(message).withPlugin(pluginName));
  }

  private finish(s: Status): void {
    if (this.finished) return;
    this.finished = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.resolve(s);
  }
}
