import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../shared/api.ts';
import { whereAll } from '../../platform/access.ts';
import type { ServiceContext } from '../../platform/context.ts';
import type { Tx } from '../../platform/db.ts';
import { notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { type DomainEvent, subscribe } from '../../platform/outbox.ts';
import { decodeTimestampIdCursor, encodeCursor, timestampCursorValue, toPage } from '../../platform/pagination.ts';
import { getUserBriefs } from '../org/service.ts';
import type { TimelineEntry, TimelineQuery } from './activity-contract.ts';
import { loadVisibleContact } from './contact-service.ts';
import { getVisibleAccount, opportunityReadFilter } from './crm-access.ts';
import { activities, activityContacts, contacts, opportunities, timelineEntries } from './schema.ts';
import { type ActivityState, type EntryDraft, LINE_EVENTS, LINE_EVENT_ALIASES, activityEntries, lineEventEntries, stageChangeEntries } from './timeline.ts';

/**
 * The timeline read model (decision 0009): one row per thing that happened to an account, a
 * contact or a deal, written by outbox subscribers and read newest first. Modules only publish;
 * the mapping from an event to its entries is timeline.ts's. Every handler is idempotent: entries
 * are unique on (source event, subject) and inserted with ON CONFLICT DO NOTHING, and an activity's
 * entries are rebuilt from its row, so a repeated or late event leaves the same entries.
 */

async function insertEntries(tx: Tx, eventId: string, drafts: readonly EntryDraft[]): Promise<void> {
  if (drafts.length === 0) return;
  await tx
    .insert(timelineEntries)
    .values(
      drafts.map((d) => ({
        id: newId(),
        subjectType: d.subjectType,
        subjectId: d.subjectId,
        occurredAt: d.occurredAt,
        kind: d.kind,
        sourceEventId: eventId,
        summary: d.summary,
        linkType: d.linkType,
        linkId: d.linkId,
        opportunityId: d.opportunityId,
      })),
    )
    .onConflictDoNothing({ target: [timelineEntries.sourceEventId, timelineEntries.subjectType, timelineEntries.subjectId] });
}

async function actorName(tx: Tx, actorId: string | null): Promise<string | null> {
  if (!actorId) return null;
  return (await getUserBriefs(tx, [actorId])).get(actorId)?.nameZh ?? null;
}

/** An activity as the timeline shows it, from its row (null once deleted). */
async function loadActivityState(tx: Tx, id: string): Promise<ActivityState | null> {
  const [row] = await tx.select().from(activities).where(eq(activities.id, id));
  if (!row) return null;
  const linked = await tx
    .select({ id: contacts.id, name: contacts.name })
    .from(activityContacts)
    .innerJoin(contacts, eq(contacts.id, activityContacts.contactId))
    .where(eq(activityContacts.activityId, id));
  const owners = await getUserBriefs(tx, [row.ownerId]);
  // By name in code-point order, as the activity API lists them.
  linked.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
  return { ...row, contacts: linked, ownerName: owners.get(row.ownerId)?.nameZh ?? null };
}

/**
 * Every activity event rebuilds the activity's entries from its current row: a logged call or a
 * completed task appears, an edit moves or renames it, a deletion removes it. Projecting the row
 * rather than the payload makes the order of delivery irrelevant. The advisory lock keeps two
 * dispatchers (PostgreSQL scale-out) from rebuilding the same activity at once.
 */
export async function projectActivity(tx: Tx, event: DomainEvent): Promise<void> {
  const id = event.aggregateId;
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`crm_timeline:${id}`}, 0))`);
  const drafts = activityEntries(await loadActivityState(tx, id));
  await tx.delete(timelineEntries).where(and(eq(timelineEntries.linkType, 'activity'), eq(timelineEntries.linkId, id)));
  await insertEntries(tx, event.id, drafts);
}

/** A deal created, moved, won or lost: on the account's and the deal's timelines. */
export async function projectStageChange(tx: Tx, event: DomainEvent): Promise<void> {
  const [opp] = await tx.select({ name: opportunities.name }).from(opportunities).where(eq(opportunities.id, event.aggregateId));
  const drafts = stageChangeEntries(event, { opportunityName: opp?.name ?? null, actorName: await actorName(tx, event.actorId) });
  await insertEntries(tx, event.id, drafts);
}

/** Quotes, contracts, milestones and tickets, by the payload contract of timeline.ts's LINE_EVENTS. */
export async function projectLineEvent(tx: Tx, event: DomainEvent): Promise<void> {
  await insertEntries(tx, event.id, lineEventEntries(event, { actorName: await actorName(tx, event.actorId) }));
}

// Subscriptions are made when the module is loaded (modules/index.ts imports it), before any event
// is published: an event gets deliveries for the handlers subscribed when it is written.
for (const type of ['activity.logged', 'activity.updated', 'activity.completed', 'activity.reopened', 'activity.deleted']) {
  subscribe(type, `crm.timeline.${type}`, projectActivity);
}
subscribe('opportunity.stage_changed', 'crm.timeline.opportunity.stage_changed', projectStageChange);
for (const type of [...Object.keys(LINE_EVENTS), ...Object.keys(LINE_EVENT_ALIASES)]) {
  subscribe(type, `crm.timeline.${type}`, projectLineEvent);
}

// ── Reading ─────────────────────────────────────────────────────────────────────────────────────

/** The subject must be readable by the caller: 404 otherwise. */
async function assertSubjectVisible(ctx: ServiceContext, type: TimelineQuery['subjectType'], id: string): Promise<void> {
  if (type === 'account') await getVisibleAccount(ctx, id);
  else if (type === 'contact') await loadVisibleContact(ctx, id);
  else {
    const [row] = await ctx.db
      .select({ id: opportunities.id })
      .from(opportunities)
      .where(whereAll(eq(opportunities.id, id), await opportunityReadFilter(ctx)));
    if (!row) throw notFound('opportunity');
  }
}

const SORT = '-occurredAt';

/**
 * A timeline, newest first. Entries about a deal (stage changes, quotes, contracts) show only to
 * readers of that deal: a manager who reads an account through its team sees the account's
 * activities, not the figures of a deal outside their reach.
 */
export async function getTimeline(ctx: ServiceContext, q: TimelineQuery): Promise<Page<TimelineEntry>> {
  await assertSubjectVisible(ctx, q.subjectType, q.subjectId);
  let after: SQL | undefined;
  if (q.cursor) {
    const [v, id] = decodeTimestampIdCursor(SORT, q.cursor);
    after = sql`(${timelineEntries.occurredAt}, ${timelineEntries.id}) < (${v}::timestamptz, ${id}::uuid)`;
  }
  let dealFilter: SQL | undefined;
  if (q.subjectType !== 'opportunity') {
    const deals = await opportunityReadFilter(ctx);
    if (deals) {
      dealFilter = sql`(${timelineEntries.opportunityId} IS NULL OR EXISTS (
        SELECT 1 FROM ${opportunities} WHERE ${opportunities.id} = ${timelineEntries.opportunityId} AND ${deals}))`;
    }
  }
  const rows = await ctx.db
    .select({ entry: timelineEntries, cursorAt: timestampCursorValue(timelineEntries.occurredAt) })
    .from(timelineEntries)
    .where(whereAll(eq(timelineEntries.subjectType, q.subjectType), eq(timelineEntries.subjectId, q.subjectId), dealFilter, after))
    .orderBy(desc(timelineEntries.occurredAt), desc(timelineEntries.id))
    .limit(q.limit + 1);
  return toPage(
    rows,
    q.limit,
    ({ entry: e }) => ({
      id: e.id,
      subjectType: e.subjectType,
      subjectId: e.subjectId,
      occurredAt: e.occurredAt.toISOString(),
      kind: e.kind,
      summary: e.summary,
      link: e.linkType && e.linkId ? { type: e.linkType, id: e.linkId } : null,
    }),
    (r) => encodeCursor(SORT, [r.cursorAt, r.entry.id]),
  );
}
