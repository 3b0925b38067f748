/** What the kubelet remembers about one pod between syncs. */
export interface PodState {
  uid: string;
  sandboxId?: string;
  sandboxAttempt: number;
  ips: string[];
  /** why each container is not running, by container name */
  waiting: Map<string, { reason: string; message?: string }>;
  /** containers to kill at the next sync (failed liveness or startup probe), with the event message */
  killRequests: Map<string, string>;
  startTime?: number;
  terminal?: { reason?: string; message?: string };
  /** when the pod's volumes were last written */
  volumesAt?: number;
  volumes?: Map<string, import('./volume-manager.js').VolumeHostPath>;
}

/** A fresh state for a pod first seen now. */
export function newPodState(uid: string): PodState {
  return { uid, sandboxAttempt: 0, ips: [], waiting: new Map(), killRequests: new Map() };
}
