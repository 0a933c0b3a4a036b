import { and, asc, desc, eq, or, sql, type SQL } from 'drizzle-orm';
import { assertCan, scopeFor } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type DbOrTx, queryRows, withTx } from '../../platform/db.ts';
import { AppError, PlatformErrors, forbidden, notFound, versionConflict } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { getUserBriefs } from '../org/service.ts';
import { auditSource } from './account-service.ts';
import { CrmPermissions } from './permissions.ts';
import { savedViews } from './schema.ts';
import { customFieldListSql } from './custom-field-query.ts';
import { normalizeViewDefinition, parseViewDefinition, viewPathOfQueryPath } from './view.ts';
import type { CreateViewBody, ListViewsQuery, SavedView, SavedViewList, UpdateViewBody, ViewDefinition, ViewEntity } from './view-contract.ts';

/**
 * Saved views of the CRM lists. A view is private to its owner or shared with one org unit; a
 * shared view reaches everyone whose home unit lies in that unit's subtree (today's tree). Only
 * the owner changes or deletes a view (an admin may too); others' private views do not exist for
 * the caller (404). One may share to a unit one belongs to (one's home unit or any unit above it)
 * or a unit one heads, or below it; admins to any unit.
 */

type ViewRow = typeof savedViews.$inferSelect;

const idArray = (ids: readonly string[]) => `{${ids.join(',')}}`;

/** Admins (scope `all`) manage every view; everyone else their own. */
function isViewAdmin(ctx: Pick<ServiceContext, 'actor'>): boolean {
  return scopeFor(ctx.actor, CrmPermissions['crm.views.write']) === 'all';
}

/** Views the actor sees: their own, and those shared to their home unit or a unit above it. */
function visibleCondition(ctx: Pick<ServiceContext, 'actor'>): SQL {
  const mine = eq(savedViews.ownerId, ctx.actor.userId);
  if (!ctx.actor.unitId) return mine;
  const shared = sql`${savedViews.sharedUnitId} IN (SELECT ancestor_id FROM org_unit_closure WHERE descendant_id = ${ctx.actor.unitId})`;
  return or(mine, shared)!;
}

async function unitNames(db: DbOrTx, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ id: string; name_zh: string }>(
    db,
    sql`SELECT id, name_zh FROM org_units WHERE id = ANY(${idArray([...new Set(ids)])}::uuid[])`,
  );
  return new Map(rows.map((r) => [r.id, r.name_zh]));
}

async function toViews(ctx: Pick<ServiceContext, 'db' | 'actor'>, rows: readonly ViewRow[]): Promise<SavedView[]> {
  const owners = await getUserBriefs(ctx.db, rows.map((r) => r.ownerId));
  const units = await unitNames(
    ctx.db,
    rows.flatMap((r) => (r.sharedUnitId ? [r.sharedUnitId] : [])),
  );
  return rows.map((r) => ({
    id: r.id,
    entity: r.entity,
    name: r.name,
    ownerId: r.ownerId,
    ownerName: owners.get(r.ownerId)?.nameZh ?? null,
    sharedUnitId: r.sharedUnitId,
    sharedUnitName: r.sharedUnitId ? (units.get(r.sharedUnitId) ?? null) : null,
    definition: r.definition as SavedView['definition'],
    mine: r.ownerId === ctx.actor.userId,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  }));
}

async function toView(ctx: Pick<ServiceContext, 'db' | 'actor'>, row: ViewRow): Promise<SavedView> {
  const [view] = await toViews(ctx, [row]);
  return view!;
}

// ── Reads ───────────────────────────────────────────────────────────────────────────────────────

/** My views of an entity first, then those shared with me, each by name. */
export async function listViews(ctx: ServiceContext, q: ListViewsQuery): Promise<SavedViewList> {
  const rows = await ctx.db
    .select()
    .from(savedViews)
    .where(and(eq(savedViews.entity, q.entity), visibleCondition(ctx)))
    .orderBy(desc(sql`${savedViews.ownerId} = ${ctx.actor.userId}`), asc(savedViews.name), asc(savedViews.id))
    .limit(500);
  return { items: await toViews(ctx, rows) };
}

/** A view the actor may see (an admin sees every view), or 404. */
async function getVisibleView(db: DbOrTx, ctx: Pick<ServiceContext, 'actor'>, id: string, lock = false): Promise<ViewRow> {
  const where = isViewAdmin(ctx) ? eq(savedViews.id, id) : and(eq(savedViews.id, id), visibleCondition(ctx));
  const query = db.select().from(savedViews).where(where);
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound('saved_view');
  return row;
}

/** For the audit history of a view: the same rule as reading it. */
export async function canReadSavedView(ctx: ServiceContext, id: string): Promise<boolean> {
  try {
    await getVisibleView(ctx.db, ctx, id);
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === PlatformErrors.not_found) return false;
    throw err;
  }
}

// ── Checks ──────────────────────────────────────────────────────────────────────────────────────

const CUSTOM_COLUMNS: Record<ViewEntity, string> = {
  account: '"crm_accounts"."custom"',
  contact: '"crm_contacts"."custom"',
  opportunity: '"crm_opportunities"."custom"',
};

/**
 * 400 unless the list would accept the view's query: its schema (view.ts), then its custom-field
 * filters and sort against the entity's definitions, by the lists' own check (paths mapped from
 * `query.*` to `definition.*`).
 */
async function assertDefinition(ctx: ServiceContext, entity: ViewEntity, definition: ViewDefinition): Promise<void> {
  const res = parseViewDefinition(entity, definition, ctx.actor.locale);
  if (!res.ok) throw new AppError(PlatformErrors.validation, { errors: res.errors, params: { count: res.errors.length } });
  try {
    await customFieldListSql(ctx.db, entity, CUSTOM_COLUMNS[entity], res.query.customFilters, res.query.sort);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== PlatformErrors.validation) throw err;
    const errors = (err.options.errors ?? []).map((e) => ({ ...e, path: viewPathOfQueryPath(e.path) }));
    throw new AppError(PlatformErrors.validation, { errors, params: { count: errors.length } });
  }
}

/**
 * May the actor share with this unit? 422 for an unknown unit; 403 unless the unit is their home
 * unit or above it (they belong to it), or at or below a unit they head. Admins share anywhere.
 */
async function assertCanShareTo(ctx: ServiceContext, unitId: string): Promise<void> {
  const [row] = await queryRows<{ known: boolean; allowed: boolean }>(
    ctx.db,
    sql`SELECT EXISTS (SELECT 1 FROM org_units WHERE id = ${unitId} AND active) AS known,
               ${ctx.actor.unitId ?? null}::uuid IS NOT NULL AND EXISTS (
                 SELECT 1 FROM org_unit_closure WHERE ancestor_id = ${unitId} AND descendant_id = ${ctx.actor.unitId ?? null}::uuid)
               OR EXISTS (
                 SELECT 1 FROM org_unit_closure c JOIN org_units u ON u.id = c.ancestor_id
                  WHERE c.descendant_id = ${unitId} AND u.head_user_id = ${ctx.actor.userId} AND u.active) AS allowed`,
  );
  if (!row?.known) throw new AppError(PlatformErrors.reference_invalid, { errors: [{ path: 'sharedUnitId', message: 'v:uuid' }] });
  if (!row.allowed && !isViewAdmin(ctx)) throw forbidden(CrmPermissions['crm.views.write']);
}

/** Only the owner, or an admin, changes a view the actor can see. */
function assertOwnsView(ctx: ServiceContext, row: ViewRow): void {
  if (row.ownerId !== ctx.actor.userId && !isViewAdmin(ctx)) throw forbidden(CrmPermissions['crm.views.write']);
}

// ── Writes ──────────────────────────────────────────────────────────────────────────────────────

export async function createView(ctx: ServiceContext, body: CreateViewBody): Promise<SavedView> {
  assertCan(ctx.actor, CrmPermissions['crm.views.write']);
  await assertDefinition(ctx, body.entity, body.definition);
  if (body.sharedUnitId) await assertCanShareTo(ctx, body.sharedUnitId);
  const row = await withTx(ctx.db, async (tx) => {
    const id = newId();
    const [inserted] = await tx
      .insert(savedViews)
      .values({
        id,
        entity: body.entity,
        name: body.name,
        ownerId: ctx.actor.userId,
        sharedUnitId: body.sharedUnitId ?? null,
        definition: normalizeViewDefinition(body.definition),
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning();
    await writeAudit(tx, auditSource(ctx), { entityType: 'saved_view', entityId: id, action: 'create', changes: diffRecords(null, inserted!) });
    return inserted!;
  });
  return toView(ctx, row);
}

export async function updateView(ctx: ServiceContext, id: string, body: UpdateViewBody): Promise<SavedView> {
  assertCan(ctx.actor, CrmPermissions['crm.views.write']);
  const current = await getVisibleView(ctx.db, ctx, id);
  assertOwnsView(ctx, current);
  if (body.definition) await assertDefinition(ctx, current.entity, body.definition);
  if (body.sharedUnitId && body.sharedUnitId !== current.sharedUnitId) await assertCanShareTo(ctx, body.sharedUnitId);
  const row = await withTx(ctx.db, async (tx) => {
    const before = await getVisibleView(tx, ctx, id, true);
    if (before.version !== body.version) throw versionConflict(before.version);
    const [after] = await tx
      .update(savedViews)
      .set({
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.definition !== undefined ? { definition: normalizeViewDefinition(body.definition) } : {}),
        ...(body.sharedUnitId !== undefined ? { sharedUnitId: body.sharedUnitId } : {}),
        version: before.version + 1,
        updatedAt: ctx.now,
      })
      .where(and(eq(savedViews.id, id), eq(savedViews.version, body.version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    await writeAudit(tx, auditSource(ctx), { entityType: 'saved_view', entityId: id, action: 'update', changes: diffRecords(before, after) });
    return after;
  });
  return toView(ctx, row);
}

export async function deleteView(ctx: ServiceContext, id: string, version: number): Promise<void> {
  assertCan(ctx.actor, CrmPermissions['crm.views.write']);
  const current = await getVisibleView(ctx.db, ctx, id);
  assertOwnsView(ctx, current);
  await withTx(ctx.db, async (tx) => {
    const before = await getVisibleView(tx, ctx, id, true);
    if (before.version !== version) throw versionConflict(before.version);
    await tx.delete(savedViews).where(eq(savedViews.id, id));
    await writeAudit(tx, auditSource(ctx), { entityType: 'saved_view', entityId: id, action: 'delete', changes: diffRecords(before, null) });
  });
}
