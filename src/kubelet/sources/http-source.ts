import type { Logger } from 'pino';
import { sleep, type Clock } from '../../client/index.js';
import type { Pod } from '../pod-types.js';
import { parsePods, staticPodFrom } from './static-pod.js';

export interface HttpSourceOptions {
  url: string;
  nodeName: string;
  clock: Clock;
  logger: Logger;
  onPods: (pods: Pod[]) => void;
  onBadManifest: (message: string) => void;
  /** poll period (upstream's httpCheckFrequency, 20 s) */
  pollMs?: number;
}

/**
 * `--manifest-url`: a Pod or PodList fetched every 20 s. A failed fetch keeps the last good set;
 * a bad answer is reported once.
 */
export class HttpSource {
  private lastBody: string | undefined;
  private readonly firstSeen = new Map<string, number>();

  constructor(private readonly o: HttpSourceOptions) {}

  async start(signal: AbortSignal): Promise<void> {
    await this.poll(signal);
    void (async () => {
      while (await sleep(this.o.clock, this.o.pollMs ?? 20_000, signal)) await this.poll(signal);
    })();
  }

  /** Fetches once and delivers the pods if the answer changed. */
  async poll(signal?: AbortSignal): Promise<void> {
    let body: string;
    try {
      const res = await fetch(this.o.url, { signal: signal ?? null });
      if (!res.ok) throw new Error(`${this.o.url}: HTTP ${res.status}`);
      body = await res.text();
    } catch (error) {
      if (!signal?.aborted) this.o.logger.warn({ err: error, url: this.o.url }, 'could not fetch the manifest URL');
      return;
    }
    if (body === this.lastBody) return;
    this.lastBody = body;
    try {
      const pods = parsePods(body, true).map((raw) => {
        const key = JSON.stringify(raw);
        if (!this.firstSeen.has(key)) this.firstSeen.set(key, this.o.clock.now());
        return staticPodFrom(raw, 'http', this.o.url, this.o.nodeName, this.firstSeen.get(key)!);
      });
      this.o.onPods(pods);
    } catch (error) {
      const message = `bad manifest from ${this.o.url}: ${error instanceof Error ? error.message : String(error)}`;
      this.o.logger.warn(message);
      this.o.onBadManifest(message);
    }
  }
}
