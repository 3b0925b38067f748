import { ColFlag, maxNodeScore, Status, type CycleState, type Handle, type NodeColumns, type NodeInfo, type Pod, type ScorePlugin } from '../framework/index.js';

const mb = 1024 * 1024;
const minThreshold = 23 * mb;
const maxContainerThreshold = 1000 * mb;

/** Adds `:latest` to an image without a tag, as upstream's normalizedImageName. */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

const imagesOfPod = new WeakMap<Pod, Array<string | undefined>>();

/** The normalised image of each init and app container (undefined without one), computed once per pod object. */
function podImages(pod: Pod): Array<string | undefined> {
  let images = imagesOfPod.get(pod);
  if (!images) {
    images = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])].map((c) => (c.image ? normalizedImageName(c.image) : undefined));
    imagesOfPod.set(pod, images);
  }
  return images;
}

/**
 * Upstream's ImageLocality: favours nodes that already have the pod's images, by their size
 * scaled by how widely they are spread over the nodes (so one node does not attract everything).
 */
export class ImageLocality implements ScorePlugin {
  static readonly pluginName = 'ImageLocality';
  readonly name = ImageLocality.pluginName;

  constructor(private readonly handle?: Handle) {}

  /** A score 0–100; Success. */
  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    if (nodeInfo.imageStates.size === 0) return { score: 0, status: Status.success() };
    const totalNodes = this.handle?.snapshot().numNodes() || 1;
    let sum = 0;
    const images = podImages(pod);
    for (const image of images) {
      const st = image ? nodeInfo.imageStates.get(image) : undefined;
      if (st) sum += Math.trunc(st.size * (st.numNodes / totalNodes));
    }
    const maxThreshold = maxContainerThreshold * images.length;
    const clamped = Math.min(Math.max(sum, minThreshold), maxThreshold);
    const score = maxThreshold === minThreshold ? 0 : Math.trunc((maxNodeScore * (clamped - minThreshold)) / (maxThreshold - minThreshold));
    return { score, status: Status.success() };
  }

  /** score per node; nodes without images score 0 without reading their NodeInfo. */
  scoreRows(state: CycleState, pod: Pod, columns: NodeColumns, rows: Int32Array, nodes: NodeInfo[], out: Float64Array): Status {
    for (let k = 0; k < nodes.length; k++) out[k] = columns.has(rows[k], ColFlag.images) ? this.score(state, pod, nodes[k]).score : 0;
    return Status.success();
  }

  eventsToRegister() {
    return [];
  }
}
