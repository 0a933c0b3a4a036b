import { defineErrors } from '../../platform/errors.ts';

/** Problems of activities and tasks; malformed ones are `platform.validation` with field paths (activity.ts). */
export const ActivityErrors = defineErrors('crm', {
  activity_not_task: { status: 422 },
  task_already_done: { status: 409 },
  task_not_done: { status: 409 },
});
