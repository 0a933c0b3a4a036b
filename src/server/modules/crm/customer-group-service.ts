import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { assertCan, whereAll } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type DbOrTx, type Tx, withTx } from '../../platform/db.ts';
import { AppError, PlatformErrors, notFound, versionConflict } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type {
  CreateCustomerGroupBody,
  CustomerGroup,
  CustomerGroupNode,
  CustomerGroupTree,
  UpdateCustomerGroupBody,
} from './account-contract.ts';
import { AccountErrors } from './account-errors.ts';
import { wouldCreateCycle } from './account-hierarchy.ts';
import { auditSource } from './account-service.ts';
import { CrmPermissions } from './permissions.ts';
import { customerGroups } from './schema.ts';

/**
 * Customer groups: a small tree of segments (政府 → 省级政府, 金融 → 银行…) that pricing rules and
 * reports speak of. Reference data: every signed-in user reads it; only admins change it.
 */

type GroupRow = typeof customerGroups.$inferSelect;

function toGroup(row: GroupRow): CustomerGroup {
  return {
    id: row.id,
    code: row.code,
    nameZh: row.nameZh,
    nameEn: row.nameEn,
    parentId: row.parentId,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The whole tree, roots and children ordered by code. A loop in the data (written around the service) is cut. */
export async function listCustomerGroups(ctx: ServiceContext): Promise<CustomerGroupTree> {
  void ctx.actor; // signed in is enough: customer groups are reference data
  const rows = await ctx.db.select().from(customerGroups).orderBy(asc(customerGroups.code), asc(customerGroups.id));
  const ids = new Set(rows.map((r) => r.id));
  const children = new Map<string | null, GroupRow[]>();
  for (const r of rows) {
    const parent = r.parentId && ids.has(r.parentId) ? r.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const placed = new Set<string>();
  const build = (r: GroupRow): CustomerGroupNode => {
    placed.add(r.id);
    return { ...toGroup(r), children: (children.get(r.id) ?? []).filter((c) => !placed.has(c.id)).map(build) };
  };
  return { items: (children.get(null) ?? []).map(build) };
}

export async function getCustomerGroup(ctx: ServiceContext, id: string): Promise<CustomerGroup> {
  void ctx.actor;
  const [row] = await ctx.db.select().from(customerGroups).where(eq(customerGroups.id, id));
  if (!row) throw notFound('customer group');
  return toGroup(row);
}

export async function canReadCustomerGroup(ctx: ServiceContext, id: string): Promise<boolean> {
  const [row] = await ctx.db.select({ id: customerGroups.id }).from(customerGroups).where(eq(customerGroups.id, id));
  return !!row;
}

async function assertCodeFree(db: DbOrTx, code: string, exceptId: string | null): Promise<void> {
  const [taken] = await db
    .select({ id: customerGroups.id })
    .from(customerGroups)
    .where(whereAll(sql`lower(${customerGroups.code}) = lower(${code})`, exceptId ? ne(customerGroups.id, exceptId) : undefined));
  if (taken) throw new AppError(AccountErrors.customer_group_code_taken, { errors: [{ path: 'code', message: 'v:code_taken' }] });
}

/** The parent must exist and must not be the group itself or below it (checked on the whole, small tree). */
async function assertGroupParent(tx: Tx, id: string, parentId: string | null): Promise<void> {
  if (!parentId) return;
  // Serializes concurrent moves, which could otherwise build a loop between them.
  await tx.execute(sql`SELECT pg_advisory_xact_lock(7317102)`);
  const all = await tx.select({ id: customerGroups.id, parentId: customerGroups.parentId }).from(customerGroups);
  const parents = new Map(all.map((r) => [r.id, r.parentId]));
  if (!parents.has(parentId)) {
    throw new AppError(PlatformErrors.reference_invalid, { errors: [{ path: 'parentId', message: 'v:uuid' }] });
  }
  if (wouldCreateCycle(id, parentId, (x) => parents.get(x))) {
    throw new AppError(AccountErrors.customer_group_cycle, { errors: [{ path: 'parentId', message: 'v:customer_group_cycle' }] });
  }
}

export async function createCustomerGroup(ctx: ServiceContext, body: CreateCustomerGroupBody): Promise<CustomerGroup> {
  assertCan(ctx.actor, CrmPermissions['crm.settings.write']);
  return withTx(ctx.db, async (tx) => {
    const id = newId();
    await assertCodeFree(tx, body.code, null);
    await assertGroupParent(tx, id, body.parentId);
    const [row] = await tx
      .insert(customerGroups)
      .values({ id, code: body.code, nameZh: body.nameZh, nameEn: body.nameEn ?? null, parentId: body.parentId, createdAt: ctx.now, updatedAt: ctx.now })
      .returning();
    await writeAudit(tx, auditSource(ctx), { entityType: 'customer_group', entityId: id, action: 'create', changes: diffRecords(null, row!) });
    return toGroup(row!);
  });
}

export async function updateCustomerGroup(ctx: ServiceContext, id: string, body: UpdateCustomerGroupBody): Promise<CustomerGroup> {
  assertCan(ctx.actor, CrmPermissions['crm.settings.write']);
  return withTx(ctx.db, async (tx) => {
    const [before] = await tx.select().from(customerGroups).where(eq(customerGroups.id, id)).for('update');
    if (!before) throw notFound('customer group');
    if (before.version !== body.version) throw versionConflict(before.version);
    if (body.code !== undefined && body.code !== before.code) await assertCodeFree(tx, body.code, id);
    if (body.parentId !== undefined && body.parentId !== before.parentId) await assertGroupParent(tx, id, body.parentId);
    const [after] = await tx
      .update(customerGroups)
      .set({
        ...(body.code !== undefined ? { code: body.code } : {}),
        ...(body.nameZh !== undefined ? { nameZh: body.nameZh } : {}),
        ...(body.nameEn !== undefined ? { nameEn: body.nameEn } : {}),
        ...(body.parentId !== undefined ? { parentId: body.parentId } : {}),
        version: before.version + 1,
        updatedAt: ctx.now,
      })
      .where(and(eq(customerGroups.id, id), eq(customerGroups.version, body.version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    await writeAudit(tx, auditSource(ctx), { entityType: 'customer_group', entityId: id, action: 'update', changes: diffRecords(before, after) });
    return toGroup(after);
  });
}
