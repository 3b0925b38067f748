import type { Logger } from 'pino';
import { RuntimeError, type ExecOptions } from '../types.js';
import { ContainerManager } from './containers.js';
import { attachContainer } from './exec.js';
import type { ImageStore } from './images/index.js';
import { Runc } from './runc.js';
import { SandboxManager } from './sandboxes.js';

/**
 * The pieces of the `oci` runtime the `host` runtime reuses: sandbox records and /etc files
 * (always on the host's network), and containers as plain processes under the same shim.
 */
export class HostSupport {
  readonly sandboxes: SandboxManager;

  constructor(
    private readonly dataDir: string,
    private readonly logger: Logger,
  ) {
    this.sandboxes = new SandboxManager({ dataDir, logger, cniBinDir: '', bridge: '', networkName: 'skiff', defaultPodCIDR: '', portMap: false });
  }

  /** A container manager that runs plain processes. */
  containers(images: () => Promise<ImageStore>): ContainerManager {
    return new ContainerManager({ dataDir: this.dataDir, logger: this.logger, runc: new Runc('/run/skiff/runc'), sandboxes: this.sandboxes, images, mode: 'host' });
  }

  /** Attach as the `oci` runtime does it: output followed from the CRI log, stdin through the FIFO. */
  async attach(containers: ContainerManager, id: string, options: Omit<ExecOptions, 'command'>): Promise<void> {
    const record = await containers.record(id);
    if (!record) throw new RuntimeError('NotFound', `container ${id} not found`);
    await attachContainer(record.logPath, record.stdin ? containers.paths(id).stdin : undefined, options, async () => (await containers.status(id))?.state === 'running');
  }
}
