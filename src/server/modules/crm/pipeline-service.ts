import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { assertCan, can } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type Db, type DbOrTx, type Tx, withTx } from '../../platform/db.ts';
import { AppError, PlatformErrors, forbidden, notFound, versionConflict } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { CreatePipelineBody, ListPipelinesQuery, Pipeline, PipelineList, UpdatePipelineBody } from './opportunity-contract.ts';
import { OpportunityErrors, rule } from './opportunity-errors.ts';
import { getTeamAccountIds } from './crm-access.ts';
import { CrmPermissions } from './permissions.ts';
import { DEFAULT_PIPELINE, type PipelineDefinition, assertValidPipelineDefinition } from './pipeline.ts';
import { opportunities, pipelines } from './schema.ts';

/**
 * Pipelines: admins write them (crm.settings.write), everyone who reads the CRM reads them. The
 * definitions are validated by pipeline.ts. Deals need their pipeline on every write and list (the
 * effective forecast category depends on the stage's kind), so the few rows are cached per process
 * for a few seconds and dropped at once when this process changes one.
 */

type PipelineRow = typeof pipelines.$inferSelect;

export interface LoadedPipeline {
  row: PipelineRow;
  definition: PipelineDefinition;
}

const CACHE_TTL_MS = 5_000;
const cache = new WeakMap<DbOrTx, { at: number; byId: Promise<Map<string, LoadedPipeline>> }>();

export function clearPipelineCache(db: DbOrTx): void {
  cache.delete(db);
}

/** Every pipeline (active or not), by id, from the per-process cache. Unchecked: callers authorize. */
export function loadPipelines(db: Db, nowMs = Date.now()): Promise<Map<string, LoadedPipeline>> {
  const hit = cache.get(db);
  if (hit && nowMs - hit.at < CACHE_TTL_MS) return hit.byId;
  const byId = db
    .select()
    .from(pipelines)
    .then((rows) => new Map(rows.map((row) => [row.id, { row, definition: row.definition as unknown as PipelineDefinition }])));
  cache.set(db, { at: nowMs, byId });
  byId.catch(() => cache.delete(db));
  return byId;
}

/** The pipeline a deal is created in: the one named (active), or the default. 422 with the field otherwise. */
export async function resolvePipeline(db: Db, pipelineId: string | undefined): Promise<LoadedPipeline> {
  const all = await loadPipelines(db);
  const found = pipelineId ? all.get(pipelineId) : [...all.values()].find((p) => p.row.isDefault && p.row.active);
  if (!found || !found.row.active) {
    throw new AppError(PlatformErrors.reference_invalid, { errors: [{ path: 'pipelineId', message: pipelineId ? 'v:uuid' : 'v:required' }] });
  }
  return found;
}

export function toPipeline(row: PipelineRow): Pipeline {
  return {
    id: row.id,
    key: row.key,
    nameZh: row.nameZh,
    nameEn: row.nameEn,
    unitId: row.unitId,
    definition: row.definition as unknown as Pipeline['definition'],
    isDefault: row.isDefault,
    active: row.active,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Anyone who reads accounts or deals reads the pipelines (their stages label everything): by a role,
 * or by sitting on an account team (sharing gives people without CRM roles the team's deals).
 */
export async function assertCanReadPipelines(ctx: Pick<ServiceContext, 'db' | 'actor'>): Promise<void> {
  if (can(ctx.actor, CrmPermissions['crm.opportunities.read']) || can(ctx.actor, CrmPermissions['crm.accounts.read'])) return;
  if ((await getTeamAccountIds(ctx.db, ctx.actor)).length > 0) return;
  throw forbidden(CrmPermissions['crm.opportunities.read']);
}

export async function listPipelines(ctx: ServiceContext, q: ListPipelinesQuery): Promise<PipelineList> {
  await assertCanReadPipelines(ctx);
  const rows = await ctx.db
    .select()
    .from(pipelines)
    .where(q.includeInactive ? undefined : eq(pipelines.active, true))
    .orderBy(sql`${pipelines.isDefault} DESC`, asc(pipelines.nameZh), asc(pipelines.id));
  return { items: rows.map(toPipeline) };
}

async function loadPipelineRow(db: DbOrTx, id: string): Promise<PipelineRow> {
  const [row] = await db.select().from(pipelines).where(eq(pipelines.id, id));
  if (!row) throw notFound('pipeline');
  return row;
}

export async function getPipeline(ctx: ServiceContext, id: string): Promise<Pipeline> {
  await assertCanReadPipelines(ctx);
  return toPipeline(await loadPipelineRow(ctx.db, id));
}

export async function canReadPipeline(ctx: ServiceContext, id: string): Promise<boolean> {
  try {
    await assertCanReadPipelines(ctx);
  } catch {
    return false;
  }
  const [row] = await ctx.db.select({ id: pipelines.id }).from(pipelines).where(eq(pipelines.id, id));
  return !!row;
}

function source(ctx: ServiceContext) {
  return { actorId: ctx.actor.userId, requestId: ctx.requestId };
}

function validated(definition: CreatePipelineBody['definition']): PipelineDefinition {
  const def = definition as PipelineDefinition;
  rule(() => assertValidPipelineDefinition(def));
  return def;
}

/** Only one default: making one the default clears the flag on the others (versioned and audited). */
async function clearOtherDefaults(tx: Tx, ctx: ServiceContext, keepId: string): Promise<void> {
  const others = await tx
    .update(pipelines)
    .set({ isDefault: false, version: sql`${pipelines.version} + 1`, updatedAt: ctx.now })
    .where(and(eq(pipelines.isDefault, true), ne(pipelines.id, keepId)))
    .returning({ id: pipelines.id });
  await writeAudit(
    tx,
    source(ctx),
    others.map((o) => ({ entityType: 'pipeline', entityId: o.id, action: 'update', changes: { isDefault: [true, false] } })),
  );
}

export async function createPipeline(ctx: ServiceContext, body: CreatePipelineBody): Promise<Pipeline> {
  assertCan(ctx.actor, CrmPermissions['crm.settings.write']);
  const definition = validated(body.definition);
  try {
    return await withTx(ctx.db, async (tx) => {
      const id = newId();
      const [row] = await tx
        .insert(pipelines)
        .values({
          id,
          key: body.key,
          nameZh: body.nameZh,
          nameEn: body.nameEn ?? null,
          unitId: body.unitId ?? null,
          definition: definition as unknown as Record<string, unknown>,
          isDefault: body.isDefault,
          createdAt: ctx.now,
          updatedAt: ctx.now,
        })
        .returning();
      if (body.isDefault) await clearOtherDefaults(tx, ctx, id);
      await writeAudit(tx, source(ctx), { entityType: 'pipeline', entityId: id, action: 'create', changes: diffRecords(null, row!) });
      return toPipeline(row!);
    });
  } finally {
    clearPipelineCache(ctx.db);
  }
}

export async function updatePipeline(ctx: ServiceContext, id: string, body: UpdatePipelineBody): Promise<Pipeline> {
  assertCan(ctx.actor, CrmPermissions['crm.settings.write']);
  const definition = body.definition ? validated(body.definition) : undefined;
  try {
    return await withTx(ctx.db, async (tx) => {
      const before = await loadPipelineRow(tx, id);
      if (before.version !== body.version) throw versionConflict(before.version);
      if (body.active === false && (before.isDefault || body.isDefault)) {
        throw new AppError(OpportunityErrors.invalid_pipeline, { params: { count: 1 }, errors: [{ path: 'active', message: 'v:default_pipeline_active' }] });
      }
      if (definition) {
        // A stage that still holds deals cannot disappear: they would sit in a stage nobody can see.
        const kept = new Set(definition.stages.map((s) => s.key));
        const removed = (before.definition as unknown as PipelineDefinition).stages.map((s) => s.key).filter((k) => !kept.has(k));
        if (removed.length > 0) {
          const [used] = await tx
            .select({ stage: opportunities.stageKey, n: sql<number>`count(*)::int` })
            .from(opportunities)
            .where(and(eq(opportunities.pipelineId, id), sql`${opportunities.stageKey} = ANY(${`{${removed.join(',')}}`}::text[])`))
            .groupBy(opportunities.stageKey)
            .limit(1);
          if (used) {
            throw new AppError(OpportunityErrors.stage_in_use, {
              params: { stage: used.stage, count: used.n },
              errors: [{ path: 'definition.stages', message: 'v:stage_in_use' }],
            });
          }
        }
      }
      const [after] = await tx
        .update(pipelines)
        .set({
          ...(body.nameZh !== undefined ? { nameZh: body.nameZh } : {}),
          ...(body.nameEn !== undefined ? { nameEn: body.nameEn } : {}),
          ...(body.unitId !== undefined ? { unitId: body.unitId } : {}),
          ...(definition ? { definition: definition as unknown as Record<string, unknown> } : {}),
          ...(body.isDefault ? { isDefault: true } : {}),
          ...(body.active !== undefined ? { active: body.active } : {}),
          version: before.version + 1,
          updatedAt: ctx.now,
        })
        .where(and(eq(pipelines.id, id), eq(pipelines.version, body.version)))
        .returning();
      if (!after) throw versionConflict(before.version + 1);
      if (body.isDefault && !before.isDefault) await clearOtherDefaults(tx, ctx, id);
      await writeAudit(tx, source(ctx), { entityType: 'pipeline', entityId: id, action: 'update', changes: diffRecords(before, after) });
      return toPipeline(after);
    });
  } finally {
    clearPipelineCache(ctx.db);
  }
}

/** The key of the pipeline every new company starts with (seeded, not migrated: admins may change it). */
export const DEFAULT_PIPELINE_KEY = 'to_b_solution';

/**
 * Seed the default To-B pipeline unless the key exists; returns its id. Idempotent, no audit (it is
 * part of setting up the company, like the demo org).
 */
export async function ensureDefaultPipeline(tx: DbOrTx, now: Date = new Date()): Promise<string> {
  const [existing] = await tx.select({ id: pipelines.id }).from(pipelines).where(eq(pipelines.key, DEFAULT_PIPELINE_KEY));
  if (existing) return existing.id;
  const [anyDefault] = await tx.select({ id: pipelines.id }).from(pipelines).where(eq(pipelines.isDefault, true)).limit(1);
  const id = newId();
  await tx.insert(pipelines).values({
    id,
    key: DEFAULT_PIPELINE_KEY,
    nameZh: '解决方案销售',
    nameEn: 'To-B solution sales',
    definition: JSON.parse(JSON.stringify(DEFAULT_PIPELINE)) as Record<string, unknown>,
    isDefault: !anyDefault,
    createdAt: now,
    updatedAt: now,
  });
  return id;
}
