import { and, asc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { assertCan, scopeFor, whereAll } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type Db, type DbOrTx, isUniqueViolation, withTx } from '../../platform/db.ts';
import { AppError, PlatformErrors, forbidden, notFound, versionConflict } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { getUserBriefs } from '../org/service.ts';
import type {
  CreateCustomFieldBody,
  CustomFieldDefinitionDto,
  CustomFieldDefinitionList,
  CustomFieldEntity,
  CustomFieldVersionBody,
  ListCustomFieldsQuery,
  UpdateCustomFieldBody,
} from './custom-field-contract.ts';
import { CustomFieldErrors } from './custom-field-errors.ts';
import {
  type CustomFieldDefinition,
  type CustomValues,
  type FieldIssue,
  buildCustomValuesSchema,
  customFieldSqlExpression,
  validateDefinition,
  validateDefinitionChange,
  validateDefinitionSet,
} from './custom-fields.ts';
import { CrmPermissions } from './permissions.ts';
import { customFieldDefinitions } from './schema.ts';

/**
 * Custom-field definitions (admins define them; everyone who reads the CRM reads them) and the
 * check of a record's `custom` object on write. Definitions are stored as custom-fields.ts parses
 * them, in `definition`; `archived_at` is the column of record for archiving and is mirrored into
 * the definition's `archived` flag when loaded. Archiving never touches the records: their values
 * stay in `custom` and come back with a restore.
 */

type DefinitionRow = typeof customFieldDefinitions.$inferSelect;

const SETTINGS = CrmPermissions['crm.settings.write'];

function source(ctx: ServiceContext) {
  return { actorId: ctx.actor.userId, requestId: ctx.requestId };
}

function definitionOf(row: DefinitionRow): CustomFieldDefinition {
  return { ...(row.definition as unknown as CustomFieldDefinition), archived: row.archivedAt !== null };
}

function toDto(row: DefinitionRow): CustomFieldDefinitionDto {
  const d = definitionOf(row);
  return {
    id: row.id,
    entity: row.entity,
    key: row.key,
    type: d.type,
    label: d.label,
    required: d.required,
    ...(d.options ? { options: d.options } : {}),
    ...(d.maxLength !== undefined ? { maxLength: d.maxLength } : {}),
    ...(d.currency !== undefined ? { currency: d.currency } : {}),
    sortable: d.sortable === true,
    position: row.position,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The stored definition (without the archived flag, whose truth is the column). */
function storedDefinition(d: CustomFieldDefinition): Record<string, unknown> {
  const { archived: _archived, ...rest } = d;
  void _archived;
  return rest;
}

function validation(issues: readonly FieldIssue[], prefix = ''): AppError {
  const errors = issues.map((i) => ({ path: prefix + i.path, message: i.message }));
  return new AppError(PlatformErrors.validation, { params: { count: errors.length }, errors });
}

/** Anyone with a CRM read grant: forms, lists and filters need the definitions. */
function assertCanReadDefinitions(ctx: ServiceContext): void {
  const canRead = scopeFor(ctx.actor, CrmPermissions['crm.accounts.read']) || scopeFor(ctx.actor, CrmPermissions['crm.opportunities.read']);
  if (!canRead) throw forbidden(CrmPermissions['crm.accounts.read']);
}

// ── Reads ───────────────────────────────────────────────────────────────────────────────────────

/**
 * Definitions are read by every create and update of a record (validation) and by filtered lists:
 * a few rows, cached per process for 5 s like the pipelines, dropped by this process's own
 * definition writes as soon as they commit. Another server process sees a change within the TTL.
 */
const DEFINITIONS_TTL_MS = 5_000;
const definitionsCache = new WeakMap<DbOrTx, Map<CustomFieldEntity, { at: number; defs: Promise<CustomFieldDefinition[]> }>>();

export function clearCustomFieldCache(db: DbOrTx): void {
  definitionsCache.delete(db);
}

/** Every definition of an entity, archived ones flagged, in form order (one small query, cached). */
export function loadCustomFieldDefinitions(db: DbOrTx, entity: CustomFieldEntity, nowMs = Date.now()): Promise<CustomFieldDefinition[]> {
  let byEntity = definitionsCache.get(db);
  const hit = byEntity?.get(entity);
  if (hit && nowMs - hit.at < DEFINITIONS_TTL_MS) return hit.defs;
  const defs = db
    .select()
    .from(customFieldDefinitions)
    .where(eq(customFieldDefinitions.entity, entity))
    .orderBy(asc(customFieldDefinitions.position), asc(customFieldDefinitions.key))
    .then((rows) => rows.map(definitionOf));
  if (!byEntity) definitionsCache.set(db, (byEntity = new Map()));
  byEntity.set(entity, { at: nowMs, defs });
  defs.catch(() => byEntity.delete(entity));
  return defs;
}

export async function listCustomFields(ctx: ServiceContext, q: ListCustomFieldsQuery): Promise<CustomFieldDefinitionList> {
  assertCanReadDefinitions(ctx);
  const rows = await ctx.db
    .select()
    .from(customFieldDefinitions)
    .where(
      whereAll(
        q.entity ? eq(customFieldDefinitions.entity, q.entity) : undefined,
        q.includeArchived ? undefined : sql`${customFieldDefinitions.archivedAt} IS NULL`,
      ),
    )
    .orderBy(asc(customFieldDefinitions.entity), asc(customFieldDefinitions.position), asc(customFieldDefinitions.key));
  return { items: rows.map(toDto) };
}

export async function getCustomField(ctx: ServiceContext, id: string): Promise<CustomFieldDefinitionDto> {
  assertCanReadDefinitions(ctx);
  const [row] = await ctx.db.select().from(customFieldDefinitions).where(eq(customFieldDefinitions.id, id));
  if (!row) throw notFound('custom field');
  return toDto(row);
}

// ── Sort indexes ────────────────────────────────────────────────────────────────────────────────

const TABLES = { account: 'crm_accounts', contact: 'crm_contacts', opportunity: 'crm_opportunities' } as const;
const SHORT = { account: 'acc', contact: 'con', opportunity: 'opp' } as const;

/** The two expression indexes of a sortable field (ascending and descending, values first): ≤ 56 characters. */
export function sortIndexNames(entity: CustomFieldEntity, key: string): { asc: string; desc: string } {
  return { asc: `cf_${SHORT[entity]}_${key}_idx`, desc: `cf_${SHORT[entity]}_${key}_desc_idx` };
}

async function createIndex(db: Db, name: string, ddlAfterName: string): Promise<void> {
  try {
    // CONCURRENTLY: the table stays writable while the index builds (seconds at a million rows).
    await db.execute(sql.raw(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ${ddlAfterName}`));
  } catch {
    // An interrupted concurrent build leaves an invalid index behind; PGlite has no concurrent builds.
    await db.execute(sql.raw(`DROP INDEX IF EXISTS ${name}`));
    await db.execute(sql.raw(`CREATE INDEX IF NOT EXISTS ${name} ${ddlAfterName}`));
  }
}

/**
 * Make the field's sort indexes match its definition: present while it is sortable and active,
 * absent otherwise. Runs after the definition's transaction (DDL CONCURRENTLY cannot run inside one);
 * a failure leaves sorts correct but slower, so it is reported in the result, not thrown.
 */
export async function syncSortIndexes(db: Db, d: CustomFieldDefinition): Promise<boolean> {
  const names = sortIndexNames(d.entity, d.key);
  try {
    if (d.sortable !== true || d.archived || d.type === 'multi_select') {
      for (const name of [names.asc, names.desc]) await db.execute(sql.raw(`DROP INDEX IF EXISTS ${name}`));
      return true;
    }
    const { text } = customFieldSqlExpression(`"${TABLES[d.entity]}"."custom"`, d);
    // Records without a value come last both ways (custom-field-query.ts), which one B-tree cannot
    // serve in both directions: one index per direction.
    await createIndex(db, names.asc, `ON ${TABLES[d.entity]} (${text}, id)`);
    await createIndex(db, names.desc, `ON ${TABLES[d.entity]} (${text} DESC NULLS LAST, id DESC)`);
    return true;
  } catch {
    return false;
  }
}

// ── Writes ──────────────────────────────────────────────────────────────────────────────────────

/** The cap on active fields per entity, with `candidate` as it would be stored. */
async function assertWithinCap(db: DbOrTx, candidate: CustomFieldDefinition, exceptId: string | null): Promise<void> {
  const rows = await db.select().from(customFieldDefinitions).where(eq(customFieldDefinitions.entity, candidate.entity));
  const set = [...rows.filter((r) => r.id !== exceptId).map(definitionOf), candidate];
  const issues = validateDefinitionSet(set).filter((i) => i.message === 'v:too_many_fields');
  if (issues.length > 0) throw validation([{ path: 'entity', message: 'v:too_many_fields' }]);
}

export async function createCustomField(ctx: ServiceContext, body: CreateCustomFieldBody): Promise<CustomFieldDefinitionDto> {
  assertCan(ctx.actor, SETTINGS);
  const { position, ...fields } = body;
  const parsed = validateDefinition({ ...fields, archived: false });
  if (!parsed.ok) throw validation(parsed.issues);
  const definition = parsed.definition;
  let created: CustomFieldDefinitionDto;
  try {
    created = await withTx(ctx.db, async (tx) => {
      const [taken] = await tx
        .select({ id: customFieldDefinitions.id })
        .from(customFieldDefinitions)
        .where(and(eq(customFieldDefinitions.entity, definition.entity), eq(customFieldDefinitions.key, definition.key)));
      if (taken) throw keyTaken(definition.key);
      await assertWithinCap(tx, definition, null);
      const [last] = await tx
        .select({ max: sql<number | null>`max(${customFieldDefinitions.position})` })
        .from(customFieldDefinitions)
        .where(eq(customFieldDefinitions.entity, definition.entity));
      const id = newId();
      const [row] = await tx
        .insert(customFieldDefinitions)
        .values({
          id,
          entity: definition.entity,
          key: definition.key,
          definition: storedDefinition(definition),
          position: position ?? (last?.max === null || last?.max === undefined ? 0 : Number(last.max) + 1),
          createdAt: ctx.now,
          updatedAt: ctx.now,
        })
        .returning();
      await writeAudit(tx, source(ctx), { entityType: 'custom_field', entityId: id, action: 'create', changes: diffRecords(null, row!) });
      return toDto(row!);
    });
  } catch (err) {
    // Two admins creating the same key at once: the unique index decides.
    if (isUniqueViolation(err, 'crm_custom_field_definitions_key')) throw keyTaken(definition.key);
    throw err;
  }
  clearCustomFieldCache(ctx.db);
  if (definition.sortable) await syncSortIndexes(ctx.db, definition);
  return created;
}

function keyTaken(key: string): AppError {
  return new AppError(CustomFieldErrors.custom_field_key_taken, { params: { key }, errors: [{ path: 'key', message: 'v:code_taken' }] });
}

export async function updateCustomField(ctx: ServiceContext, id: string, body: UpdateCustomFieldBody): Promise<CustomFieldDefinitionDto> {
  assertCan(ctx.actor, SETTINGS);
  const { dto, sortChange } = await withTx(ctx.db, async (tx) => {
    const [before] = await tx.select().from(customFieldDefinitions).where(eq(customFieldDefinitions.id, id)).for('update');
    if (!before) throw notFound('custom field');
    if (before.version !== body.version) throw versionConflict(before.version);
    const previous = definitionOf(before);
    const merged: Record<string, unknown> = { ...previous };
    for (const field of ['entity', 'key', 'type', 'label', 'required', 'options', 'sortable'] as const) {
      if (body[field] !== undefined) merged[field] = body[field];
    }
    if (body.currency !== undefined) merged['currency'] = body.currency ?? undefined;
    if (body.maxLength !== undefined) merged['maxLength'] = body.maxLength ?? undefined;
    const parsed = validateDefinition(merged);
    if (!parsed.ok) throw validation(parsed.issues);
    const changeIssues = validateDefinitionChange(previous, parsed.definition);
    if (changeIssues.length > 0) throw validation(changeIssues);
    const [after] = await tx
      .update(customFieldDefinitions)
      .set({
        definition: storedDefinition(parsed.definition),
        ...(body.position !== undefined ? { position: body.position } : {}),
        version: before.version + 1,
        updatedAt: ctx.now,
      })
      .where(and(eq(customFieldDefinitions.id, id), eq(customFieldDefinitions.version, body.version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    await writeAudit(tx, source(ctx), { entityType: 'custom_field', entityId: id, action: 'update', changes: diffRecords(before, after) });
    const sortableChanged = (previous.sortable === true) !== (parsed.definition.sortable === true);
    return { dto: toDto(after), sortChange: sortableChanged ? definitionOf(after) : null };
  });
  clearCustomFieldCache(ctx.db);
  if (sortChange) await syncSortIndexes(ctx.db, sortChange);
  return dto;
}

/**
 * Archive (or restore) a field. Records keep their values either way: archived, the field leaves
 * the forms, is refused in writes (read-only) and filters; restored, it is back with every value.
 */
export async function setCustomFieldArchived(
  ctx: ServiceContext,
  id: string,
  body: CustomFieldVersionBody,
  archived: boolean,
): Promise<CustomFieldDefinitionDto> {
  assertCan(ctx.actor, SETTINGS);
  const { dto, changed } = await withTx(ctx.db, async (tx): Promise<{ dto: CustomFieldDefinitionDto; changed: CustomFieldDefinition | null }> => {
    const [before] = await tx.select().from(customFieldDefinitions).where(eq(customFieldDefinitions.id, id)).for('update');
    if (!before) throw notFound('custom field');
    if (before.version !== body.version) throw versionConflict(before.version);
    if ((before.archivedAt !== null) === archived) return { dto: toDto(before), changed: null };
    if (!archived) await assertWithinCap(tx, { ...definitionOf(before), archived: false }, id);
    const [after] = await tx
      .update(customFieldDefinitions)
      .set({ archivedAt: archived ? ctx.now : null, version: before.version + 1, updatedAt: ctx.now })
      .where(and(eq(customFieldDefinitions.id, id), eq(customFieldDefinitions.version, body.version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    await writeAudit(tx, source(ctx), {
      entityType: 'custom_field',
      entityId: id,
      action: archived ? 'archive' : 'restore',
      changes: diffRecords(before, after),
    });
    return { dto: toDto(after), changed: definitionOf(after) };
  });
  clearCustomFieldCache(ctx.db);
  // An archived field is not sortable: its indexes go, and come back with a restore.
  if (changed?.sortable) await syncSortIndexes(ctx.db, changed);
  return dto;
}

// ── Values on write ─────────────────────────────────────────────────────────────────────────────

function issuesOf(error: z.ZodError): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out.push({ path: [...base, k].join('.'), message: 'v:unknown_field' });
    } else {
      out.push({ path: base.join('.'), message: issue.message });
    }
  }
  return out;
}

/**
 * The `custom` object to store for a create (`previous` null) or an update, checked against the
 * entity's definitions like a built-in field: 400 with `custom.<key>` paths; a user reference must
 * name an existing user (422). An update that does not send `custom` keeps the stored object
 * without a query.
 */
export async function resolveCustomValues(
  db: DbOrTx,
  entity: CustomFieldEntity,
  input: Record<string, unknown> | undefined,
  previous: Readonly<CustomValues> | null,
): Promise<CustomValues> {
  if (input === undefined && previous !== null) return { ...previous };
  const definitions = await loadCustomFieldDefinitions(db, entity);
  if (definitions.length === 0 && (input === undefined || Object.keys(input).length === 0)) return { ...(previous ?? {}) };
  const res = buildCustomValuesSchema(definitions, { previous }).safeParse(input ?? {});
  if (!res.success) throw validation(issuesOf(res.error), 'custom.');
  const values = res.data;
  // Users named by a changed user reference must exist (an unchanged one may name someone since removed).
  const refs = definitions
    .filter((d) => d.type === 'user_ref' && !d.archived)
    .map((d) => d.key)
    .filter((k) => typeof values[k] === 'string' && values[k] !== previous?.[k]);
  if (refs.length > 0) {
    const briefs = await getUserBriefs(db, [...new Set(refs.map((k) => values[k] as string))]);
    const missing = refs.filter((k) => !briefs.has(values[k] as string));
    if (missing.length > 0) {
      throw new AppError(PlatformErrors.reference_invalid, { errors: missing.map((k) => ({ path: `custom.${k}`, message: 'v:uuid' })) });
    }
  }
  return values;
}
