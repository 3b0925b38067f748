import { ApiError, type ApiRequest, type ApiResponse } from '../api/index.js';
import type { ScheduleExplanation } from './explanation.js';

/** The non-resource path prefix explanations are served under: `<prefix><namespace>/<name>`. */
export const explainPathPrefix = '/debug/scheduler/explain/';

/** The wire shape of an explanation. */
export interface PodSchedulingExplanation extends ScheduleExplanation {
  kind: 'PodSchedulingExplanation';
  apiVersion: 'skiff.dev/v1';
}

/**
 * A handler for `GET /debug/scheduler/explain/<namespace>/<name>` answering the scheduler's last
 * decision about the pod (404 NotFound when it has none, e.g. on a server whose scheduler is not
 * the leader). `explain` may answer later, e.g. by asking the scheduler's thread. The API server
 * registers it with `registerNonResource(explainPathPrefix, …)`.
 */
export function explainHandler(
  explain: (namespace: string, name: string) => ScheduleExplanation | undefined | Promise<ScheduleExplanation | undefined>,
): (request: ApiRequest, path: string) => Promise<ApiResponse> {
  return async (_request, path) => {
    const rest = path.slice(explainPathPrefix.length).split('/').map(decodeURIComponent);
    if (rest.length !== 2 || !rest[0] || !rest[1]) throw new ApiError('NotFound', `expected ${explainPathPrefix}<namespace>/<name>`);
    const [namespace, name] = rest;
    const e = await explain(namespace, name);
    if (!e) {
      throw new ApiError('NotFound', `the scheduler has no decision about pod "${name}" in namespace "${namespace}" (it has not tried to schedule it, or this server's scheduler is not the leader)`, { name, kind: 'pods' });
    }
    const body: PodSchedulingExplanation = { kind: 'PodSchedulingExplanation', apiVersion: 'skiff.dev/v1', ...e };
    return { status: 200, body };
  };
}
