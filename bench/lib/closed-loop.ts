/** What a closed-loop run measured after its warm-up. */
export interface LoadResult {
  /** completed operations per second in the measured window */
  rate: number;
  /** latencies (ms) of operations that started in the measured window */
  latencies: number[];
  errors: number;
  /** operations started, warm-up included */
  started: number;
  firstError?: string;
  /** process.hrtime-based µs bounds of the measured window, to cut a CPU profile to it */
  windowMicros: [number, number];
}

/** Options of a closed-loop run: `concurrency` workers, each starting its next operation as soon as the last ends. */
export interface LoadOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** one operation; `seq` is unique across workers */
  op: (seq: number) => Promise<void>;
  /** called once when the measured window opens and once when it closes */
  onWindow?: (edge: 'start' | 'end') => void;
}

/** Runs `op` in a closed loop and measures the rate and latencies after the warm-up. */
export async function closedLoop(options: LoadOptions): Promise<LoadResult> {
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const measureTo = measureFrom + options.durationMs;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let seq = 0;
  let windowStart = 0;
  let windowEnd = 0;
  const worker = async () => {
    for (;;) {
      const began = performance.now();
      if (began >= measureTo) return;
      if (!windowStart && began >= measureFrom) {
        windowStart = micros();
        options.onWindow?.('start');
      }
      try {
        await options.op(seq++);
        const ended = performance.now();
        if (began >= measureFrom && ended <= measureTo) latencies.push(ended - began);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  windowEnd = micros();
  options.onWindow?.('end');
  return { rate: latencies.length / (options.durationMs / 1000), latencies, errors, started: seq, firstError, windowMicros: [windowStart, windowEnd] };
}

/** Runs `op` for seq 0..count-1 with `concurrency` in flight. */
export async function runCount(count: number, concurrency: number, op: (seq: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** process.hrtime in µs: the clock V8's CPU profiles use. */
export function micros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
