import { and, asc, desc, eq, ne, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../shared/api.ts';
import { DEFAULT_CURRENCY, Money } from '../../../shared/money.ts';
import { assertCan, isInScope, whereAll } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type DbOrTx, type Tx, isUniqueViolation, queryRows, withTx } from '../../platform/db.ts';
import { AppError, PlatformErrors, forbidden, notFound, versionConflict } from '../../platform/errors.ts';
import { UUID_PATTERN, newId } from '../../platform/ids.ts';
import { publishEvent } from '../../platform/outbox.ts';
import { decodeCursor, encodeCursor, timestampCursorValue, toPage } from '../../platform/pagination.ts';
import { COMPANY_TIME_ZONE, escapeLike, getSubtreeUnitIds, getUserBriefs } from '../org/service.ts';
import type {
  Account,
  AccountHierarchy,
  AddTeamMemberBody,
  ArchiveAccountBody,
  CreateAccountBody,
  GroupRollup,
  HierarchyNode,
  ListAccountsQuery,
  SimilarAccount,
  TeamList,
  TeamMember,
  UpdateAccountBody,
  UpdateTeamMemberBody,
} from './account-contract.ts';
import { AccountErrors } from './account-errors.ts';
import { buildVisibleTree, type TreeNode } from './account-hierarchy.ts';
import { SIMILAR_NAME_THRESHOLD, accountNameKeySql, normalizeAccountName } from './account-names.ts';
import { accountReadFilter, assertCanWrite, forgetTeamAccounts, getVisibleAccount, opportunityReadFilter } from './crm-access.ts';
import type { CustomFieldFilterParam } from './custom-field-contract.ts';
import { customFieldListSql, customSortAfter, customSortOrder } from './custom-field-query.ts';
import { resolveCustomValues } from './custom-field-service.ts';
import { CrmPermissions } from './permissions.ts';
import { validateRegion } from './region.ts';
import { accountTeam, accounts, customerGroups } from './schema.ts';
import { normalizeUscc, validateUscc } from '../../../shared/uscc.ts';

/**
 * Accounts: the customer records of the CRM, their parent/child groups, the account team (which
 * also shares the account with its members) and the group view (hierarchy and rollup).
 * Every read goes through crm-access.ts (accountReadFilter / getVisibleAccount: scope OR account-team
 * sharing, which alone lets an actor without any CRM read grant see the accounts of their teams); every
 * write through `assertCanWrite` on the loaded row, then one transaction with audit and events.
 */

type AccountRow = typeof accounts.$inferSelect;

export function auditSource(ctx: ServiceContext) {
  return { actorId: ctx.actor.userId, requestId: ctx.requestId };
}

const idArray = (ids: readonly string[]) => `{${ids.join(',')}}`;

// ── Visibility ──────────────────────────────────────────────────────────────────────────────────

/** May the actor change this visible account (and its team, contacts, coverage)? 403 otherwise; 409 when archived. */
export function assertAccountWritable(ctx: Pick<ServiceContext, 'actor'>, row: AccountRow): void {
  assertCanWrite(ctx.actor, CrmPermissions['crm.accounts.write'], row);
  if (row.archivedAt) throw new AppError(AccountErrors.account_archived, { params: { name: row.nameZh } });
}

/** For the audit history of an account: the same rule as reading it. */
export async function canReadAccount(ctx: ServiceContext, id: string): Promise<boolean> {
  const filter = await accountReadFilter(ctx);
  const [row] = await ctx.db
    .select({ id: accounts.id })
    .from(accounts)
    .where(whereAll(eq(accounts.id, id), filter));
  return !!row;
}

// ── Mapping ─────────────────────────────────────────────────────────────────────────────────────

async function ownerNames(db: DbOrTx, rows: readonly AccountRow[]): Promise<Map<string, string>> {
  const briefs = await getUserBriefs(db, [...new Set(rows.map((r) => r.ownerId))]);
  return new Map([...briefs.values()].map((b) => [b.id, b.nameZh]));
}

export function toAccount(row: AccountRow, names: ReadonlyMap<string, string>): Account {
  return {
    id: row.id,
    nameZh: row.nameZh,
    nameEn: row.nameEn,
    shortName: row.shortName,
    uscc: row.uscc,
    kind: row.kind,
    industry: row.industry,
    provinceCode: row.provinceCode,
    cityCode: row.cityCode,
    address: row.address,
    website: row.website,
    tier: row.tier,
    customerGroupId: row.customerGroupId,
    status: row.status,
    parentId: row.parentId,
    ownerId: row.ownerId,
    ownerName: names.get(row.ownerId) ?? null,
    unitId: row.unitId,
    tags: row.tags,
    notes: row.notes,
    custom: row.custom,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

// ── Reads ───────────────────────────────────────────────────────────────────────────────────────

export async function getAccount(ctx: ServiceContext, id: string): Promise<Account> {
  const row = await getVisibleAccount(ctx, id);
  return toAccount(row, await ownerNames(ctx.db, [row]));
}

const SORT_COLUMNS = { name: accounts.nameZh, createdAt: accounts.createdAt } as const;

/**
 * The account list: one query for the page (scope, filters and keyset on an index), one for the
 * owners' names. Filters are those the indexes of crm_accounts serve (see schema.ts and the
 * proposal for the low-cardinality ones).
 */
export async function listAccounts(
  ctx: ServiceContext,
  query: Omit<ListAccountsQuery, 'sort'> & { sort?: string; customFilters?: CustomFieldFilterParam[] },
): Promise<Page<Account>> {
  const q = { ...query, sort: query.sort ?? 'name' };
  const scope = await accountReadFilter(ctx);
  const custom = await customFieldListSql(ctx.db, 'account', '"crm_accounts"."custom"', q.customFilters, q.sort);
  const descending = q.sort.startsWith('-');
  const key = q.sort.replace(/^-/, '') as keyof typeof SORT_COLUMNS;
  const col = SORT_COLUMNS[key];
  let after: SQL | undefined;
  if (q.cursor) {
    const [v, id] = decodeCursor(q.sort, q.cursor, 2);
    if (custom.sort) {
      if ((v !== null && typeof v !== 'string') || typeof id !== 'string' || !UUID_PATTERN.test(id)) {
        throw new AppError(PlatformErrors.invalid_cursor, { errors: [{ path: 'query.cursor', message: 'v:bad_cursor' }] });
      }
      after = customSortAfter(custom.sort, sql`${accounts.id}`, v, id);
    } else {
      const value = key === 'createdAt' ? sql`${String(v)}::timestamptz` : sql`${String(v)}`;
      after = descending ? sql`(${col}, ${accounts.id}) < (${value}, ${String(id)})` : sql`(${col}, ${accounts.id}) > (${value}, ${String(id)})`;
    }
  }
  let unitFilter: SQL | undefined;
  if (q.unitId) {
    unitFilter = q.includeSubunits
      ? sql`${accounts.unitId} = ANY(${idArray(await getSubtreeUnitIds(ctx.db, q.unitId))}::uuid[])`
      : eq(accounts.unitId, q.unitId);
  }
  let search: SQL | undefined;
  if (q.q) {
    // The trigram GIN index on name_zh serves the ILIKE; a whole USCC is found by its unique index.
    const byName = sql`${accounts.nameZh} ILIKE ${`%${escapeLike(q.q)}%`}`;
    const code = validateUscc(q.q);
    search = code.ok ? sql`(${byName} OR ${accounts.uscc} = ${code.code})` : byName;
  }
  const rows = await ctx.db
    .select({
      account: accounts,
      createdAtCursor: timestampCursorValue(accounts.createdAt),
      customCursor: custom.sort ? sql<string | null>`${custom.sort.expression}::text` : sql<null>`NULL`,
    })
    .from(accounts)
    .where(
      whereAll(
        scope,
        q.includeArchived ? undefined : sql`${accounts.archivedAt} IS NULL`,
        q.status ? eq(accounts.status, q.status) : undefined,
        q.kind ? eq(accounts.kind, q.kind) : undefined,
        q.tier ? eq(accounts.tier, q.tier) : undefined,
        q.ownerId ? eq(accounts.ownerId, q.ownerId) : undefined,
        unitFilter,
        q.customerGroupId ? eq(accounts.customerGroupId, q.customerGroupId) : undefined,
        q.parentId ? eq(accounts.parentId, q.parentId) : undefined,
        q.provinceCode ? eq(accounts.provinceCode, q.provinceCode) : undefined,
        q.tag ? sql`${accounts.tags} @> ARRAY[${q.tag}]::text[]` : undefined,
        search,
        custom.where,
        after,
      ),
    )
    .orderBy(
      ...(custom.sort
        ? [customSortOrder(custom.sort, sql`${accounts.id}`)]
        : [descending ? desc(col) : asc(col), descending ? desc(accounts.id) : asc(accounts.id)]),
    )
    .limit(q.limit + 1);
  const names = await ownerNames(
    ctx.db,
    rows.slice(0, q.limit).map((r) => r.account),
  );
  return toPage(
    rows,
    q.limit,
    (r) => toAccount(r.account, names),
    (r) => encodeCursor(q.sort, [custom.sort ? r.customCursor : key === 'createdAt' ? r.createdAtCursor : r.account.nameZh, r.account.id]),
  );
}

// ── Checks shared by create and update ──────────────────────────────────────────────────────────

/** The normalized USCC, null for none, or 422 crm.invalid_uscc on `uscc`. */
function checkUscc(input: string | null | undefined): string | null | undefined {
  if (input === undefined) return undefined;
  if (input === null || normalizeUscc(input) === '') return null;
  const res = validateUscc(input);
  if (res.ok) return res.code;
  throw new AppError(AccountErrors.invalid_uscc, {
    params: { reason: res.reason },
    errors: [{ path: 'uscc', message: `v:uscc_${res.reason}` }],
    extra: { reason: res.reason, ...(res.position !== undefined ? { position: res.position } : {}) },
  });
}

/** Province and city must be known codes, the city inside the province; a city needs its province. */
function checkRegion(provinceCode: string | null, cityCode: string | null): void {
  if (provinceCode === null) {
    if (cityCode !== null) {
      throw new AppError(AccountErrors.invalid_region, { errors: [{ path: 'provinceCode', message: 'v:required' }] });
    }
    return;
  }
  const issues = validateRegion({ provinceCode, cityCode });
  if (issues.length > 0) throw new AppError(AccountErrors.invalid_region, { errors: issues.map((i) => ({ path: i.path, message: i.message })) });
}

function referenceInvalid(path: string, message: string): AppError {
  return new AppError(PlatformErrors.reference_invalid, { errors: [{ path, message }] });
}

/** The owner's home unit (the record's unit), or 422 when the owner is unknown, inactive or unplaced. */
async function ownerUnit(db: DbOrTx, ownerId: string): Promise<string> {
  const brief = (await getUserBriefs(db, [ownerId])).get(ownerId);
  if (!brief || !brief.active || !brief.unitId) throw referenceInvalid('ownerId', 'v:active_placed_user');
  return brief.unitId;
}

async function assertCustomerGroup(db: DbOrTx, id: string | null | undefined): Promise<void> {
  if (!id) return;
  const [row] = await db.select({ id: customerGroups.id }).from(customerGroups).where(eq(customerGroups.id, id));
  if (!row) throw referenceInvalid('customerGroupId', 'v:uuid');
}

async function assertNoDuplicateUscc(db: DbOrTx, uscc: string, exceptId: string | null): Promise<void> {
  const [dup] = await db
    .select({ id: accounts.id, nameZh: accounts.nameZh })
    .from(accounts)
    .where(whereAll(eq(accounts.uscc, uscc), exceptId ? ne(accounts.id, exceptId) : undefined));
  if (dup) throw duplicateUscc(dup);
}

function duplicateUscc(existing: { id: string; nameZh: string }): AppError {
  return new AppError(AccountErrors.duplicate_uscc, {
    params: { name: existing.nameZh },
    errors: [{ path: 'uscc', message: 'v:uscc_taken' }],
    extra: { existingAccountId: existing.id, existingName: existing.nameZh },
  });
}

/**
 * Accounts whose name is the same after normalizing (width, case, spaces, punctuation) or
 * trigram-similar at SIMILAR_NAME_THRESHOLD or more. The `%` operator (threshold 0.3 by default)
 * lets the GIN index find candidates; the exact threshold is applied to them.
 */
export async function findSimilarAccounts(db: DbOrTx, name: string, exceptId: string | null): Promise<SimilarAccount[]> {
  const key = normalizeAccountName(name);
  const except = exceptId ? sql`AND id <> ${exceptId}` : sql``;
  const rows = await queryRows<{ id: string; name_zh: string; sim: number; same: boolean }>(
    db,
    sql`SELECT id, name_zh, similarity(name_zh, ${name})::float8 AS sim, (${accountNameKeySql(sql`name_zh`)} = ${key}) AS same
          FROM (
            (SELECT id, name_zh FROM crm_accounts WHERE name_zh % ${name} AND archived_at IS NULL ${except})
            UNION
            (SELECT id, name_zh FROM crm_accounts WHERE ${accountNameKeySql(sql`name_zh`)} = ${key} AND archived_at IS NULL ${except})
          ) c
         ORDER BY same DESC, sim DESC, id
         LIMIT 20`,
  );
  return rows
    .filter((r) => r.same || Number(r.sim) >= SIMILAR_NAME_THRESHOLD)
    .slice(0, 10)
    .map((r) => ({ id: r.id, nameZh: r.name_zh, reason: r.same ? 'same_name' : 'similar_name', similarity: Math.round(Number(r.sim) * 1000) / 1000 }));
}

async function assertNotSimilar(db: DbOrTx, name: string, exceptId: string | null): Promise<void> {
  const candidates = await findSimilarAccounts(db, name, exceptId);
  if (candidates.length > 0) {
    throw new AppError(AccountErrors.similar_account, {
      params: { count: candidates.length, name: candidates[0]!.nameZh },
      errors: [{ path: 'nameZh', message: 'v:similar_account' }],
      extra: { candidates },
    });
  }
}

/** Hierarchy changes take this lock so two concurrent moves cannot build a loop between them. */
async function lockHierarchy(tx: Tx): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(7317101)`);
}

/**
 * The parent must be an account the actor can see, and not the account itself or below it.
 * `visibility` is computed before the transaction: on PGlite a query outside the transaction
 * would wait for it to end.
 */
async function assertParent(tx: Tx, visibility: SQL | undefined, id: string, parentId: string): Promise<void> {
  const [parent] = await tx
    .select({ id: accounts.id })
    .from(accounts)
    .where(whereAll(eq(accounts.id, parentId), visibility));
  if (!parent) throw referenceInvalid('parentId', 'v:uuid');
  // Walk up from the new parent; UNION (not UNION ALL) ends the walk on a loop already in the data.
  const [hit] = await queryRows<{ n: number }>(
    tx,
    sql`WITH RECURSIVE up(id, parent_id) AS (
          SELECT id, parent_id FROM crm_accounts WHERE id = ${parentId}
          UNION
          SELECT a.id, a.parent_id FROM crm_accounts a JOIN up ON a.id = up.parent_id
        )
        SELECT count(*)::int AS n FROM up WHERE id = ${id}`,
  );
  if ((hit?.n ?? 0) > 0) throw new AppError(AccountErrors.account_cycle, { errors: [{ path: 'parentId', message: 'v:account_cycle' }] });
}

/** Put the owner on the team as account lead (an existing membership becomes the lead role). */
async function putOwnerOnTeam(tx: Tx, accountId: string, ownerId: string, at: Date): Promise<void> {
  await tx
    .insert(accountTeam)
    .values({ accountId, userId: ownerId, role: 'account_lead', addedAt: at })
    .onConflictDoUpdate({ target: [accountTeam.accountId, accountTeam.userId], set: { role: 'account_lead' } });
}

function eventPayload(row: AccountRow, changes: string[]): Record<string, unknown> {
  return {
    accountId: row.id,
    nameZh: row.nameZh,
    ownerId: row.ownerId,
    unitId: row.unitId,
    parentId: row.parentId,
    status: row.status,
    customerGroupId: row.customerGroupId,
    archived: row.archivedAt !== null,
    changes,
  };
}

// ── Writes ──────────────────────────────────────────────────────────────────────────────────────

export async function createAccount(ctx: ServiceContext, body: CreateAccountBody): Promise<Account> {
  const createScope = assertCan(ctx.actor, CrmPermissions['crm.accounts.create']);
  const uscc = checkUscc(body.uscc) ?? null;
  checkRegion(body.provinceCode ?? null, body.cityCode ?? null);
  const ownerId = body.ownerId ?? ctx.actor.userId;
  const visibility = body.parentId ? await accountReadFilter(ctx) : undefined;
  try {
    return await withTx(ctx.db, async (tx) => {
      const unitId = await ownerUnit(tx, ownerId);
      // A rep creates accounts for themselves; a manager for anyone in their subtree.
      if (!isInScope(ctx.actor, createScope, { ownerId, unitId })) throw forbidden(CrmPermissions['crm.accounts.create']);
      const id = newId();
      if (body.parentId) {
        await lockHierarchy(tx);
        await assertParent(tx, visibility, id, body.parentId);
      }
      await assertCustomerGroup(tx, body.customerGroupId);
      if (uscc) await assertNoDuplicateUscc(tx, uscc, null);
      if (!body.confirmSimilar) await assertNotSimilar(tx, body.nameZh, null);
      const custom = await resolveCustomValues(tx, 'account', body.custom, null);
      const [row] = await tx
        .insert(accounts)
        .values({
          id,
          nameZh: body.nameZh,
          nameEn: body.nameEn ?? null,
          shortName: body.shortName ?? null,
          uscc,
          kind: body.kind,
          industry: body.industry ?? null,
          provinceCode: body.provinceCode ?? null,
          cityCode: body.cityCode ?? null,
          address: body.address ?? null,
          website: body.website ?? null,
          tier: body.tier,
          customerGroupId: body.customerGroupId ?? null,
          status: body.status,
          parentId: body.parentId ?? null,
          ownerId,
          unitId,
          tags: [...new Set(body.tags)],
          notes: body.notes ?? null,
          custom,
          createdAt: ctx.now,
          updatedAt: ctx.now,
        })
        .returning();
      await putOwnerOnTeam(tx, id, ownerId, ctx.now);
      await writeAudit(tx, auditSource(ctx), { entityType: 'account', entityId: id, action: 'create', changes: diffRecords(null, row!) });
      await publishEvent(tx, auditSource(ctx), {
        type: 'account.created',
        aggregateType: 'account',
        aggregateId: id,
        payload: eventPayload(row!, []),
      });
      if (ownerId === ctx.actor.userId) forgetTeamAccounts(ctx.actor);
      return toAccount(row!, await ownerNames(tx, [row!]));
    });
  } catch (err) {
    if (uscc && isUniqueViolation(err, 'crm_accounts_uscc_key')) await assertNoDuplicateUscc(ctx.db, uscc, null);
    throw err;
  }
}

export async function updateAccount(ctx: ServiceContext, id: string, body: UpdateAccountBody): Promise<Account> {
  // Visibility first (404), then the write permission on the record (403).
  const visible = await getVisibleAccount(ctx, id);
  const writeScope = assertCanWrite(ctx.actor, CrmPermissions['crm.accounts.write'], visible);
  const uscc = checkUscc(body.uscc);
  const visibility = await accountReadFilter(ctx);
  try {
    return await withTx(ctx.db, async (tx) => {
      const [before] = await tx.select().from(accounts).where(eq(accounts.id, id)).for('update');
      if (!before) throw notFound('account');
      if (before.version !== body.version) throw versionConflict(before.version);
      if (before.archivedAt) throw new AppError(AccountErrors.account_archived, { params: { name: before.nameZh } });
      const provinceCode = body.provinceCode !== undefined ? body.provinceCode : before.provinceCode;
      const cityCode = body.cityCode !== undefined ? body.cityCode : before.cityCode;
      if (body.provinceCode !== undefined || body.cityCode !== undefined) checkRegion(provinceCode, cityCode);

      let unitId = before.unitId;
      const ownerChanges = body.ownerId !== undefined && body.ownerId !== before.ownerId;
      if (ownerChanges) {
        unitId = await ownerUnit(tx, body.ownerId!);
        // Hand the account only to someone the actor could also have given it to at creation.
        if (!isInScope(ctx.actor, writeScope, { ownerId: body.ownerId!, unitId })) throw forbidden(CrmPermissions['crm.accounts.write']);
      }
      if (body.parentId !== undefined && body.parentId !== before.parentId && body.parentId !== null) {
        await lockHierarchy(tx);
        await assertParent(tx, visibility, id, body.parentId);
      }
      if (body.customerGroupId !== undefined) await assertCustomerGroup(tx, body.customerGroupId);
      if (uscc && uscc !== before.uscc) await assertNoDuplicateUscc(tx, uscc, id);
      if (body.nameZh !== undefined && body.nameZh !== before.nameZh && !body.confirmSimilar) {
        // A rename that only changes spelling (width, spaces) of the same name is no new duplicate.
        if (normalizeAccountName(body.nameZh) !== normalizeAccountName(before.nameZh)) await assertNotSimilar(tx, body.nameZh, id);
      }
      const custom = body.custom !== undefined ? await resolveCustomValues(tx, 'account', body.custom, before.custom) : undefined;
      const [after] = await tx
        .update(accounts)
        .set({
          ...(body.nameZh !== undefined ? { nameZh: body.nameZh } : {}),
          ...(body.nameEn !== undefined ? { nameEn: body.nameEn } : {}),
          ...(body.shortName !== undefined ? { shortName: body.shortName } : {}),
          ...(uscc !== undefined ? { uscc } : {}),
          ...(body.kind !== undefined ? { kind: body.kind } : {}),
          ...(body.industry !== undefined ? { industry: body.industry } : {}),
          provinceCode,
          cityCode,
          ...(body.address !== undefined ? { address: body.address } : {}),
          ...(body.website !== undefined ? { website: body.website } : {}),
          ...(body.tier !== undefined ? { tier: body.tier } : {}),
          ...(body.customerGroupId !== undefined ? { customerGroupId: body.customerGroupId } : {}),
          ...(body.status !== undefined ? { status: body.status } : {}),
          ...(body.parentId !== undefined ? { parentId: body.parentId } : {}),
          ...(body.ownerId !== undefined ? { ownerId: body.ownerId } : {}),
          unitId,
          ...(body.tags !== undefined ? { tags: [...new Set(body.tags)] } : {}),
          ...(body.notes !== undefined ? { notes: body.notes } : {}),
          ...(custom !== undefined ? { custom } : {}),
          version: before.version + 1,
          updatedAt: ctx.now,
        })
        .where(and(eq(accounts.id, id), eq(accounts.version, body.version)))
        .returning();
      if (!after) throw versionConflict(before.version + 1);
      if (ownerChanges) {
        // The lead role follows ownership: the previous owner's lead membership ends with it.
        await tx
          .delete(accountTeam)
          .where(and(eq(accountTeam.accountId, id), eq(accountTeam.userId, before.ownerId), eq(accountTeam.role, 'account_lead')));
        await putOwnerOnTeam(tx, id, after.ownerId, ctx.now);
        forgetTeamAccounts(ctx.actor);
      }
      const changes = diffRecords(before, after);
      await writeAudit(tx, auditSource(ctx), { entityType: 'account', entityId: id, action: 'update', changes });
      await publishEvent(tx, auditSource(ctx), {
        type: 'account.updated',
        aggregateType: 'account',
        aggregateId: id,
        payload: eventPayload(after, Object.keys(changes)),
      });
      return toAccount(after, await ownerNames(tx, [after]));
    });
  } catch (err) {
    if (uscc && isUniqueViolation(err, 'crm_accounts_uscc_key')) await assertNoDuplicateUscc(ctx.db, uscc, id);
    throw err;
  }
}

/** Archive (or restore) an account: it leaves the lists and becomes read-only; its history stays. */
export async function setAccountArchived(ctx: ServiceContext, id: string, body: ArchiveAccountBody, archived: boolean): Promise<Account> {
  const visible = await getVisibleAccount(ctx, id);
  assertCanWrite(ctx.actor, CrmPermissions['crm.accounts.write'], visible);
  return withTx(ctx.db, async (tx) => {
    const [before] = await tx.select().from(accounts).where(eq(accounts.id, id)).for('update');
    if (!before) throw notFound('account');
    if (before.version !== body.version) throw versionConflict(before.version);
    if ((before.archivedAt !== null) === archived) return toAccount(before, await ownerNames(tx, [before]));
    const [after] = await tx
      .update(accounts)
      .set({ archivedAt: archived ? ctx.now : null, version: before.version + 1, updatedAt: ctx.now })
      .where(and(eq(accounts.id, id), eq(accounts.version, body.version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    const changes = diffRecords(before, after);
    await writeAudit(tx, auditSource(ctx), { entityType: 'account', entityId: id, action: archived ? 'archive' : 'restore', changes });
    await publishEvent(tx, auditSource(ctx), {
      type: 'account.updated',
      aggregateType: 'account',
      aggregateId: id,
      payload: eventPayload(after, Object.keys(changes)),
    });
    return toAccount(after, await ownerNames(tx, [after]));
  });
}

// ── Account team ────────────────────────────────────────────────────────────────────────────────

async function teamRows(db: DbOrTx, account: AccountRow): Promise<TeamMember[]> {
  const rows = await db
    .select()
    .from(accountTeam)
    .where(eq(accountTeam.accountId, account.id))
    .orderBy(asc(accountTeam.addedAt), asc(accountTeam.userId));
  const briefs = await getUserBriefs(
    db,
    rows.map((r) => r.userId),
  );
  return rows.map((r) => ({
    accountId: r.accountId,
    userId: r.userId,
    nameZh: briefs.get(r.userId)?.nameZh ?? null,
    nameEn: briefs.get(r.userId)?.nameEn ?? null,
    role: r.role,
    isOwner: r.userId === account.ownerId,
    addedAt: r.addedAt.toISOString(),
  }));
}

export async function listTeam(ctx: ServiceContext, accountId: string): Promise<TeamList> {
  const account = await getVisibleAccount(ctx, accountId);
  return { items: await teamRows(ctx.db, account) };
}

async function assertActiveUser(db: DbOrTx, userId: string, path = 'userId'): Promise<void> {
  const brief = (await getUserBriefs(db, [userId])).get(userId);
  if (!brief || !brief.active) throw referenceInvalid(path, 'v:active_user');
}

async function teamChange(
  ctx: ServiceContext,
  tx: Tx,
  account: AccountRow,
  action: string,
  before: { userId: string; role: string } | null,
  after: { userId: string; role: string } | null,
): Promise<void> {
  await writeAudit(tx, auditSource(ctx), { entityType: 'account', entityId: account.id, action, changes: { team: [before, after] } });
  await publishEvent(tx, auditSource(ctx), {
    type: 'account.team_changed',
    aggregateType: 'account',
    aggregateId: account.id,
    payload: { accountId: account.id, before, after },
  });
  if ((before ?? after)?.userId === ctx.actor.userId) forgetTeamAccounts(ctx.actor);
}

export async function addTeamMember(ctx: ServiceContext, accountId: string, body: AddTeamMemberBody): Promise<TeamMember> {
  const account = await getVisibleAccount(ctx, accountId);
  assertAccountWritable(ctx, account);
  return withTx(ctx.db, async (tx) => {
    await assertActiveUser(tx, body.userId);
    const inserted = await tx
      .insert(accountTeam)
      .values({ accountId, userId: body.userId, role: body.role, addedAt: ctx.now })
      .onConflictDoNothing()
      .returning();
    if (inserted.length === 0) throw new AppError(AccountErrors.team_member_exists, { errors: [{ path: 'userId', message: 'v:team_member_exists' }] });
    await teamChange(ctx, tx, account, 'team.add', null, { userId: body.userId, role: body.role });
    return (await teamRows(tx, account)).find((m) => m.userId === body.userId)!;
  });
}

export async function updateTeamMember(ctx: ServiceContext, accountId: string, userId: string, body: UpdateTeamMemberBody): Promise<TeamMember> {
  const account = await getVisibleAccount(ctx, accountId);
  assertAccountWritable(ctx, account);
  if (userId === account.ownerId && body.role !== 'account_lead') throw new AppError(AccountErrors.team_owner_required);
  return withTx(ctx.db, async (tx) => {
    const [before] = await tx
      .select()
      .from(accountTeam)
      .where(and(eq(accountTeam.accountId, accountId), eq(accountTeam.userId, userId)))
      .for('update');
    if (!before) throw notFound('account team member');
    if (before.role !== body.role) {
      await tx
        .update(accountTeam)
        .set({ role: body.role })
        .where(and(eq(accountTeam.accountId, accountId), eq(accountTeam.userId, userId)));
      await teamChange(ctx, tx, account, 'team.update', { userId, role: before.role }, { userId, role: body.role });
    }
    return (await teamRows(tx, account)).find((m) => m.userId === userId)!;
  });
}

export async function removeTeamMember(ctx: ServiceContext, accountId: string, userId: string): Promise<void> {
  const account = await getVisibleAccount(ctx, accountId);
  assertAccountWritable(ctx, account);
  if (userId === account.ownerId) throw new AppError(AccountErrors.team_owner_required);
  await withTx(ctx.db, async (tx) => {
    const [removed] = await tx
      .delete(accountTeam)
      .where(and(eq(accountTeam.accountId, accountId), eq(accountTeam.userId, userId)))
      .returning();
    if (!removed) throw notFound('account team member');
    await teamChange(ctx, tx, account, 'team.remove', { userId, role: removed.role }, null);
  });
}

// ── Group view ──────────────────────────────────────────────────────────────────────────────────

/** How far below an account the group view and rollup look (real groups are 3–5 levels deep). */
export const MAX_GROUP_DEPTH = 12;
/** How many nodes the hierarchy returns at most. */
export const MAX_GROUP_NODES = 5000;

/** The visibility filter as a boolean column (true for everyone at `all` scope). */
function visibleExpr(filter: SQL | undefined): SQL {
  return filter ? sql`(${filter})` : sql`true`;
}

/** The subtree below an account, `depth` levels at most, as a recursive CTE named `sub(id, depth)`. */
function subtreeCte(accountId: string): SQL {
  return sql`sub(id, depth) AS (
      SELECT id, 0 FROM crm_accounts WHERE id = ${accountId}
      UNION ALL
      SELECT a.id, sub.depth + 1 FROM crm_accounts a JOIN sub ON a.parent_id = sub.id WHERE sub.depth < ${MAX_GROUP_DEPTH}
    )`;
}

const TRUNCATED_EXPR = sql`EXISTS (SELECT 1 FROM sub JOIN crm_accounts c ON c.parent_id = sub.id WHERE sub.depth = ${MAX_GROUP_DEPTH})`;

export async function getHierarchy(ctx: ServiceContext, accountId: string): Promise<AccountHierarchy> {
  await getVisibleAccount(ctx, accountId);
  const visible = visibleExpr(await accountReadFilter(ctx));
  const ancestors = await queryRows<{ id: string; name_zh: string; visible: boolean; depth: number }>(
    ctx.db,
    sql`WITH RECURSIVE up(id, parent_id, depth) AS (
          SELECT a.id, a.parent_id, 0 FROM crm_accounts a WHERE a.id = ${accountId}
          UNION ALL
          SELECT a.id, a.parent_id, up.depth + 1 FROM crm_accounts a JOIN up ON a.id = up.parent_id WHERE up.depth < 1000
        )
        SELECT crm_accounts.id, crm_accounts.name_zh, ${visible} AS visible, up.depth
          FROM up JOIN crm_accounts ON crm_accounts.id = up.id
         WHERE up.depth > 0
         ORDER BY up.depth DESC`,
  );
  const nodes = await queryRows<{
    id: string;
    parent_id: string | null;
    depth: number;
    visible: boolean;
    name_zh: string;
    kind: AccountRow['kind'];
    status: AccountRow['status'];
    tier: AccountRow['tier'];
    owner_id: string;
    archived: boolean;
    truncated: boolean;
  }>(
    ctx.db,
    sql`WITH RECURSIVE ${subtreeCte(accountId)}
        SELECT crm_accounts.id, crm_accounts.parent_id, sub.depth, ${visible} AS visible, crm_accounts.name_zh,
               crm_accounts.kind, crm_accounts.status, crm_accounts.tier, crm_accounts.owner_id,
               crm_accounts.archived_at IS NOT NULL AS archived, ${TRUNCATED_EXPR} AS truncated
          FROM sub JOIN crm_accounts ON crm_accounts.id = sub.id
         ORDER BY sub.depth, crm_accounts.name_zh, crm_accounts.id
         LIMIT ${MAX_GROUP_NODES + 1}`,
  );
  const seen = new Set<string>();
  const depthOf = new Map(nodes.map((n) => [n.id, n.depth]));
  const flat = nodes
    .slice(0, MAX_GROUP_NODES)
    .filter((n) => (seen.has(n.id) ? false : (seen.add(n.id), true)))
    .map((n) => ({ ...n, id: n.id, parentId: n.id === accountId ? null : n.parent_id, visible: n.visible === true }));
  const tree = buildVisibleTree(flat, accountId);
  const toNode = (n: TreeNode<(typeof flat)[number]>): HierarchyNode =>
    n.visible
      ? {
          id: n.id,
          visible: true,
          nameZh: n.name_zh,
          kind: n.kind,
          status: n.status,
          tier: n.tier,
          ownerId: n.owner_id,
          archived: n.archived,
          depth: n.depth,
          children: n.children.map(toNode),
        }
      : {
          id: n.id,
          visible: false,
          nameZh: null,
          kind: null,
          status: null,
          tier: null,
          ownerId: null,
          archived: null,
          depth: depthOf.get(n.id) ?? 0,
          children: n.children.map(toNode),
        };
  return {
    accountId,
    ancestors: ancestors.map((a) => ({ id: a.id, visible: a.visible === true, nameZh: a.visible ? a.name_zh : null })),
    // The account itself is visible (checked above), so the tree has a root.
    tree: toNode(tree!),
    truncated: nodes.length > MAX_GROUP_NODES || nodes.some((n) => n.truncated),
    maxDepth: MAX_GROUP_DEPTH,
  };
}

const NOT_YET_NOTE = {
  openRequirements: 'The delivery module (customer requirements) does not exist yet; no figure is shown rather than a made-up one.',
  openTickets: 'The service module (tickets) does not exist yet; no figure is shown rather than a made-up one.',
};

/**
 * The group rollup over every account of the subtree the reader can see: counts by status, open
 * pipeline (amount and probability-weighted, company currency) and won revenue by year. One query:
 * the subtree CTE feeds the account counts and the opportunity aggregates; opportunities are those
 * the reader may read (crm-access.ts), so the figures equal the opportunity lists they drill into.
 */
export async function getGroupRollup(ctx: ServiceContext, accountId: string): Promise<GroupRollup> {
  await getVisibleAccount(ctx, accountId);
  const visible = await accountReadFilter(ctx);
  // The deals the actor may read (scope or account team), so the figures equal the opportunity lists.
  const dealFilter = await opportunityReadFilter(ctx);
  const oppCte = sql`, opp AS (
          SELECT crm_opportunities.amount_company, crm_opportunities.probability, crm_opportunities.closed_at,
                 crm_opportunities.forecast_category_default
            FROM crm_opportunities JOIN vis ON vis.id = crm_opportunities.account_id
           ${dealFilter ? sql`WHERE ${dealFilter}` : sql``}
        )`;
  const oppColumns = sql`,
        (SELECT json_build_object('count', count(*)::int,
                                  'amount', coalesce(sum(amount_company), 0)::text,
                                  'weighted', coalesce(sum(amount_company * probability / 100), 0)::text)
           FROM opp WHERE closed_at IS NULL) AS open,
        (SELECT coalesce(json_agg(y ORDER BY y.year), '[]'::json) FROM (
           SELECT extract(year FROM closed_at AT TIME ZONE ${COMPANY_TIME_ZONE})::int AS year, count(*)::int AS count,
                  sum(amount_company)::text AS amount
             FROM opp WHERE closed_at IS NOT NULL AND forecast_category_default = 'closed'
            GROUP BY 1) y) AS won`;
  const [row] = await queryRows<{
    total: number;
    prospect: number;
    customer: number;
    former: number;
    archived: number;
    truncated: boolean;
    open: { count: number; amount: string; weighted: string };
    won: { year: number; count: number; amount: string }[];
  }>(
    ctx.db,
    sql`WITH RECURSIVE ${subtreeCte(accountId)},
        vis AS (
          SELECT DISTINCT crm_accounts.id, crm_accounts.status, crm_accounts.archived_at
            FROM sub JOIN crm_accounts ON crm_accounts.id = sub.id
           ${visible ? sql`WHERE ${visible}` : sql``}
        )${oppCte}
        SELECT
          (SELECT count(*)::int FROM vis) AS total,
          (SELECT count(*)::int FROM vis WHERE status = 'prospect') AS prospect,
          (SELECT count(*)::int FROM vis WHERE status = 'customer') AS customer,
          (SELECT count(*)::int FROM vis WHERE status = 'former') AS former,
          (SELECT count(*)::int FROM vis WHERE archived_at IS NOT NULL) AS archived,
          ${TRUNCATED_EXPR} AS truncated${oppColumns}`,
  );
  const currency = DEFAULT_CURRENCY;
  const money = (s: string) => ({ amount: Money.of(s, currency).round().toFixedString(), currency });
  const won = row!.won;
  return {
    accountId,
    currency,
    maxDepth: MAX_GROUP_DEPTH,
    truncated: row!.truncated === true,
    accounts: {
      total: row!.total,
      byStatus: { prospect: row!.prospect, customer: row!.customer, former: row!.former },
      archived: row!.archived,
    },
    openPipeline: { count: row!.open.count, amount: money(String(row!.open.amount)), weighted: money(String(row!.open.weighted)) },
    wonRevenue: {
      count: won.reduce((n, y) => n + y.count, 0),
      total: money(
        Money.sum(
          won.map((y) => Money.of(String(y.amount), currency)),
          currency,
        ).toFixedString(),
      ),
      byYear: won.map((y) => ({ year: y.year, count: y.count, amount: money(String(y.amount)) })),
    },
    openRequirements: null,
    openTickets: null,
    notes: { ...NOT_YET_NOTE },
  };
}

// ── For pricing ─────────────────────────────────────────────────────────────────────────────────

/** What pricing needs to know about a customer: its parent chain (contracted prices and account rules are inherited down it) and its segment. */
export interface AccountPricingProfile {
  id: string;
  /** Parent accounts, nearest first (not including the account). */
  parentAccountIds: string[];
  /** The account's customer group and its ancestors, nearest first. */
  customerGroupAncestors: string[];
  kind: string;
  /** Province code (GB/T 2260), '' when unknown. */
  region: string;
  custom: Record<string, unknown>;
}

/** The account (404 outside the actor's reach) with its parent chain and customer-group chain, two short recursive queries. */
export async function getAccountPricingProfile(ctx: ServiceContext, accountId: string): Promise<AccountPricingProfile> {
  await getVisibleAccount(ctx, accountId);
  return loadAccountPricingProfile(ctx.db, accountId);
}

/**
 * The pricing profile without an access check, for a caller that has proved its right to price for
 * the account another way (the quote service: the caller may change a deal on it, and a deal's owner
 * may quote it even where the account itself is outside their scope).
 */
export async function loadAccountPricingProfile(db: DbOrTx, accountId: string): Promise<AccountPricingProfile> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, accountId));
  if (!row) throw notFound('account');
  const parents = await queryRows<{ id: string }>(
    db,
    sql`WITH RECURSIVE up(id, parent_id, depth) AS (
          SELECT a.id, a.parent_id, 0 FROM crm_accounts a WHERE a.id = ${accountId}
          UNION ALL
          SELECT a.id, a.parent_id, up.depth + 1 FROM crm_accounts a JOIN up ON a.id = up.parent_id WHERE up.depth < ${MAX_GROUP_DEPTH * 4}
        )
        SELECT id FROM up WHERE depth > 0 ORDER BY depth`,
  );
  const groups = row.customerGroupId
    ? await queryRows<{ id: string }>(
        db,
        sql`WITH RECURSIVE up(id, parent_id, depth) AS (
              SELECT g.id, g.parent_id, 0 FROM crm_customer_groups g WHERE g.id = ${row.customerGroupId}
              UNION ALL
              SELECT g.id, g.parent_id, up.depth + 1 FROM crm_customer_groups g JOIN up ON g.id = up.parent_id WHERE up.depth < 32
            )
            SELECT id FROM up ORDER BY depth`,
      )
    : [];
  const seen = new Set<string>([accountId]);
  return {
    id: row.id,
    parentAccountIds: parents.map((p) => p.id).filter((id) => (seen.has(id) ? false : (seen.add(id), true))),
    customerGroupAncestors: [...new Set(groups.map((g) => g.id))],
    kind: row.kind,
    region: row.provinceCode ?? '',
    custom: row.custom,
  };
}

/** Names and address of some accounts, for other modules' documents and lists. Unchecked: callers check their own access. */
export async function getAccountBriefs(
  db: DbOrTx,
  ids: readonly string[],
): Promise<Map<string, { nameZh: string; nameEn: string | null; address: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ id: string; name_zh: string; name_en: string | null; address: string | null }>(
    db,
    sql`SELECT id, name_zh, name_en, address FROM crm_accounts WHERE id = ANY(${`{${[...new Set(ids)].join(',')}}`}::uuid[])`,
  );
  return new Map(rows.map((r) => [r.id, { nameZh: r.name_zh, nameEn: r.name_en, address: r.address }]));
}
