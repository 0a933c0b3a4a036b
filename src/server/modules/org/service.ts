import { and, asc, desc, eq, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../shared/api.ts';
import { localDate } from '../../../shared/dates.ts';
import type { Role } from '../../../shared/roles.ts';
import { assertCan, readFilter, scopeFor, isInScope, whereAll } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type Db, type DbOrTx, type Tx, queryRows, withTx } from '../../platform/db.ts';
import { AppError, notFound, versionConflict } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { decodeCursor, encodeCursor, timestampCursorValue, toPage } from '../../platform/pagination.ts';
import type {
  CompanyProfile,
  CreateUnitBody,
  CreateUserBody,
  ListUsersQuery,
  ManagementChain,
  OrgTree,
  OrgUnit,
  UpdateCompanyProfileBody,
  UpdateUnitBody,
  UpdateUserBody,
  User,
} from './contract.ts';
import { OrgErrors } from './errors.ts';
import { buildClosure, isAllowedParentKind, isStrongPassword, wouldCreateCycle } from './org.ts';
import { hashPassword } from './password.ts';
import { OrgPermissions } from './permissions.ts';
import { invalidatePrincipals } from './principal-cache.ts';
import { COMPANY_PROFILE_ID, orgCompanyProfile, orgUnitClosure, orgUnitParents, orgUnits, userAssignments, users } from './schema.ts';
import { checkTaxId } from './tax-id.ts';

export const COMPANY_TIME_ZONE = 'Asia/Shanghai';

type UserRow = typeof users.$inferSelect;
type UnitRow = typeof orgUnits.$inferSelect;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    nameZh: row.nameZh,
    nameEn: row.nameEn,
    phone: row.phone,
    title: row.title,
    locale: row.locale,
    timeZone: row.timeZone,
    unitId: row.unitId,
    managerId: row.managerId,
    roles: row.roles,
    active: row.active,
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function today(ctx: Pick<ServiceContext, 'now'>): string {
  return localDate(ctx.now, COMPANY_TIME_ZONE);
}

function source(ctx: ServiceContext) {
  return { actorId: ctx.actor.userId, requestId: ctx.requestId };
}

// ---------------------------------------------------------------------------------------------
// The subtree cache: scope checks need "this unit and everything below it" on every request.
// It is read from the closure table and kept per process for a few seconds, and dropped at once
// when this process changes the tree (another instance's change shows within the TTL).

const SUBTREE_TTL_MS = 5_000;
const subtreeCache = new Map<string, { at: number; ids: string[] }>();

/** Drop the cached subtrees, and the cached principals whose Actors carry them (principal-cache.ts). */
export function clearSubtreeCache(): void {
  subtreeCache.clear();
  invalidatePrincipals();
}

export async function getSubtreeUnitIds(db: DbOrTx, unitId: string, nowMs = Date.now()): Promise<string[]> {
  const hit = subtreeCache.get(unitId);
  if (hit && nowMs - hit.at < SUBTREE_TTL_MS) return hit.ids;
  const rows = await db
    .select({ id: orgUnitClosure.descendantId })
    .from(orgUnitClosure)
    .where(eq(orgUnitClosure.ancestorId, unitId));
  const ids = rows.map((r) => r.id);
  subtreeCache.set(unitId, { at: nowMs, ids });
  return ids;
}

/**
 * After a transaction that changed the tree committed: drop the subtree cache (and the principals)
 * again — rebuildClosure dropped it inside the transaction, where a concurrent request could refill
 * it with the old tree.
 */
function afterTreeCommitted(): void {
  clearSubtreeCache();
}

/** Rebuild today's closure table from the units' parents (small: one row per unit and ancestor). */
export async function rebuildClosure(tx: Tx): Promise<void> {
  const rows = await tx.select({ id: orgUnits.id, parentId: orgUnits.parentId }).from(orgUnits);
  const closure = buildClosure(new Map(rows.map((r) => [r.id, r.parentId])));
  await tx.delete(orgUnitClosure);
  for (let i = 0; i < closure.length; i += 1000) {
    await tx.insert(orgUnitClosure).values(closure.slice(i, i + 1000));
  }
  clearSubtreeCache();
}

// ---------------------------------------------------------------------------------------------
// Org units

async function memberCounts(db: DbOrTx, asOf: string | null): Promise<Map<string, number>> {
  const rows = asOf
    ? await queryRows<{ unit_id: string; n: number }>(
        db,
        sql`SELECT unit_id, count(*)::int AS n FROM user_assignments
            WHERE valid_from <= ${asOf} AND (valid_to IS NULL OR valid_to > ${asOf}) AND unit_id IS NOT NULL
            GROUP BY unit_id`,
      )
    : await queryRows<{ unit_id: string; n: number }>(
        db,
        sql`SELECT unit_id, count(*)::int AS n FROM users WHERE active AND unit_id IS NOT NULL GROUP BY unit_id`,
      );
  return new Map(rows.map((r) => [r.unit_id, r.n]));
}

function toUnit(row: UnitRow, members: Map<string, number>, parentId: string | null = row.parentId): OrgUnit {
  return {
    id: row.id,
    code: row.code,
    kind: row.kind,
    nameZh: row.nameZh,
    nameEn: row.nameEn,
    parentId,
    headUserId: row.headUserId,
    active: row.active,
    memberCount: members.get(row.id) ?? 0,
    version: row.version,
  };
}

/** The org chart today, or as it stood on `asOf` (from the dated parent links). */
export async function getOrgTree(ctx: ServiceContext, asOf?: string): Promise<OrgTree> {
  assertCan(ctx.actor, OrgPermissions['org.units.read']);
  const date = asOf ?? today(ctx);
  const isToday = date === today(ctx);
  if (isToday) {
    const [rows, members] = await Promise.all([
      ctx.db.select().from(orgUnits).where(eq(orgUnits.active, true)).orderBy(asc(orgUnits.code)),
      memberCounts(ctx.db, null),
    ]);
    return { asOf: date, units: rows.map((r) => toUnit(r, members)) };
  }
  const rows = await ctx.db
    .select({ unit: orgUnits, parentId: orgUnitParents.parentId })
    .from(orgUnitParents)
    .innerJoin(orgUnits, eq(orgUnits.id, orgUnitParents.unitId))
    .where(and(sql`${orgUnitParents.validFrom} <= ${date}`, or(isNull(orgUnitParents.validTo), sql`${orgUnitParents.validTo} > ${date}`)))
    .orderBy(asc(orgUnits.code));
  const members = await memberCounts(ctx.db, date);
  return { asOf: date, units: rows.map((r) => toUnit(r.unit, members, r.parentId)) };
}

async function loadUnit(db: DbOrTx, id: string): Promise<UnitRow> {
  const [row] = await db.select().from(orgUnits).where(eq(orgUnits.id, id));
  if (!row) throw notFound('org unit');
  return row;
}

async function assertUnitPlacement(tx: Tx, unitId: string, kind: UnitRow['kind'], parentId: string | null): Promise<void> {
  let parentKind: UnitRow['kind'] | null = null;
  if (parentId) {
    const parent = await loadUnit(tx, parentId).catch(() => {
      throw new AppError(OrgErrors.unit_cycle, { errors: [{ path: 'parentId', message: 'v:uuid' }] });
    });
    parentKind = parent.kind;
    const all = await tx.select({ id: orgUnits.id, parentId: orgUnits.parentId }).from(orgUnits);
    const parents = new Map(all.map((r) => [r.id, r.parentId]));
    if (wouldCreateCycle(unitId, parentId, (id) => parents.get(id))) {
      throw new AppError(OrgErrors.unit_cycle, { errors: [{ path: 'parentId', message: 'v:unit_cycle' }] });
    }
  }
  if (!isAllowedParentKind(kind, parentKind)) {
    throw new AppError(OrgErrors.unit_kind_order, {
      params: { child: kind, parent: parentKind ?? '-' },
      errors: [{ path: 'parentId', message: 'v:unit_kind_order' }],
    });
  }
}

function assertEffectiveDate(ctx: ServiceContext, effectiveDate: string, currentFrom: string | null): void {
  if (effectiveDate > today(ctx) || (currentFrom !== null && effectiveDate < currentFrom)) {
    throw new AppError(OrgErrors.effective_date_order, { errors: [{ path: 'effectiveDate', message: 'v:effective_date' }] });
  }
}

export async function createUnit(ctx: ServiceContext, body: CreateUnitBody): Promise<OrgUnit> {
  assertCan(ctx.actor, OrgPermissions['org.units.write']);
  const effectiveDate = body.effectiveDate ?? today(ctx);
  assertEffectiveDate(ctx, effectiveDate, null);
  const unit = await withTx(ctx.db, async (tx) => {
    const id = newId();
    await assertUnitPlacement(tx, id, body.kind, body.parentId);
    const [row] = await tx
      .insert(orgUnits)
      .values({
        id,
        code: body.code,
        kind: body.kind,
        nameZh: body.nameZh,
        nameEn: body.nameEn ?? null,
        parentId: body.parentId,
        headUserId: body.headUserId ?? null,
      })
      .returning();
    await tx.insert(orgUnitParents).values({ unitId: id, parentId: body.parentId, validFrom: effectiveDate });
    await rebuildClosure(tx);
    await writeAudit(tx, source(ctx), { entityType: 'org_unit', entityId: id, action: 'create', changes: diffRecords(null, row!) });
    return toUnit(row!, new Map());
  });
  afterTreeCommitted();
  return unit;
}

export async function updateUnit(ctx: ServiceContext, id: string, body: UpdateUnitBody): Promise<OrgUnit> {
  assertCan(ctx.actor, OrgPermissions['org.units.write']);
  const unit = await withTx(ctx.db, async (tx) => {
    const before = await loadUnit(tx, id);
    if (before.version !== body.version) throw versionConflict(before.version);
    const moving = body.parentId !== undefined && body.parentId !== before.parentId;
    if (moving) {
      await assertUnitPlacement(tx, id, before.kind, body.parentId ?? null);
      const effectiveDate = body.effectiveDate ?? today(ctx);
      const [current] = await tx
        .select()
        .from(orgUnitParents)
        .where(and(eq(orgUnitParents.unitId, id), isNull(orgUnitParents.validTo)));
      assertEffectiveDate(ctx, effectiveDate, current?.validFrom ?? null);
      if (current && current.validFrom === effectiveDate) {
        await tx.delete(orgUnitParents).where(and(eq(orgUnitParents.unitId, id), eq(orgUnitParents.validFrom, effectiveDate)));
      } else if (current) {
        await tx
          .update(orgUnitParents)
          .set({ validTo: effectiveDate })
          .where(and(eq(orgUnitParents.unitId, id), eq(orgUnitParents.validFrom, current.validFrom)));
      }
      await tx.insert(orgUnitParents).values({ unitId: id, parentId: body.parentId ?? null, validFrom: effectiveDate });
    }
    if (body.active === false && before.active) {
      const [busy] = await queryRows<{ n: number }>(
        tx,
        sql`SELECT (SELECT count(*) FROM org_units WHERE parent_id = ${id} AND active)::int
                 + (SELECT count(*) FROM users WHERE unit_id = ${id} AND active)::int AS n`,
      );
      if ((busy?.n ?? 0) > 0) throw new AppError(OrgErrors.unit_not_empty);
    }
    const [after] = await tx
      .update(orgUnits)
      .set({
        ...(body.nameZh !== undefined ? { nameZh: body.nameZh } : {}),
        ...(body.nameEn !== undefined ? { nameEn: body.nameEn } : {}),
        ...(body.parentId !== undefined ? { parentId: body.parentId } : {}),
        ...(body.headUserId !== undefined ? { headUserId: body.headUserId } : {}),
        ...(body.active !== undefined ? { active: body.active } : {}),
        version: before.version + 1,
        updatedAt: ctx.now,
      })
      .where(and(eq(orgUnits.id, id), eq(orgUnits.version, body.version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    if (moving) await rebuildClosure(tx);
    await writeAudit(tx, source(ctx), { entityType: 'org_unit', entityId: id, action: 'update', changes: diffRecords(before, after) });
    return toUnit(after, await memberCounts(tx, null));
  });
  if (body.parentId !== undefined) afterTreeCommitted();
  return unit;
}

// ---------------------------------------------------------------------------------------------
// People

function usersScope(ctx: ServiceContext): SQL | undefined {
  return readFilter(ctx.actor, OrgPermissions['users.read'], { ownerId: users.id, unitId: users.unitId });
}

const SORT_COLUMNS = {
  name: users.nameZh,
  email: users.email,
  createdAt: users.createdAt,
} as const;

export async function listUsers(ctx: ServiceContext, q: ListUsersQuery): Promise<Page<User>> {
  const scope = usersScope(ctx);
  const desc_ = q.sort.startsWith('-');
  const key = q.sort.replace(/^-/, '') as keyof typeof SORT_COLUMNS;
  const col = SORT_COLUMNS[key];
  let after: SQL | undefined;
  if (q.cursor) {
    const [v, id] = decodeCursor(q.sort, q.cursor, 2);
    const value = key === 'createdAt' ? sql`${String(v)}::timestamptz` : String(v);
    // Row comparison keeps the keyset on one index range: (sort value, id) strictly after the cursor.
    after = desc_ ? sql`(${col}, ${users.id}) < (${value}, ${String(id)})` : sql`(${col}, ${users.id}) > (${value}, ${String(id)})`;
  }
  let unitFilter: SQL | undefined;
  if (q.unitId) {
    unitFilter = q.includeSubunits
      ? sql`${users.unitId} = ANY(${`{${(await getSubtreeUnitIds(ctx.db, q.unitId)).join(',')}}`}::uuid[])`
      : eq(users.unitId, q.unitId);
  }
  const where = whereAll(
    scope,
    unitFilter,
    q.role ? sql`${q.role} = ANY(${users.roles})` : undefined,
    q.active !== undefined ? eq(users.active, q.active) : undefined,
    // The same expression as users_search_trgm_idx, so the trigram index serves the search.
    q.q ? sql`(${users.nameZh} || ' ' || coalesce(${users.nameEn}, '') || ' ' || ${users.email}) ILIKE ${`%${escapeLike(q.q)}%`}` : undefined,
    after,
  );
  const rows = await ctx.db
    .select({ user: users, createdAtCursor: timestampCursorValue(users.createdAt) })
    .from(users)
    .where(where)
    .orderBy(desc_ ? desc(col) : asc(col), desc_ ? desc(users.id) : asc(users.id))
    .limit(q.limit + 1);
  return toPage(
    rows,
    q.limit,
    (r) => toUser(r.user),
    (r) => encodeCursor(q.sort, [key === 'createdAt' ? r.createdAtCursor : key === 'email' ? r.user.email : r.user.nameZh, r.user.id]),
  );
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A user the actor may see, or 404 (existence outside one's scope is not revealed). */
export async function getUser(ctx: ServiceContext, id: string): Promise<User> {
  const [row] = await ctx.db
    .select()
    .from(users)
    .where(whereAll(eq(users.id, id), usersScope(ctx)));
  if (!row) throw notFound('user');
  return toUser(row);
}

async function assertManager(tx: Tx, userId: string, managerId: string | null): Promise<void> {
  if (!managerId) return;
  const all = await tx.select({ id: users.id, managerId: users.managerId }).from(users);
  const managers = new Map(all.map((r) => [r.id, r.managerId]));
  if (!managers.has(managerId)) {
    throw new AppError(OrgErrors.manager_cycle, { errors: [{ path: 'managerId', message: 'v:uuid' }] });
  }
  if (wouldCreateCycle(userId, managerId, (id) => managers.get(id))) {
    throw new AppError(OrgErrors.manager_cycle, { errors: [{ path: 'managerId', message: 'v:manager_cycle' }] });
  }
}

async function assertAnotherAdmin(tx: Tx, userId: string): Promise<void> {
  const [row] = await queryRows<{ n: number }>(
    tx,
    sql`SELECT count(*)::int AS n FROM users WHERE active AND 'admin' = ANY(roles) AND id <> ${userId}`,
  );
  if ((row?.n ?? 0) === 0) throw new AppError(OrgErrors.last_admin);
}

async function assertEmailFree(tx: Tx, email: string, exceptId?: string): Promise<void> {
  const [taken] = await tx
    .select({ id: users.id })
    .from(users)
    .where(whereAll(sql`lower(${users.email}) = lower(${email})`, exceptId ? ne(users.id, exceptId) : undefined));
  if (taken) throw new AppError(OrgErrors.email_taken, { errors: [{ path: 'email', message: 'v:email_taken' }] });
}

async function passwordHashFor(password: string | undefined, email: string): Promise<string | null> {
  if (password === undefined) return null;
  if (!isStrongPassword(password, email)) {
    throw new AppError(OrgErrors.password_too_weak, { errors: [{ path: 'password', message: 'v:password_weak' }] });
  }
  return hashPassword(password);
}

export async function createUser(ctx: ServiceContext, body: CreateUserBody): Promise<User> {
  assertCan(ctx.actor, OrgPermissions['users.write']);
  const effectiveDate = body.effectiveDate ?? today(ctx);
  assertEffectiveDate(ctx, effectiveDate, null);
  // Hash outside the transaction: it is slow CPU work and must not hold the database.
  const passwordHash = await passwordHashFor(body.password, body.email);
  return withTx(ctx.db, async (tx) => {
    await assertEmailFree(tx, body.email);
    if (body.unitId) await loadUnit(tx, body.unitId);
    const id = newId();
    await assertManager(tx, id, body.managerId ?? null);
    const [row] = await tx
      .insert(users)
      .values({
        id,
        email: body.email,
        nameZh: body.nameZh,
        nameEn: body.nameEn ?? null,
        phone: body.phone ?? null,
        title: body.title ?? null,
        locale: body.locale,
        timeZone: body.timeZone,
        unitId: body.unitId ?? null,
        managerId: body.managerId ?? null,
        roles: [...new Set(body.roles)],
        passwordHash,
      })
      .returning();
    await tx.insert(userAssignments).values({
      userId: id,
      unitId: body.unitId ?? null,
      managerId: body.managerId ?? null,
      title: body.title ?? null,
      validFrom: effectiveDate,
    });
    await writeAudit(tx, source(ctx), { entityType: 'user', entityId: id, action: 'create', changes: diffRecords(null, row!) });
    return toUser(row!);
  });
}

export async function updateUser(ctx: ServiceContext, id: string, body: UpdateUserBody): Promise<User> {
  // Visibility first (404 outside scope), then the write permission (403).
  await getUser(ctx, id);
  assertCan(ctx.actor, OrgPermissions['users.write']);
  const passwordHash = body.password !== undefined ? await passwordHashFor(body.password, '') : undefined;
  const user = await withTx(ctx.db, async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.id, id));
    if (!before) throw notFound('user');
    if (before.version !== body.version) throw versionConflict(before.version);
    const losesAdmin =
      before.roles.includes('admin') && before.active && ((body.roles && !body.roles.includes('admin')) || body.active === false);
    if (losesAdmin) await assertAnotherAdmin(tx, id);
    if (body.unitId) await loadUnit(tx, body.unitId);
    if (body.managerId !== undefined) await assertManager(tx, id, body.managerId);

    const moves =
      (body.unitId !== undefined && body.unitId !== before.unitId) ||
      (body.managerId !== undefined && body.managerId !== before.managerId) ||
      (body.title !== undefined && body.title !== before.title);
    if (moves) {
      const effectiveDate = body.effectiveDate ?? today(ctx);
      const [current] = await tx
        .select()
        .from(userAssignments)
        .where(and(eq(userAssignments.userId, id), isNull(userAssignments.validTo)));
      assertEffectiveDate(ctx, effectiveDate, current?.validFrom ?? null);
      if (current && current.validFrom === effectiveDate) {
        await tx.delete(userAssignments).where(and(eq(userAssignments.userId, id), eq(userAssignments.validFrom, effectiveDate)));
      } else if (current) {
        await tx
          .update(userAssignments)
          .set({ validTo: effectiveDate })
          .where(and(eq(userAssignments.userId, id), eq(userAssignments.validFrom, current.validFrom)));
      }
      await tx.insert(userAssignments).values({
        userId: id,
        unitId: body.unitId !== undefined ? body.unitId : before.unitId,
        managerId: body.managerId !== undefined ? body.managerId : before.managerId,
        title: body.title !== undefined ? body.title : before.title,
        validFrom: effectiveDate,
      });
    }
    const [after] = await tx
      .update(users)
      .set({
        ...(body.nameZh !== undefined ? { nameZh: body.nameZh } : {}),
        ...(body.nameEn !== undefined ? { nameEn: body.nameEn } : {}),
        ...(body.phone !== undefined ? { phone: body.phone } : {}),
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.locale !== undefined ? { locale: body.locale } : {}),
        ...(body.timeZone !== undefined ? { timeZone: body.timeZone } : {}),
        ...(body.unitId !== undefined ? { unitId: body.unitId } : {}),
        ...(body.managerId !== undefined ? { managerId: body.managerId } : {}),
        ...(body.roles !== undefined ? { roles: [...new Set(body.roles)] as Role[] } : {}),
        ...(body.active !== undefined ? { active: body.active } : {}),
        ...(passwordHash !== undefined ? { passwordHash } : {}),
        version: before.version + 1,
        updatedAt: ctx.now,
      })
      .where(and(eq(users.id, id), eq(users.version, body.version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    if (body.active === false) await tx.execute(sql`DELETE FROM sessions WHERE user_id = ${id}`);
    await writeAudit(tx, source(ctx), { entityType: 'user', entityId: id, action: 'update', changes: diffRecords(before, after) });
    return toUser(after);
  });
  // Roles, unit, active, locale: what the authenticator's cached principals hold (decision 0012).
  invalidatePrincipals();
  return user;
}

/** The person's managers and units as they stood on a date: what approvals and rollups use. */
export async function getManagementChain(ctx: ServiceContext, id: string, asOf?: string): Promise<ManagementChain> {
  await getUser(ctx, id);
  const date = asOf ?? today(ctx);
  return getManagementChainAsOf(ctx.db, id, date);
}

/** Unchecked read of a management chain, for other modules' services (approvals, rollups). */
export async function getManagementChainAsOf(db: DbOrTx, userId: string, date: string): Promise<ManagementChain> {
  const managers = await queryRows<{ user_id: string; name_zh: string; name_en: string | null; unit_id: string | null; level: number }>(
    db,
    sql`WITH RECURSIVE chain(user_id, manager_id, level) AS (
          SELECT a.user_id, a.manager_id, 0 FROM user_assignments a
           WHERE a.user_id = ${userId} AND a.valid_from <= ${date} AND (a.valid_to IS NULL OR a.valid_to > ${date})
          UNION ALL
          SELECT a.user_id, a.manager_id, c.level + 1 FROM chain c
            JOIN user_assignments a ON a.user_id = c.manager_id
             AND a.valid_from <= ${date} AND (a.valid_to IS NULL OR a.valid_to > ${date})
           WHERE c.level < 50
        )
        SELECT c.user_id, u.name_zh, u.name_en, a.unit_id, c.level FROM chain c
          JOIN users u ON u.id = c.user_id
          JOIN user_assignments a ON a.user_id = c.user_id AND a.valid_from <= ${date} AND (a.valid_to IS NULL OR a.valid_to > ${date})
         WHERE c.level > 0 ORDER BY c.level`,
  );
  const [home] = await queryRows<{ unit_id: string | null }>(
    db,
    sql`SELECT unit_id FROM user_assignments WHERE user_id = ${userId} AND valid_from <= ${date} AND (valid_to IS NULL OR valid_to > ${date})`,
  );
  const unitId = home?.unit_id ?? null;
  const units = unitId ? await getUnitAncestorsAsOf(db, unitId, date) : [];
  return {
    asOf: date,
    userId,
    unitId,
    managers: managers.map((m) => ({ userId: m.user_id, nameZh: m.name_zh, nameEn: m.name_en, unitId: m.unit_id, level: m.level })),
    units,
  };
}

export async function getUnitAncestorsAsOf(db: DbOrTx, unitId: string, date: string): Promise<ManagementChain['units']> {
  const rows = await queryRows<{ unit_id: string; kind: UnitRow['kind']; name_zh: string; name_en: string | null }>(
    db,
    sql`WITH RECURSIVE up(unit_id, parent_id, depth) AS (
          SELECT p.unit_id, p.parent_id, 0 FROM org_unit_parents p
           WHERE p.unit_id = ${unitId} AND p.valid_from <= ${date} AND (p.valid_to IS NULL OR p.valid_to > ${date})
          UNION ALL
          SELECT p.unit_id, p.parent_id, up.depth + 1 FROM up
            JOIN org_unit_parents p ON p.unit_id = up.parent_id
             AND p.valid_from <= ${date} AND (p.valid_to IS NULL OR p.valid_to > ${date})
           WHERE up.depth < 50
        )
        SELECT up.unit_id, o.kind, o.name_zh, o.name_en FROM up JOIN org_units o ON o.id = up.unit_id ORDER BY up.depth`,
  );
  return rows.map((r) => ({ unitId: r.unit_id, kind: r.kind, nameZh: r.name_zh, nameEn: r.name_en }));
}

/** Can the actor see this user? Used by the audit history of a record. */
export async function canReadUser(ctx: ServiceContext, id: string): Promise<boolean> {
  const scope = scopeFor(ctx.actor, OrgPermissions['users.read']);
  if (!scope) return false;
  const [row] = await ctx.db.select({ id: users.id, unitId: users.unitId }).from(users).where(eq(users.id, id));
  return !!row && isInScope(ctx.actor, scope, { ownerId: row.id, unitId: row.unitId });
}

/** Names of users by id, for display columns of other modules (audit actor names). */
export async function getUserNames(db: Db, ids: readonly string[]): Promise<Map<string, { nameZh: string; nameEn: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ id: string; name_zh: string; name_en: string | null }>(
    db,
    sql`SELECT id, name_zh, name_en FROM users WHERE id = ANY(${`{${[...new Set(ids)].join(',')}}`}::uuid[])`,
  );
  return new Map(rows.map((r) => [r.id, { nameZh: r.name_zh, nameEn: r.name_en }]));
}


export interface UserBrief {
  id: string;
  nameZh: string;
  nameEn: string | null;
  unitId: string | null;
  managerId: string | null;
  roles: readonly Role[];
  active: boolean;
}

/**
 * Today's placement and roles of some users, for other modules' services (owner's unit on a new
 * record, seniority on the relationship map). Unchecked: the caller decides what it may show.
 */
export async function getUserBriefs(db: DbOrTx, ids: readonly string[]): Promise<Map<string, UserBrief>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({
      id: users.id,
      nameZh: users.nameZh,
      nameEn: users.nameEn,
      unitId: users.unitId,
      managerId: users.managerId,
      roles: users.roles,
      active: users.active,
    })
    .from(users)
    .where(sql`${users.id} = ANY(${`{${[...new Set(ids)].join(',')}}`}::uuid[])`);
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * The seller's approval chain on a date, for quote approvals: the direct manager, the head of the
 * nearest department above the seller's unit (the director) and the head of the nearest business
 * group (the BG head); a unit without a recorded head falls back to the nearest manager up the
 * seller's line sitting in such a unit. A level is null when the org has nobody there or it would
 * be the seller.
 * Unchecked: the caller decides what it may show.
 */
export async function getApprovalChainAsOf(
  db: DbOrTx,
  userId: string,
  date: string,
): Promise<{ manager: string | null; director: string | null; bgHead: string | null }> {
  const chain = await getManagementChainAsOf(db, userId, date);
  const unitIds = chain.units.map((u) => u.unitId);
  const heads =
    unitIds.length === 0
      ? new Map<string, string | null>()
      : new Map(
          (
            await queryRows<{ id: string; head_user_id: string | null }>(
              db,
              sql`SELECT id, head_user_id FROM org_units WHERE id = ANY(${`{${unitIds.join(',')}}`}::uuid[])`,
            )
          ).map((r) => [r.id, r.head_user_id]),
        );
  const kindOf = new Map(chain.units.map((u) => [u.unitId, u.kind]));
  // The unit's recorded head; without one, the nearest manager up the line who sits in such a unit.
  const headOf = (kind: 'department' | 'business_group'): string | null => {
    for (const u of chain.units) {
      if (u.kind !== kind) continue;
      const head = heads.get(u.unitId) ?? null;
      if (head && head !== userId) return head;
    }
    return chain.managers.find((m) => m.unitId !== null && kindOf.get(m.unitId) === kind)?.userId ?? null;
  };
  const manager = chain.managers[0]?.userId ?? null;
  return { manager, director: headOf('department'), bgHead: headOf('business_group') };
}

/** Active users holding a role, for role-based approval steps. Unchecked. */
export async function listActiveUserIdsWithRole(db: DbOrTx, role: Role): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(db, sql`SELECT id FROM users WHERE active AND ${role} = ANY(roles) ORDER BY id`);
  return rows.map((r) => r.id);
}

/** The company (the root unit of today's tree): the seller on documents. Unchecked. */
export async function getCompanyName(db: DbOrTx): Promise<{ nameZh: string; nameEn: string | null }> {
  const [row] = await queryRows<{ name_zh: string; name_en: string | null }>(
    db,
    sql`SELECT name_zh, name_en FROM org_units WHERE kind = 'company' AND parent_id IS NULL AND active ORDER BY created_at LIMIT 1`,
  );
  return row ? { nameZh: row.name_zh, nameEn: row.name_en } : { nameZh: '', nameEn: null };
}

// ---------------------------------------------------------------------------------------------
// The company profile: the seller block of documents. One row (migration 0014 creates it empty);
// the names are the root unit's.

type CompanyProfileRow = typeof orgCompanyProfile.$inferSelect;

async function loadCompanyProfile(db: DbOrTx): Promise<CompanyProfileRow> {
  const [row] = await db.select().from(orgCompanyProfile).where(eq(orgCompanyProfile.id, COMPANY_PROFILE_ID));
  // Only a database migrated without 0014's insert lacks the row; read it as the empty profile.
  return (
    row ?? {
      id: COMPANY_PROFILE_ID,
      addressZh: '',
      addressEn: null,
      phone: '',
      email: null,
      website: null,
      taxId: null,
      bankName: null,
      bankAccount: null,
      version: 1,
      updatedAt: new Date(0),
      updatedBy: null,
    }
  );
}

function toCompanyProfile(row: CompanyProfileRow, names: { nameZh: string; nameEn: string | null }): CompanyProfile {
  return {
    nameZh: names.nameZh,
    nameEn: names.nameEn,
    addressZh: row.addressZh,
    addressEn: row.addressEn,
    phone: row.phone,
    email: row.email,
    website: row.website,
    taxId: row.taxId,
    bankName: row.bankName,
    bankAccount: row.bankAccount,
    version: row.version,
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
  };
}

/** The profile with the company's names, unchecked (documents print it for whoever may read the document). */
export async function readCompanyProfile(db: DbOrTx): Promise<CompanyProfile> {
  return toCompanyProfile(await loadCompanyProfile(db), await getCompanyName(db));
}

export async function getCompanyProfile(ctx: ServiceContext): Promise<CompanyProfile> {
  assertCan(ctx.actor, OrgPermissions['org.company_profile.read']);
  return readCompanyProfile(ctx.db);
}

/** Replace the profile's fields (admins). A credit-code-shaped tax id must carry its check character. */
export async function updateCompanyProfile(ctx: ServiceContext, body: UpdateCompanyProfileBody): Promise<CompanyProfile> {
  assertCan(ctx.actor, OrgPermissions['org.company_profile.write']);
  let taxId: string | null = null;
  if (body.taxId !== null) {
    const checked = checkTaxId(body.taxId);
    // The expected check character is not told: the typo is as likely anywhere else in the code.
    if (!checked.ok) throw new AppError(OrgErrors.invalid_tax_id, { errors: [{ path: 'taxId', message: 'v:tax_id_check_digit' }] });
    taxId = checked.value;
  }
  return withTx(ctx.db, async (tx) => {
    const before = await loadCompanyProfile(tx);
    if (before.version !== body.version) throw versionConflict(before.version);
    const [after] = await tx
      .update(orgCompanyProfile)
      .set({
        addressZh: body.addressZh,
        addressEn: body.addressEn,
        phone: body.phone,
        email: body.email,
        website: body.website,
        taxId,
        bankName: body.bankName,
        bankAccount: body.bankAccount,
        version: body.version + 1,
        updatedAt: ctx.now,
        updatedBy: ctx.actor.userId,
      })
      .where(and(eq(orgCompanyProfile.id, COMPANY_PROFILE_ID), eq(orgCompanyProfile.version, body.version)))
      .returning();
    if (!after) throw versionConflict(body.version + 1);
    await writeAudit(tx, source(ctx), {
      entityType: 'org_company_profile',
      entityId: COMPANY_PROFILE_ID,
      action: 'update',
      changes: diffRecords(before, after, ['version', 'updatedAt', 'updatedBy']),
    });
    return toCompanyProfile(after, await getCompanyName(tx));
  });
}
