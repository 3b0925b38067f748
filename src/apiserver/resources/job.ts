import { defaultJob, generateJobSelector, translateTimestampSince, validateJob, type KubeObject, type LabelSelectorMeta } from '../../api/index.js';
import { containerColumns, formatLabelSelector, type ContainerShape } from './cell-format.js';
import { ageColumn, type ResourceDef } from './resource-def.js';

interface Job extends KubeObject {
  spec?: { completions?: number | null; parallelism?: number; selector?: LabelSelectorMeta; template?: { spec?: { containers?: ContainerShape[] } } };
  status?: { succeeded?: number; startTime?: string; completionTime?: string; conditions?: { type: string; status: string }[] };
}

function hasCondition(job: Job, type: string): boolean {
  const condition = job.status?.conditions?.find((c) => c.type === type);
  return condition?.status === 'True';
}

function jobStatus(job: Job): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function completions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  const wanted = job.spec?.completions;
  if (wanted !== undefined && wanted !== null) return `${succeeded}/${wanted}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function duration(job: Job, now: Date): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime;
  return translateTimestampSince(start, end ? new Date(end) : now);
}

/** batch/v1 jobs. */
export const jobs: ResourceDef = {
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  plural: 'jobs',
  singular: 'job',
  namespaced: true,
  categories: ['all'],
  subresources: ['status'],
  tracksGeneration: true,
  defaults: defaultJob,
  validate: validateJob,
  columns: [
    { name: 'Status', type: 'string', priority: 0, description: 'Status of the job.', cell: (object) => jobStatus(object as Job) },
    {
      name: 'Completions',
      type: 'string',
      priority: 0,
      description:
        'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.',
      cell: (object) => completions(object as Job),
    },
    { name: 'Duration', type: 'string', priority: 0, description: 'Time required to complete the job.', cell: (object, now) => duration(object as Job, now) },
    ageColumn,
    ...containerColumns((object) => (object as Job).spec?.template?.spec?.containers),
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description:
        'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
      cell: (object) => formatLabelSelector((object as Job).spec?.selector),
    },
  ],
  fieldSelectors: {
    'status.successful': (object) => String((object as Job).status?.succeeded ?? 0),
  },
  prepareForCreate(object) {
    object.status = {};
    generateJobSelector(object);
  },
};
