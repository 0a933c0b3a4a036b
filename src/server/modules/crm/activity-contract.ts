import { z } from 'zod';
import { Id, PageQuery, QueryBool, Timestamp, Version, pageSchema } from '../../../shared/api.ts';
import { ACTIVITY_KINDS } from './activity.ts';

/**
 * The API of activities (calls, meetings, customer visits, emails, notes, tasks) and of the
 * timeline of an account, contact or deal, shared by server and web. Instants are ISO 8601 in UTC.
 */

export const ActivityKindSchema = z.enum(ACTIVITY_KINDS);
export type ActivityKindSchema = z.infer<typeof ActivityKindSchema>;

const Subject = z.string().trim().min(1).max(200);
const Body = z.string().max(20_000);
const Instant = Timestamp;
const ContactIds = z.array(Id).max(50);

export const CreateActivityBody = z.strictObject({
  kind: ActivityKindSchema,
  subject: Subject,
  body: Body.nullable().optional(),
  /** When it happened (every kind but a task). */
  occurredAt: Instant.optional(),
  /** A task's due time, and when to remind its owner (at or before it). */
  dueAt: Instant.optional(),
  remindAt: Instant.optional(),
  accountId: Id,
  opportunityId: Id.nullable().optional(),
  contactIds: ContactIds.optional(),
  /** Defaults to the caller. */
  ownerId: Id.optional(),
});
export type CreateActivityBody = z.infer<typeof CreateActivityBody>;

export const UpdateActivityBody = z.strictObject({
  version: Version,
  kind: ActivityKindSchema.optional(),
  subject: Subject.optional(),
  body: Body.nullable().optional(),
  occurredAt: Instant.nullable().optional(),
  dueAt: Instant.nullable().optional(),
  remindAt: Instant.nullable().optional(),
  /** Moves it to another account; its deal and contacts must be that account's. */
  accountId: Id.optional(),
  opportunityId: Id.nullable().optional(),
  /** Replaces the contacts. */
  contactIds: ContactIds.optional(),
  ownerId: Id.optional(),
});
export type UpdateActivityBody = z.infer<typeof UpdateActivityBody>;

export const CompleteActivityBody = z.strictObject({ version: Version });
export type CompleteActivityBody = z.infer<typeof CompleteActivityBody>;

export const ActivityVersionQuery = z.strictObject({ version: z.coerce.number().int().min(1) });
export type ActivityVersionQuery = z.infer<typeof ActivityVersionQuery>;

export const ActivityIdParams = z.strictObject({ id: Id });
export type ActivityIdParams = z.infer<typeof ActivityIdParams>;

export const ListActivitiesQuery = PageQuery.extend({
  accountId: Id.optional(),
  opportunityId: Id.optional(),
  contactId: Id.optional(),
  kind: ActivityKindSchema.optional(),
  /** Only tasks not done yet, soonest due first (otherwise newest first). */
  openTasks: QueryBool.optional(),
  ownerId: Id.optional(),
}).strict();
export type ListActivitiesQuery = z.infer<typeof ListActivitiesQuery>;

export const ActivityContact = z.object({ id: Id, name: z.string() });
export type ActivityContact = z.infer<typeof ActivityContact>;

export const Activity = z.object({
  id: Id,
  kind: ActivityKindSchema,
  subject: z.string(),
  body: z.string().nullable(),
  occurredAt: Timestamp.nullable(),
  dueAt: Timestamp.nullable(),
  remindAt: Timestamp.nullable(),
  doneAt: Timestamp.nullable(),
  accountId: Id,
  accountName: z.string(),
  opportunityId: Id.nullable(),
  opportunityName: z.string().nullable(),
  contacts: z.array(ActivityContact),
  ownerId: Id,
  ownerName: z.string().nullable(),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Activity = z.infer<typeof Activity>;

export const ActivityPage = pageSchema(Activity);
export type ActivityPage = z.infer<typeof ActivityPage>;

/** The caller's open tasks whose reminder time has come or that are overdue, soonest due first (at most 100). */
export const ReminderList = z.object({ items: z.array(Activity), total: z.number().int().min(0) });
export type ReminderList = z.infer<typeof ReminderList>;

// ---------------------------------------------------------------------------------------------
// Timeline

export const TIMELINE_SUBJECT_TYPES = ['account', 'contact', 'opportunity'] as const;
export const TimelineSubjectType = z.enum(TIMELINE_SUBJECT_TYPES);
export type TimelineSubjectType = z.infer<typeof TimelineSubjectType>;

export const TimelineQuery = PageQuery.extend({ subjectType: TimelineSubjectType, subjectId: Id }).strict();
export type TimelineQuery = z.infer<typeof TimelineQuery>;

export const TimelineLink = z.object({ type: z.string(), id: Id });
export type TimelineLink = z.infer<typeof TimelineLink>;

/**
 * One line of a timeline. `kind` is the event's (`activity`, `opportunity.created`,
 * `opportunity.stage_changed`, `opportunity.won`, `opportunity.lost`, `quote.sent`, `quote.accepted`,
 * `contract.signed`, `project.milestone_accepted`, `ticket.opened`, `ticket.resolved`); `summary`
 * holds what a line shows for that kind (timeline.ts documents each).
 */
export const TimelineEntry = z.object({
  id: Id,
  subjectType: TimelineSubjectType,
  subjectId: Id,
  occurredAt: Timestamp,
  kind: z.string(),
  summary: z.record(z.string(), z.unknown()),
  link: TimelineLink.nullable(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const TimelinePage = pageSchema(TimelineEntry);
export type TimelinePage = z.infer<typeof TimelinePage>;
