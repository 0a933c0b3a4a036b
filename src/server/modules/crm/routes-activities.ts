import type { ApiRouter } from '../../platform/http.ts';
import { Ok } from './account-contract.ts';
import {
  Activity,
  ActivityIdParams,
  ActivityPage,
  ActivityVersionQuery,
  CompleteActivityBody,
  CreateActivityBody,
  ListActivitiesQuery,
  ReminderList,
  TimelinePage,
  TimelineQuery,
  UpdateActivityBody,
} from './activity-contract.ts';
import { completeActivity, createActivity, deleteActivity, getActivity, listActivities, listReminders, reopenActivity, updateActivity } from './activity-service.ts';
import { getTimeline } from './timeline-service.ts';

const tags = ['crm'];
const ok = { ok: true as const };

/** Activities, task reminders and the timeline of an account, contact or deal. */
export function registerActivityRoutes(router: ApiRouter): void {
  router.route({
    method: 'GET',
    url: '/api/v1/crm/activities',
    summary: 'Activities on the accounts the caller can read, newest first (openTasks=true: open tasks, soonest due first)',
    tags,
    query: ListActivitiesQuery,
    response: ActivityPage,
    handler: (ctx, { query }) => listActivities(ctx, query),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/crm/activities',
    summary: 'Log a call, meeting, customer visit, email or note, or create a task',
    tags,
    body: CreateActivityBody,
    response: Activity,
    idempotent: true,
    handler: (ctx, { body }) => createActivity(ctx, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/crm/activities/:id',
    summary: 'One activity',
    tags,
    params: ActivityIdParams,
    response: Activity,
    handler: (ctx, { params }) => getActivity(ctx, params.id),
  });

  router.route({
    method: 'PATCH',
    url: '/api/v1/crm/activities/:id',
    summary: 'Change an activity (version required; contactIds replaces the contacts)',
    tags,
    params: ActivityIdParams,
    body: UpdateActivityBody,
    response: Activity,
    handler: (ctx, { params, body }) => updateActivity(ctx, params.id, body),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/crm/activities/:id/complete',
    summary: 'Mark a task done',
    tags,
    params: ActivityIdParams,
    body: CompleteActivityBody,
    response: Activity,
    handler: (ctx, { params, body }) => completeActivity(ctx, params.id, body),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/crm/activities/:id/reopen',
    summary: 'Reopen a completed task',
    tags,
    params: ActivityIdParams,
    body: CompleteActivityBody,
    response: Activity,
    handler: (ctx, { params, body }) => reopenActivity(ctx, params.id, body),
  });

  router.route({
    method: 'DELETE',
    url: '/api/v1/crm/activities/:id',
    summary: 'Delete an activity (its timeline entries and last touches follow)',
    tags,
    params: ActivityIdParams,
    query: ActivityVersionQuery,
    response: Ok,
    handler: async (ctx, { params, query }) => {
      await deleteActivity(ctx, params.id, query.version);
      return ok;
    },
  });

  router.route({
    method: 'GET',
    url: '/api/v1/crm/tasks/reminders',
    summary: "The caller's open tasks whose reminder time has come or that are overdue",
    tags,
    response: ReminderList,
    handler: (ctx) => listReminders(ctx),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/crm/timeline',
    summary: 'The timeline of an account, contact or opportunity, newest first',
    tags,
    query: TimelineQuery,
    response: TimelinePage,
    handler: (ctx, { query }) => getTimeline(ctx, query),
  });
}
