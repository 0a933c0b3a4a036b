import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../shared/api.ts';
import { whereAll } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type Tx, withTx } from '../../platform/db.ts';
import { AppError, PlatformErrors, notFound, versionConflict } from '../../platform/errors.ts';
import { UUID_PATTERN, newId } from '../../platform/ids.ts';
import { publishEvent } from '../../platform/outbox.ts';
import { decodeCursor, encodeCursor, toPage } from '../../platform/pagination.ts';
import { escapeLike } from '../org/service.ts';
import type { Contact, CreateContactBody, ListContactsQuery, UpdateContactBody } from './account-contract.ts';
import { AccountErrors } from './account-errors.ts';
import { assertAccountWritable, auditSource } from './account-service.ts';
import { accountReadFilter, getVisibleAccount } from './crm-access.ts';
import { wouldCreateContactCycle } from './coverage.ts';
import type { CustomFieldFilterParam } from './custom-field-contract.ts';
import { customFieldListSql, customSortAfter, customSortOrder } from './custom-field-query.ts';
import { resolveCustomValues } from './custom-field-service.ts';
import { accounts, contacts } from './schema.ts';

/**
 * The customer's people. A contact is visible exactly when its account is (scope or account team);
 * it is changed by whoever may change the account. Reporting lines stay inside one account and
 * never loop.
 */

type ContactRow = typeof contacts.$inferSelect;

export function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    accountId: row.accountId,
    name: row.name,
    title: row.title,
    department: row.department,
    level: row.level,
    reportsToId: row.reportsToId,
    phones: row.phones,
    emails: row.emails,
    wechatId: row.wechatId,
    influence: row.influence,
    status: row.status,
    ownerId: row.ownerId,
    custom: row.custom,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Decision first: the order of the org chart, not of the alphabet. */
const LEVEL_RANK = sql<number>`(CASE ${contacts.level} WHEN 'decision' THEN 0 WHEN 'management' THEN 1 ELSE 2 END)`;

/** One contact whose account the actor can see, with that account; 404 otherwise. */
export async function loadVisibleContact(ctx: Pick<ServiceContext, 'db' | 'actor'>, id: string) {
  const [row] = await ctx.db
    .select({ contact: contacts, account: accounts })
    .from(contacts)
    .innerJoin(accounts, eq(accounts.id, contacts.accountId))
    .where(whereAll(eq(contacts.id, id), await accountReadFilter(ctx)));
  if (!row) throw notFound('contact');
  return row;
}

export async function getContact(ctx: ServiceContext, id: string): Promise<Contact> {
  return toContact((await loadVisibleContact(ctx, id)).contact);
}

export async function canReadContact(ctx: ServiceContext, id: string): Promise<boolean> {
  try {
    await loadVisibleContact(ctx, id);
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === PlatformErrors.not_found) return false;
    throw err;
  }
}

/** An account's contacts by level (decision first), then name, or by a custom field; cursor-paginated. */
export async function listContacts(
  ctx: ServiceContext,
  accountId: string,
  q: ListContactsQuery & { sort?: string; customFilters?: CustomFieldFilterParam[] },
): Promise<Page<Contact>> {
  await getVisibleAccount(ctx, accountId);
  const custom = await customFieldListSql(ctx.db, 'contact', '"crm_contacts"."custom"', q.customFilters, q.sort);
  const cursorSort = custom.sort ? `contacts:${q.sort}` : 'contacts';
  let after: SQL | undefined;
  if (q.cursor && custom.sort) {
    const [v, id] = decodeCursor(cursorSort, q.cursor, 2);
    if ((v !== null && typeof v !== 'string') || typeof id !== 'string' || !UUID_PATTERN.test(id)) {
      throw new AppError(PlatformErrors.invalid_cursor, { errors: [{ path: 'query.cursor', message: 'v:bad_cursor' }] });
    }
    after = customSortAfter(custom.sort, sql`${contacts.id}`, v, id);
  } else if (q.cursor) {
    const [rank, name, id] = decodeCursor('contacts', q.cursor, 3);
    after = sql`(${LEVEL_RANK}, ${contacts.name}, ${contacts.id}) > (${Number(rank)}, ${String(name)}, ${String(id)})`;
  }
  const rows = await ctx.db
    .select({
      contact: contacts,
      rank: LEVEL_RANK,
      customCursor: custom.sort ? sql<string | null>`${custom.sort.expression}::text` : sql<null>`NULL`,
    })
    .from(contacts)
    .where(
      whereAll(
        eq(contacts.accountId, accountId),
        q.level ? eq(contacts.level, q.level) : undefined,
        q.status ? eq(contacts.status, q.status) : undefined,
        q.q ? sql`${contacts.name} ILIKE ${`%${escapeLike(q.q)}%`}` : undefined,
        custom.where,
        after,
      ),
    )
    .orderBy(...(custom.sort ? [customSortOrder(custom.sort, sql`${contacts.id}`)] : [LEVEL_RANK, contacts.name, contacts.id]))
    .limit(q.limit + 1);
  return toPage(
    rows,
    q.limit,
    (r) => toContact(r.contact),
    (r) =>
      custom.sort
        ? encodeCursor(cursorSort, [r.customCursor, r.contact.id])
        : encodeCursor('contacts', [Number(r.rank), r.contact.name, r.contact.id]),
  );
}

/** Serializes reporting-line changes within one account (two moves could otherwise close a loop). */
async function lockAccountContacts(tx: Tx, accountId: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`crm_contacts:${accountId}`}, 0))`);
}

/** The manager must be a contact of the same account, and the new line must not loop. */
async function assertReportsTo(tx: Tx, accountId: string, contactId: string, reportsToId: string): Promise<void> {
  const lines = await tx
    .select({ id: contacts.id, reportsToId: contacts.reportsToId })
    .from(contacts)
    .where(eq(contacts.accountId, accountId));
  if (!lines.some((l) => l.id === reportsToId)) {
    throw new AppError(PlatformErrors.reference_invalid, { errors: [{ path: 'reportsToId', message: 'v:same_account_contact' }] });
  }
  if (wouldCreateContactCycle(lines, contactId, reportsToId)) {
    throw new AppError(AccountErrors.contact_cycle, { errors: [{ path: 'reportsToId', message: 'v:contact_cycle' }] });
  }
}

const unique = (list: readonly string[]) => [...new Set(list)];

function contactEvent(row: ContactRow, changes: string[]): Record<string, unknown> {
  return { contactId: row.id, accountId: row.accountId, name: row.name, level: row.level, status: row.status, changes };
}

export async function createContact(ctx: ServiceContext, accountId: string, body: CreateContactBody): Promise<Contact> {
  const account = await getVisibleAccount(ctx, accountId);
  assertAccountWritable(ctx, account);
  return withTx(ctx.db, async (tx) => {
    const id = newId();
    if (body.reportsToId) {
      await lockAccountContacts(tx, accountId);
      await assertReportsTo(tx, accountId, id, body.reportsToId);
    }
    const custom = await resolveCustomValues(tx, 'contact', body.custom, null);
    const [row] = await tx
      .insert(contacts)
      .values({
        id,
        accountId,
        name: body.name,
        title: body.title ?? null,
        department: body.department ?? null,
        level: body.level,
        reportsToId: body.reportsToId ?? null,
        phones: unique(body.phones),
        emails: unique(body.emails.map((e) => e.toLowerCase())),
        wechatId: body.wechatId ?? null,
        influence: body.influence,
        status: body.status,
        ownerId: ctx.actor.userId,
        custom,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning();
    await writeAudit(tx, auditSource(ctx), { entityType: 'contact', entityId: id, action: 'create', changes: diffRecords(null, row!) });
    await publishEvent(tx, auditSource(ctx), { type: 'contact.created', aggregateType: 'contact', aggregateId: id, payload: contactEvent(row!, []) });
    return toContact(row!);
  });
}

export async function updateContact(ctx: ServiceContext, id: string, body: UpdateContactBody): Promise<Contact> {
  const { account } = await loadVisibleContact(ctx, id);
  assertAccountWritable(ctx, account);
  return withTx(ctx.db, async (tx) => {
    if (body.reportsToId) await lockAccountContacts(tx, account.id);
    const [before] = await tx.select().from(contacts).where(eq(contacts.id, id)).for('update');
    if (!before) throw notFound('contact');
    if (before.version !== body.version) throw versionConflict(before.version);
    if (body.reportsToId && body.reportsToId !== before.reportsToId) await assertReportsTo(tx, account.id, id, body.reportsToId);
    const custom = body.custom !== undefined ? await resolveCustomValues(tx, 'contact', body.custom, before.custom) : undefined;
    const [after] = await tx
      .update(contacts)
      .set({
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.department !== undefined ? { department: body.department } : {}),
        ...(body.level !== undefined ? { level: body.level } : {}),
        ...(body.reportsToId !== undefined ? { reportsToId: body.reportsToId } : {}),
        ...(body.phones !== undefined ? { phones: unique(body.phones) } : {}),
        ...(body.emails !== undefined ? { emails: unique(body.emails.map((e) => e.toLowerCase())) } : {}),
        ...(body.wechatId !== undefined ? { wechatId: body.wechatId } : {}),
        ...(body.influence !== undefined ? { influence: body.influence } : {}),
        ...(body.status !== undefined ? { status: body.status } : {}),
        ...(custom !== undefined ? { custom } : {}),
        version: before.version + 1,
        updatedAt: ctx.now,
      })
      .where(and(eq(contacts.id, id), eq(contacts.version, body.version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    const changes = diffRecords(before, after);
    await writeAudit(tx, auditSource(ctx), { entityType: 'contact', entityId: id, action: 'update', changes });
    await publishEvent(tx, auditSource(ctx), {
      type: 'contact.updated',
      aggregateType: 'contact',
      aggregateId: id,
      payload: contactEvent(after, Object.keys(changes)),
    });
    return toContact(after);
  });
}
