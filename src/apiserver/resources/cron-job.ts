import { defaultCronJob, translateTimestampSince, validateCronJob, type KubeObject, type LabelSelectorMeta } from '../../api/index.js';
import { containerColumns, formatBoolPointer, formatLabelSelector, type ContainerShape } from './cell-format.js';
import { ageColumn, type ResourceDef } from './resource-def.js';

interface CronJob extends KubeObject {
  spec?: {
    schedule?: string;
    timeZone?: string;
    suspend?: boolean;
    jobTemplate?: { spec?: { selector?: LabelSelectorMeta; template?: { spec?: { containers?: ContainerShape[] } } } };
  };
  status?: { active?: unknown[]; lastScheduleTime?: string };
}

/** batch/v1 cronjobs. */
export const cronJobs: ResourceDef = {
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  plural: 'cronjobs',
  singular: 'cronjob',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  subresources: ['status'],
  tracksGeneration: true,
  defaults: defaultCronJob,
  validate: validateCronJob,
  columns: [
    {
      name: 'Schedule',
      type: 'string',
      priority: 0,
      description: 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.',
      cell: (object) => (object as CronJob).spec?.schedule ?? '',
    },
    {
      name: 'Timezone',
      type: 'string',
      priority: 0,
      description:
        'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones',
      cell: (object) => (object as CronJob).spec?.timeZone ?? '<none>',
    },
    {
      name: 'Suspend',
      type: 'boolean',
      priority: 0,
      description: 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.\n\nDefaults to false.',
      cell: (object) => formatBoolPointer((object as CronJob).spec?.suspend),
    },
    {
      name: 'Active',
      type: 'integer',
      priority: 0,
      description: 'A list of pointers to currently running jobs.',
      cell: (object) => ((object as CronJob).status?.active ?? []).length,
    },
    {
      name: 'Last Schedule',
      type: 'string',
      priority: 0,
      description: 'Information when was the last time the job was successfully scheduled.',
      cell: (object, now) => {
        const last = (object as CronJob).status?.lastScheduleTime;
        return last ? translateTimestampSince(last, now) : '<none>';
      },
    },
    ageColumn,
    ...containerColumns((object) => (object as CronJob).spec?.jobTemplate?.spec?.template?.spec?.containers),
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      description:
        'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
      cell: (object) => formatLabelSelector((object as CronJob).spec?.jobTemplate?.spec?.selector),
    },
  ],
  prepareForCreate(object) {
    object.status = {};
  },
};
