import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../shared/api.ts';
import { assertCan, whereAll } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type DbOrTx, type Tx, queryRows, withTx } from '../../platform/db.ts';
import { AppError, PlatformErrors, notFound, versionConflict } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { publishEvent } from '../../platform/outbox.ts';
import { decodeTimestampIdCursor, encodeCursor, timestampCursorValue, toPage } from '../../platform/pagination.ts';
import { getUserBriefs } from '../org/service.ts';
import { AccountErrors } from './account-errors.ts';
import { auditSource } from './account-service.ts';
import { type ActivityKind, TOUCH_KINDS, sortInstant, validateActivity } from './activity.ts';
import type {
  Activity,
  CompleteActivityBody,
  CreateActivityBody,
  ListActivitiesQuery,
  ReminderList,
  UpdateActivityBody,
} from './activity-contract.ts';
import { ActivityErrors } from './activity-errors.ts';
import { accountReadFilter, assertCanWrite, getVisibleAccount, opportunityReadFilter } from './crm-access.ts';
import { CrmPermissions } from './permissions.ts';
import { type ACTIVITY_KINDS as SCHEMA_ACTIVITY_KINDS, accounts, activities, activityContacts, contacts, opportunities } from './schema.ts';

/**
 * Activities: calls, meetings, customer visits (拜访), emails, notes and tasks on an account,
 * optionally a deal and some of the account's contacts. Reading one follows reading its account
 * (scope or account-team sharing, crm-access.ts); changing one needs `crm.activities.write` on the
 * activity's owner and unit (the owner, or their managers by scope). Each write, its audit row, its
 * event (`activity.logged|updated|completed|reopened|deleted`, which feed the timeline) and the last touch of
 * the coverage links it concerns are one transaction.
 *
 * Last touch: a coverage link (our person U covers their contact C) is touched by a call, meeting,
 * visit or email that names C and whose owner is U; its `last_touch_at` is the latest such
 * occurrence (activity.ts's `lastTouch`), recomputed whenever an activity naming C changes.
 */

// The contract's kinds are the table's (a compile-time check; the web cannot import schema.ts).
const _sameKinds: readonly (typeof SCHEMA_ACTIVITY_KINDS)[number][] = [] as ActivityKind[];
void _sameKinds;

const WRITE = CrmPermissions['crm.activities.write'];

type ActivityRow = typeof activities.$inferSelect;

const idArray = (ids: readonly string[]) => `{${ids.join(',')}}`;
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function invalidRef(path: string, message = 'v:uuid'): AppError {
  return new AppError(PlatformErrors.reference_invalid, { errors: [{ path, message }] });
}

// ── Mapping ─────────────────────────────────────────────────────────────────────────────────────

interface Loaded {
  row: ActivityRow;
  accountName: string;
}

/** Activities with their account, deal, contacts and owner names: three queries for any number. */
async function hydrate(db: DbOrTx, list: readonly Loaded[]): Promise<Activity[]> {
  if (list.length === 0) return [];
  const ids = list.map((l) => l.row.id);
  const oppIds = [...new Set(list.map((l) => l.row.opportunityId).filter((x): x is string => x !== null))];
  // One after another: inside a transaction the three share one connection.
  const contactRows = await db
    .select({ activityId: activityContacts.activityId, id: contacts.id, name: contacts.name })
    .from(activityContacts)
    .innerJoin(contacts, eq(contacts.id, activityContacts.contactId))
    .where(sql`${activityContacts.activityId} = ANY(${idArray(ids)}::uuid[])`);
  const oppRows =
    oppIds.length === 0
      ? []
      : await db.select({ id: opportunities.id, name: opportunities.name }).from(opportunities).where(sql`${opportunities.id} = ANY(${idArray(oppIds)}::uuid[])`);
  const owners = await getUserBriefs(db, [...new Set(list.map((l) => l.row.ownerId))]);
  const contactsOf = new Map<string, { id: string; name: string }[]>();
  // By name in code-point order, the same on every database collation.
  contactRows.sort((a, b) => byCodePoint(a.name, b.name) || byCodePoint(a.id, b.id));
  for (const c of contactRows) {
    const arr = contactsOf.get(c.activityId) ?? [];
    arr.push({ id: c.id, name: c.name });
    contactsOf.set(c.activityId, arr);
  }
  const oppNames = new Map(oppRows.map((o) => [o.id, o.name]));
  return list.map(({ row, accountName }) => ({
    id: row.id,
    kind: row.kind,
    subject: row.subject,
    body: row.body,
    occurredAt: row.occurredAt?.toISOString() ?? null,
    dueAt: row.dueAt?.toISOString() ?? null,
    remindAt: row.remindAt?.toISOString() ?? null,
    doneAt: row.doneAt?.toISOString() ?? null,
    accountId: row.accountId,
    accountName,
    opportunityId: row.opportunityId,
    opportunityName: row.opportunityId ? (oppNames.get(row.opportunityId) ?? null) : null,
    contacts: contactsOf.get(row.id) ?? [],
    ownerId: row.ownerId,
    ownerName: owners.get(row.ownerId)?.nameZh ?? null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }));
}

// ── Visibility ──────────────────────────────────────────────────────────────────────────────────

/** One activity whose account the actor can read, or 404. */
async function loadVisible(ctx: ServiceContext, id: string): Promise<Loaded> {
  const [found] = await ctx.db
    .select({ row: activities, accountName: accounts.nameZh })
    .from(activities)
    .innerJoin(accounts, eq(accounts.id, activities.accountId))
    .where(whereAll(eq(activities.id, id), await accountReadFilter(ctx)));
  if (!found) throw notFound('activity');
  return found;
}

export async function getActivity(ctx: ServiceContext, id: string): Promise<Activity> {
  const [activity] = await hydrate(ctx.db, [await loadVisible(ctx, id)]);
  return activity!;
}

/** For the audit history of an activity: the same rule as reading it. */
export async function canReadActivity(ctx: ServiceContext, id: string): Promise<boolean> {
  try {
    await loadVisible(ctx, id);
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === PlatformErrors.not_found) return false;
    throw err;
  }
}

// ── References and rules (checked before the transaction: PGlite has one connection) ──────────

/** The account must be visible and not archived; an invisible one is an invalid reference, not a 404. */
async function accountRef(ctx: ServiceContext, accountId: string): Promise<{ id: string; nameZh: string }> {
  try {
    const account = await getVisibleAccount(ctx, accountId);
    if (account.archivedAt) {
      throw new AppError(AccountErrors.account_archived, { params: { name: account.nameZh }, errors: [{ path: 'accountId', message: 'v:account_archived' }] });
    }
    return account;
  } catch (err) {
    if (err instanceof AppError && err.code === PlatformErrors.not_found) throw invalidRef('accountId');
    throw err;
  }
}

/** The deal must be the account's and visible to the caller (its name shows on the activity). */
async function opportunityRef(ctx: ServiceContext, accountId: string, opportunityId: string): Promise<void> {
  const [row] = await ctx.db
    .select({ accountId: opportunities.accountId })
    .from(opportunities)
    .where(whereAll(eq(opportunities.id, opportunityId), await opportunityReadFilter(ctx)));
  if (!row) throw invalidRef('opportunityId');
  if (row.accountId !== accountId) throw invalidRef('opportunityId', 'v:same_account_opportunity');
}

/** Contacts of the account, each once (order kept). */
async function contactRefs(ctx: ServiceContext, accountId: string, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const rows = await ctx.db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.accountId, accountId), sql`${contacts.id} = ANY(${idArray(unique)}::uuid[])`));
  const found = new Set(rows.map((r) => r.id));
  const bad = ids.findIndex((id) => !found.has(id));
  if (bad >= 0) throw invalidRef(`contactIds.${bad}`, 'v:same_account_contact');
  return unique;
}

/** The owner's home unit becomes the activity's unit; the owner must be active and placed. */
async function ownerRef(ctx: ServiceContext, ownerId: string): Promise<{ id: string; unitId: string }> {
  if (ownerId === ctx.actor.userId && ctx.actor.unitId) return { id: ownerId, unitId: ctx.actor.unitId };
  const brief = (await getUserBriefs(ctx.db, [ownerId])).get(ownerId);
  if (!brief || !brief.active || !brief.unitId) throw invalidRef('ownerId', 'v:active_placed_user');
  return { id: brief.id, unitId: brief.unitId };
}

function assertWellFormed(a: { kind: ActivityKind; occurredAt: Date | null; dueAt: Date | null; remindAt: Date | null }, now: Date): void {
  const issues = validateActivity(a, now);
  if (issues.length > 0) {
    throw new AppError(PlatformErrors.validation, { params: { count: issues.length }, errors: issues.map((i) => ({ path: i.path, message: i.message })) });
  }
}

const instant = (v: string | null | undefined): Date | null => (v ? new Date(v) : null);

// ── Last touch ──────────────────────────────────────────────────────────────────────────────────

const TOUCH_KIND_SQL = sql.raw(TOUCH_KINDS.map((k) => `'${k}'`).join(', '));

/**
 * Recompute `last_touch_at` of the coverage links of these contacts held by these people, from
 * the activities (the rule above). A derived column: the link's version and audit are left alone.
 */
export async function refreshLastTouch(tx: DbOrTx, contactIds: readonly string[], userIds: readonly string[]): Promise<void> {
  if (contactIds.length === 0 || userIds.length === 0) return;
  await tx.execute(
    sql`UPDATE crm_coverage c
           SET last_touch_at = (
             SELECT max(a.occurred_at)
               FROM crm_activity_contacts ac
               JOIN crm_activities a ON a.id = ac.activity_id
              WHERE ac.contact_id = c.contact_id AND a.owner_id = c.user_id AND a.kind IN (${TOUCH_KIND_SQL}))
         WHERE c.contact_id = ANY(${idArray([...new Set(contactIds)])}::uuid[])
           AND c.user_id = ANY(${idArray([...new Set(userIds)])}::uuid[])`,
  );
}

/** The last touch a new coverage link starts with: the activities already logged. */
export async function lastTouchOf(db: DbOrTx, contactId: string, userId: string): Promise<Date | null> {
  const [row] = await queryRows<{ at: string | Date | null }>(
    db,
    sql`SELECT max(a.occurred_at) AS at
          FROM crm_activity_contacts ac
          JOIN crm_activities a ON a.id = ac.activity_id
         WHERE ac.contact_id = ${contactId} AND a.owner_id = ${userId} AND a.kind IN (${TOUCH_KIND_SQL})`,
  );
  return row?.at ? new Date(row.at) : null;
}

// ── Events ──────────────────────────────────────────────────────────────────────────────────────

type ActivityEvent = 'activity.logged' | 'activity.updated' | 'activity.completed' | 'activity.reopened' | 'activity.deleted';

/**
 * The activity's state after the change. The timeline projects the activity from its row when the
 * event arrives (timeline-service.ts), so a late or repeated event cannot bring back an old state.
 */
async function publish(tx: Tx, ctx: ServiceContext, type: ActivityEvent, row: ActivityRow, contactIds: readonly string[], version = row.version) {
  await publishEvent(tx, auditSource(ctx), {
    type,
    aggregateType: 'activity',
    aggregateId: row.id,
    payload: {
      activityId: row.id,
      kind: row.kind,
      accountId: row.accountId,
      opportunityId: row.opportunityId,
      contactIds: [...contactIds],
      ownerId: row.ownerId,
      unitId: row.unitId,
      occurredAt: row.occurredAt?.toISOString() ?? null,
      dueAt: row.dueAt?.toISOString() ?? null,
      doneAt: row.doneAt?.toISOString() ?? null,
      version,
    },
  });
}

async function contactIdsOf(db: DbOrTx, activityId: string): Promise<string[]> {
  const rows = await db
    .select({ id: activityContacts.contactId })
    .from(activityContacts)
    .where(eq(activityContacts.activityId, activityId))
    .orderBy(asc(activityContacts.contactId));
  return rows.map((r) => r.id);
}

// ── Writes ──────────────────────────────────────────────────────────────────────────────────────

export async function createActivity(ctx: ServiceContext, body: CreateActivityBody): Promise<Activity> {
  assertCan(ctx.actor, WRITE);
  const account = await accountRef(ctx, body.accountId);
  const owner = await ownerRef(ctx, body.ownerId ?? ctx.actor.userId);
  // The activity will be the owner's, in the owner's unit: the caller must be able to write such a one.
  assertCanWrite(ctx.actor, WRITE, { ownerId: owner.id, unitId: owner.unitId });
  const times = { kind: body.kind, occurredAt: instant(body.occurredAt), dueAt: instant(body.dueAt), remindAt: instant(body.remindAt) };
  assertWellFormed(times, ctx.now);
  if (body.opportunityId) await opportunityRef(ctx, account.id, body.opportunityId);
  const contactIds = await contactRefs(ctx, account.id, body.contactIds ?? []);

  return withTx(ctx.db, async (tx) => {
    const id = newId();
    const [row] = await tx
      .insert(activities)
      .values({
        id,
        subject: body.subject,
        body: body.body ?? null,
        ...times,
        accountId: account.id,
        opportunityId: body.opportunityId ?? null,
        ownerId: owner.id,
        unitId: owner.unitId,
        sortAt: sortInstant(times, ctx.now),
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning();
    if (contactIds.length > 0) await tx.insert(activityContacts).values(contactIds.map((contactId) => ({ activityId: id, contactId })));
    await refreshLastTouch(tx, contactIds, [owner.id]);
    await writeAudit(tx, auditSource(ctx), {
      entityType: 'activity',
      entityId: id,
      action: 'create',
      changes: { ...diffRecords(null, row!), ...(contactIds.length > 0 ? { contactIds: [null, contactIds] } : {}) },
    });
    await publish(tx, ctx, 'activity.logged', row!, contactIds);
    const [activity] = await hydrate(tx, [{ row: row!, accountName: account.nameZh }]);
    return activity!;
  });
}

/** Visible (404), writable by the caller (403), at the version the caller saw (409). */
async function loadWritable(ctx: ServiceContext, id: string, version: number): Promise<Loaded> {
  assertCan(ctx.actor, WRITE);
  const loaded = await loadVisible(ctx, id);
  assertCanWrite(ctx.actor, WRITE, loaded.row);
  if (loaded.row.version !== version) throw versionConflict(loaded.row.version);
  return loaded;
}

/** Update the row at the expected version, or 409 with the version it has now. */
async function updateAtVersion(tx: Tx, id: string, version: number, set: Partial<typeof activities.$inferInsert>): Promise<ActivityRow> {
  const [after] = await tx
    .update(activities)
    .set({ ...set, version: version + 1 })
    .where(and(eq(activities.id, id), eq(activities.version, version)))
    .returning();
  if (!after) {
    const [current] = await tx.select({ version: activities.version }).from(activities).where(eq(activities.id, id));
    if (!current) throw notFound('activity');
    throw versionConflict(current.version);
  }
  return after;
}

export async function updateActivity(ctx: ServiceContext, id: string, body: UpdateActivityBody): Promise<Activity> {
  const { row: before, accountName } = await loadWritable(ctx, id, body.version);
  const owner = body.ownerId !== undefined && body.ownerId !== before.ownerId ? await ownerRef(ctx, body.ownerId) : undefined;
  // Handing the activity to someone else: the caller must be able to write it where it lands, too.
  if (owner) assertCanWrite(ctx.actor, WRITE, { ownerId: owner.id, unitId: owner.unitId });
  const pick = (v: string | null | undefined, current: Date | null) => (v === undefined ? current : instant(v));
  const times = {
    kind: body.kind ?? before.kind,
    occurredAt: pick(body.occurredAt, before.occurredAt),
    dueAt: pick(body.dueAt, before.dueAt),
    remindAt: pick(body.remindAt, before.remindAt),
  };
  assertWellFormed(times, ctx.now);
  // Moving it to another account: the deal and contacts must be that account's (given anew, or already).
  const moved = body.accountId !== undefined && body.accountId !== before.accountId ? await accountRef(ctx, body.accountId) : undefined;
  const accountId = moved?.id ?? before.accountId;
  if (body.opportunityId && (body.opportunityId !== before.opportunityId || moved)) await opportunityRef(ctx, accountId, body.opportunityId);
  else if (moved && body.opportunityId === undefined && before.opportunityId) await opportunityRef(ctx, accountId, before.opportunityId);
  const contactList = body.contactIds ? await contactRefs(ctx, accountId, body.contactIds) : undefined;
  if (moved && !contactList) {
    const current = await contactIdsOf(ctx.db, id);
    if (current.length > 0) {
      await contactRefs(ctx, accountId, current).catch(() => {
        throw invalidRef('contactIds', 'v:same_account_contact');
      });
    }
  }

  return withTx(ctx.db, async (tx) => {
    const contactsBefore = await contactIdsOf(tx, id);
    const after = await updateAtVersion(tx, id, before.version, {
      ...(body.subject !== undefined ? { subject: body.subject } : {}),
      ...(body.body !== undefined ? { body: body.body } : {}),
      ...times,
      // A task that stops being one is no longer done or open; anything else keeps its completion.
      ...(times.kind !== 'task' ? { doneAt: null } : {}),
      ...(moved ? { accountId: moved.id } : {}),
      ...(body.opportunityId !== undefined ? { opportunityId: body.opportunityId } : {}),
      ...(owner ? { ownerId: owner.id, unitId: owner.unitId } : {}),
      sortAt: sortInstant(times, before.createdAt),
      updatedAt: ctx.now,
    });
    let contactsAfter = contactsBefore;
    if (contactList) {
      await tx.delete(activityContacts).where(eq(activityContacts.activityId, id));
      if (contactList.length > 0) await tx.insert(activityContacts).values(contactList.map((contactId) => ({ activityId: id, contactId })));
      contactsAfter = [...contactList].sort();
    }
    await refreshLastTouch(tx, [...contactsBefore, ...contactsAfter], [before.ownerId, after.ownerId]);
    const changes = diffRecords(before, after, ['version', 'updatedAt', 'createdAt', 'sortAt']);
    if (JSON.stringify(contactsBefore) !== JSON.stringify(contactsAfter)) changes['contactIds'] = [contactsBefore, contactsAfter];
    await writeAudit(tx, auditSource(ctx), { entityType: 'activity', entityId: id, action: 'update', changes });
    await publish(tx, ctx, 'activity.updated', after, contactsAfter);
    const [activity] = await hydrate(tx, [{ row: after, accountName: moved?.nameZh ?? accountName }]);
    return activity!;
  });
}

export async function completeActivity(ctx: ServiceContext, id: string, body: CompleteActivityBody): Promise<Activity> {
  const { row: before, accountName } = await loadWritable(ctx, id, body.version);
  if (before.kind !== 'task') throw new AppError(ActivityErrors.activity_not_task, { params: { kind: before.kind } });
  if (before.doneAt) throw new AppError(ActivityErrors.task_already_done, { params: { doneAt: before.doneAt.toISOString() }, extra: { doneAt: before.doneAt.toISOString() } });
  return withTx(ctx.db, async (tx) => {
    const after = await updateAtVersion(tx, id, before.version, { doneAt: ctx.now, updatedAt: ctx.now });
    await writeAudit(tx, auditSource(ctx), { entityType: 'activity', entityId: id, action: 'complete', changes: diffRecords(before, after, ['version', 'updatedAt', 'createdAt']) });
    await publish(tx, ctx, 'activity.completed', after, await contactIdsOf(tx, id));
    const [activity] = await hydrate(tx, [{ row: after, accountName }]);
    return activity!;
  });
}

/** Undo a task's completion (done by mistake, or not done after all): it is open and due again. */
export async function reopenActivity(ctx: ServiceContext, id: string, body: CompleteActivityBody): Promise<Activity> {
  const { row: before, accountName } = await loadWritable(ctx, id, body.version);
  if (before.kind !== 'task') throw new AppError(ActivityErrors.activity_not_task, { params: { kind: before.kind } });
  if (!before.doneAt) throw new AppError(ActivityErrors.task_not_done);
  return withTx(ctx.db, async (tx) => {
    const after = await updateAtVersion(tx, id, before.version, { doneAt: null, updatedAt: ctx.now });
    await writeAudit(tx, auditSource(ctx), { entityType: 'activity', entityId: id, action: 'reopen', changes: diffRecords(before, after, ['version', 'updatedAt', 'createdAt']) });
    await publish(tx, ctx, 'activity.reopened', after, await contactIdsOf(tx, id));
    const [activity] = await hydrate(tx, [{ row: after, accountName }]);
    return activity!;
  });
}

export async function deleteActivity(ctx: ServiceContext, id: string, version: number): Promise<void> {
  const { row: before } = await loadWritable(ctx, id, version);
  await withTx(ctx.db, async (tx) => {
    const [locked] = await tx.select().from(activities).where(eq(activities.id, id)).for('update');
    if (!locked) throw notFound('activity');
    if (locked.version !== version) throw versionConflict(locked.version);
    const contactIds = await contactIdsOf(tx, id);
    await tx.delete(activityContacts).where(eq(activityContacts.activityId, id));
    await tx.delete(activities).where(eq(activities.id, id));
    await refreshLastTouch(tx, contactIds, [before.ownerId]);
    await writeAudit(tx, auditSource(ctx), {
      entityType: 'activity',
      entityId: id,
      action: 'delete',
      changes: { ...diffRecords(locked, null), ...(contactIds.length > 0 ? { contactIds: [contactIds, null] } : {}) },
    });
    await publish(tx, ctx, 'activity.deleted', locked, contactIds, locked.version + 1);
  });
}

// ── Lists ───────────────────────────────────────────────────────────────────────────────────────


/**
 * Activities the caller can read (their accounts'), filtered on indexed columns, newest first; with
 * `openTasks=true` only tasks not done yet, soonest due first. Keyset on (sort_at, id).
 */
export async function listActivities(ctx: ServiceContext, q: ListActivitiesQuery): Promise<Page<Activity>> {
  const ascending = q.openTasks === true;
  const sortName = ascending ? 'sortAt' : '-sortAt';
  let after: SQL | undefined;
  if (q.cursor) {
    const [v, id] = decodeTimestampIdCursor(sortName, q.cursor);
    after = ascending
      ? sql`(${activities.sortAt}, ${activities.id}) > (${v}::timestamptz, ${id}::uuid)`
      : sql`(${activities.sortAt}, ${activities.id}) < (${v}::timestamptz, ${id}::uuid)`;
  }
  const rows = await ctx.db
    .select({ row: activities, accountName: accounts.nameZh, cursorAt: timestampCursorValue(activities.sortAt) })
    .from(activities)
    .innerJoin(accounts, eq(accounts.id, activities.accountId))
    .where(
      whereAll(
        await accountReadFilter(ctx),
        q.accountId ? eq(activities.accountId, q.accountId) : undefined,
        q.opportunityId ? eq(activities.opportunityId, q.opportunityId) : undefined,
        q.contactId
          ? sql`EXISTS (SELECT 1 FROM ${activityContacts} WHERE ${activityContacts.activityId} = ${activities.id} AND ${activityContacts.contactId} = ${q.contactId})`
          : undefined,
        q.kind ? eq(activities.kind, q.kind) : undefined,
        q.openTasks === true ? sql`${activities.kind} = 'task' AND ${activities.doneAt} IS NULL` : undefined,
        q.ownerId ? eq(activities.ownerId, q.ownerId) : undefined,
        after,
      ),
    )
    .orderBy(ascending ? asc(activities.sortAt) : desc(activities.sortAt), ascending ? asc(activities.id) : desc(activities.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const items = await hydrate(ctx.db, page);
  const byId = new Map(items.map((a) => [a.id, a]));
  return toPage(
    rows,
    q.limit,
    (r) => byId.get(r.row.id)!,
    (r) => encodeCursor(sortName, [r.cursorAt, r.row.id]),
  );
}

const REMINDER_LIMIT = 100;

/** The caller's open tasks whose reminder time has come or that are overdue, soonest due first. */
export async function listReminders(ctx: ServiceContext): Promise<ReminderList> {
  const now = ctx.now.toISOString();
  const where = whereAll(
    await accountReadFilter(ctx),
    eq(activities.ownerId, ctx.actor.userId),
    sql`${activities.kind} = 'task' AND ${activities.doneAt} IS NULL`,
    sql`(${activities.dueAt} <= ${now}::timestamptz OR ${activities.remindAt} <= ${now}::timestamptz)`,
  );
  const [rows, [count]] = await Promise.all([
    ctx.db
      .select({ row: activities, accountName: accounts.nameZh })
      .from(activities)
      .innerJoin(accounts, eq(accounts.id, activities.accountId))
      .where(where)
      .orderBy(asc(activities.dueAt), asc(activities.id))
      .limit(REMINDER_LIMIT),
    ctx.db
      .select({ n: sql<number>`count(*)::int` })
      .from(activities)
      .innerJoin(accounts, eq(accounts.id, activities.accountId))
      .where(where),
  ]);
  return { items: await hydrate(ctx.db, rows), total: Number(count?.n ?? 0) };
}
