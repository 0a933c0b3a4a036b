import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../shared/api.ts';
import type { Locale } from '../../../shared/i18n/resources.ts';
import { localDate } from '../../../shared/dates.ts';
import { type Currency, DEFAULT_CURRENCY } from '../../../shared/money.ts';
import { COMPANY_TIME_ZONE } from '../org/service.ts';
import { assertCan, isInScope, scopeCondition, scopeFor, whereAll } from '../../platform/access.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type Db, type DbOrTx, queryRows, withTx } from '../../platform/db.ts';
import { AppError, forbidden, notFound, versionConflict } from '../../platform/errors.ts';
import { toProblem } from '../../platform/http.ts';
import { translate } from '../../platform/i18n.ts';
import { newId } from '../../platform/ids.ts';
import { decodeCursor, encodeCursor, timestampCursorValue, toPage } from '../../platform/pagination.ts';
import type { CreateAccountBody, CreateContactBody, UpdateAccountBody, UpdateContactBody } from './account-contract.ts';
import { SIMILAR_NAME_THRESHOLD, accountNameKeySql } from './account-names.ts';
import { AccountErrors } from './account-errors.ts';
import { createAccount, findSimilarAccounts, updateAccount } from './account-service.ts';
import { createContact, updateContact } from './contact-service.ts';
import { accountReadFilter } from './crm-access.ts';
import { loadCustomFieldDefinitions } from './custom-field-service.ts';
import type { CustomFieldDefinition } from './custom-fields.ts';
import {
  type CommitImportBody,
  type CreateImportBody,
  type DedupeMode,
  type DryRunBody,
  type ErrorReportQuery,
  type ImportEntity,
  type ImportJob,
  type ImportJobPage,
  type ImportReport,
  type ImportResult,
  type ImportRowError,
  type ListImportsQuery,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
} from './import-contract.ts';
import { ImportErrors } from './import-errors.ts';
import {
  CUSTOM_PREFIX,
  type RowRecord,
  UTF8_BOM,
  accountDedupeKey,
  checkMapping,
  contactDedupeKeys,
  csvLines,
  decodeText,
  detectFormat,
  fieldInfo,
  nameKey,
  opportunityDedupeKey,
  parseCsv,
  parseXlsx,
  specsOf,
  suggestMapping,
  toRecord,
  toTable,
  toUpdateBody,
  xlsxBuffer,
} from './import.ts';
import type { CreateOpportunityBody, UpdateOpportunityBody } from './opportunity-contract.ts';
import { createOpportunity, rateOn, updateOpportunity } from './opportunity-service.ts';
import { getStage, isStageTransitionAllowed } from './pipeline.ts';
import { loadPipelines } from './pipeline-service.ts';
import { CrmPermissions } from './permissions.ts';
import { accounts, contacts, importJobs, opportunities } from './schema.ts';
import { validateUscc } from '../../../shared/uscc.ts';

/**
 * CSV/XLSX import of accounts, contacts and deals: upload (decode, parse, suggest a mapping), dry
 * run (every row through the API's schema, references resolved, duplicates found in the file and
 * in the database; nothing written) and commit (batches of BATCH_SIZE rows, each one transaction
 * in which every record goes through the same service function as the API: access, audit, events).
 * A failed batch rolls back alone; the job ends `failed` saying how many rows the earlier batches
 * wrote. The commit runs in the background of the request that starts it; the job's `updatedAt`
 * is its heartbeat (set when the commit starts and after every batch). A server that stops
 * mid-import leaves the job `running`: the next start, or the next read of the job, ends a job
 * whose heartbeat is older than INTERRUPTED_AFTER_MS as `failed` (crm.import_interrupted, with the
 * rows the committed batches wrote); a dry run with dedupe `skip` and a commit then resume it.
 */

export type ImportContext = ServiceContext & { locale: Locale };
type JobRow = typeof importJobs.$inferSelect;

export const BATCH_SIZE = 500;

/** What the importer must be allowed to do for each entity (the service functions check it again per row). */
const CREATE_ACTION: Record<ImportEntity, string> = {
  account: CrmPermissions['crm.accounts.create'],
  contact: CrmPermissions['crm.accounts.write'],
  opportunity: CrmPermissions['crm.opportunities.write'],
};
const IMPORT = CrmPermissions['crm.imports'];

interface PlanItem {
  /** Index into the job's rows. */
  i: number;
  line: number;
  action: 'create' | 'update' | 'skip' | 'invalid';
  targetId?: string;
  accountId?: string;
  ownerId?: string;
  body?: Record<string, unknown>;
  input?: Record<string, unknown>;
  /** The dry run warned that the name is similar to another account's: written with confirmSimilar when the commit confirms. */
  similar?: boolean;
}

// ── Mapping out ─────────────────────────────────────────────────────────────────────────────────

type Definitions = readonly CustomFieldDefinition[];

/** The entity's custom fields: importable as `custom.<key>` columns. */
function definitionsOf(db: DbOrTx, entity: ImportEntity): Promise<CustomFieldDefinition[]> {
  return loadCustomFieldDefinitions(db, entity);
}

function toJob(row: JobRow, defs: Definitions): ImportJob {
  return {
    id: row.id,
    entity: row.entity,
    status: row.status,
    fileName: row.fileName,
    format: row.format,
    encoding: row.encoding,
    columns: row.columns,
    sample: row.rows.slice(0, 5).map((r) => r.cells),
    rowCount: row.rowCount,
    suggestedMapping: suggestMapping(row.entity, row.columns, defs),
    fields: fieldInfo(row.entity, defs),
    mapping: row.mapping ?? null,
    dedupe: row.dedupe ?? null,
    report: (row.report as ImportReport | null) ?? null,
    result: (row.result as ImportResult | null) ?? null,
    processed: row.processed,
    total: row.total,
    ownerId: row.ownerId,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

function localize(locale: Locale, message: string): string {
  return message.startsWith('v:') ? (translate(locale, 'validation', message.slice(2)) ?? message.slice(2)) : message;
}

// ── Visibility ──────────────────────────────────────────────────────────────────────────────────

/** Jobs are their importer's; a manager whose import scope covers the importer's unit reads them too. */
function jobFilter(ctx: Pick<ServiceContext, 'actor'>): SQL | undefined {
  const scope = scopeFor(ctx.actor, IMPORT);
  if (!scope) return eq(importJobs.ownerId, ctx.actor.userId);
  return scopeCondition(ctx.actor, scope, { ownerId: importJobs.ownerId, unitId: importJobs.unitId });
}

async function loadJob(ctx: Pick<ServiceContext, 'db' | 'actor'>, id: string): Promise<JobRow> {
  const [row] = await ctx.db
    .select()
    .from(importJobs)
    .where(whereAll(eq(importJobs.id, id), jobFilter(ctx)));
  if (!row) throw notFound('import');
  return row;
}

/** Only the importer runs their job's dry run and commit (others who can see it get 403). */
async function loadOwnJob(ctx: ImportContext, id: string, version: number): Promise<JobRow> {
  const row = await loadJob(ctx, id);
  if (row.ownerId !== ctx.actor.userId) throw forbidden(IMPORT);
  if (row.version !== version) throw versionConflict(row.version);
  return row;
}

export async function canReadImport(ctx: ServiceContext, id: string): Promise<boolean> {
  const [row] = await ctx.db
    .select({ id: importJobs.id })
    .from(importJobs)
    .where(whereAll(eq(importJobs.id, id), jobFilter(ctx)));
  return !!row;
}

export async function getImport(ctx: ServiceContext & { locale?: Locale }, id: string): Promise<ImportJob> {
  let row = await loadJob(ctx, id);
  if (row.status === 'running' && (await failInterruptedImports(ctx.db, { ids: [id], ...(ctx.locale ? { locale: ctx.locale } : {}) })) > 0) {
    row = await loadJob(ctx, id);
  }
  return toJob(row, await definitionsOf(ctx.db, row.entity));
}

export async function listImports(ctx: ServiceContext & { locale?: Locale }, q: ListImportsQuery): Promise<ImportJobPage> {
  await failInterruptedImports(ctx.db, { ownerId: ctx.actor.userId, ...(ctx.locale ? { locale: ctx.locale } : {}) });
  let after: SQL | undefined;
  if (q.cursor) {
    const [at, id] = decodeCursor('imports', q.cursor, 2);
    after = sql`(${importJobs.createdAt}, ${importJobs.id}) < (${String(at)}::timestamptz, ${String(id)})`;
  }
  const rows = await ctx.db
    .select({ job: importJobs, at: timestampCursorValue(importJobs.createdAt) })
    .from(importJobs)
    // The caller's own jobs: a manager reads a rep's job by its id, not in their own list.
    .where(whereAll(eq(importJobs.ownerId, ctx.actor.userId), after))
    .orderBy(desc(importJobs.createdAt), desc(importJobs.id))
    .limit(q.limit + 1);
  const defs = new Map<ImportEntity, Definitions>();
  for (const e of new Set(rows.map((r) => r.job.entity))) defs.set(e, await definitionsOf(ctx.db, e));
  const page: Page<ImportJob> = toPage(
    rows,
    q.limit,
    (r) => toJob(r.job, defs.get(r.job.entity)!),
    (r) => encodeCursor('imports', [r.at, r.job.id]),
  );
  return { nextCursor: page.nextCursor, items: page.items.map(({ report: _r, sample: _s, ...rest }) => rest) };
}

// ── Upload ──────────────────────────────────────────────────────────────────────────────────────

function fileInvalid(reason: string, params: Record<string, string | number> = {}): AppError {
  return new AppError(ImportErrors.import_file_invalid, { params: { reason, ...params }, extra: { reason } });
}

export async function createImport(ctx: ImportContext, body: CreateImportBody): Promise<ImportJob> {
  assertCan(ctx.actor, IMPORT);
  assertCan(ctx.actor, CREATE_ACTION[body.entity]);
  const base64 = body.contentBase64.replace(/^data:[^,]*,/, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) {
    throw new AppError(ImportErrors.import_file_invalid, {
      params: { reason: 'base64' },
      extra: { reason: 'base64' },
      errors: [{ path: 'contentBase64', message: 'v:base64' }],
    });
  }
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) throw fileInvalid('empty');
  if (bytes.length > MAX_IMPORT_BYTES) throw fileInvalid('too_large', { max: MAX_IMPORT_BYTES });
  const format = detectFormat(bytes);
  let raw: string[][];
  let encoding: string;
  if (format === 'xlsx') {
    try {
      raw = await parseXlsx(bytes);
    } catch {
      throw fileInvalid('xlsx');
    }
    encoding = 'xlsx';
  } else {
    if (/\.xls$/i.test(body.fileName) || (bytes[0] === 0xd0 && bytes[1] === 0xcf)) throw fileInvalid('xls');
    const decoded = decodeText(bytes);
    if (!decoded.ok) {
      const tried = decoded.tried.map((e) => e.toUpperCase()).join(', ');
      throw new AppError(ImportErrors.import_encoding, {
        params: { tried },
        extra: { triedEncodings: decoded.tried, reason: decoded.reason },
        errors: [{ path: 'contentBase64', message: 'v:import_encoding' }],
      });
    }
    raw = parseCsv(decoded.text);
    encoding = decoded.encoding;
  }
  const table = toTable(raw);
  if (!table || table.rows.length === 0) throw fileInvalid('empty');
  if (table.rows.length > MAX_IMPORT_ROWS) throw fileInvalid('too_many_rows', { max: MAX_IMPORT_ROWS });
  const id = newId();
  const defs = await definitionsOf(ctx.db, body.entity);
  return withTx(ctx.db, async (tx) => {
    const [row] = await tx
      .insert(importJobs)
      .values({
        id,
        entity: body.entity,
        ownerId: ctx.actor.userId,
        unitId: ctx.actor.unitId,
        status: 'uploaded',
        fileName: body.fileName,
        format,
        encoding,
        columns: table.columns,
        rows: table.rows,
        rowCount: table.rows.length,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning();
    await writeAudit(tx, { actorId: ctx.actor.userId, requestId: ctx.requestId }, {
      entityType: 'import_job',
      entityId: id,
      action: 'create',
      changes: { entity: [null, body.entity], fileName: [null, body.fileName], encoding: [null, encoding], rowCount: [null, table.rows.length] },
    });
    return toJob(row!, defs);
  });
}

// ── Dry run ─────────────────────────────────────────────────────────────────────────────────────

interface UserHit {
  id: string;
  email: string;
  name_zh: string;
  unit_id: string | null;
  active: boolean;
}

/** Owners named by email (any case) or by their exact Chinese name; a name two people share is ambiguous. */
async function resolveOwners(db: Db, refs: readonly string[]): Promise<Map<string, UserHit[]>> {
  const out = new Map<string, UserHit[]>();
  if (refs.length === 0) return out;
  const arr = (xs: readonly string[]) => `{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
  const rows = await queryRows<UserHit>(
    db,
    sql`SELECT id, email, name_zh, unit_id, active FROM users
         WHERE lower(email) = ANY(${arr(refs.map((r) => r.toLowerCase()))}::text[]) OR name_zh = ANY(${arr(refs)}::text[])`,
  );
  for (const ref of refs) {
    const hits = rows.filter((r) => r.email.toLowerCase() === ref.toLowerCase());
    out.set(ref, hits.length > 0 ? hits : rows.filter((r) => r.name_zh === ref));
  }
  return out;
}

const textArray = (xs: readonly string[]) => `{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

interface AccountHit {
  id: string;
  nameZh: string;
  uscc: string | null;
  ownerId: string;
  unitId: string;
  archivedAt: Date | null;
  key: string;
}

/** Accounts the caller can see named by USCC or by name (compared as account names are: width, case, spaces). */
async function resolveAccounts(ctx: ServiceContext, refs: readonly string[]): Promise<Map<string, AccountHit[]>> {
  const out = new Map<string, AccountHit[]>();
  if (refs.length === 0) return out;
  const usccs = new Map<string, string>();
  for (const r of refs) {
    const v = validateUscc(r);
    if (v.ok) usccs.set(r, v.code);
  }
  const keys = refs.map((r) => nameKey(r));
  const filter = await accountReadFilter(ctx);
  const keyExpr = accountNameKeySql(accounts.nameZh);
  const rows = await ctx.db
    .select({
      id: accounts.id,
      nameZh: accounts.nameZh,
      uscc: accounts.uscc,
      ownerId: accounts.ownerId,
      unitId: accounts.unitId,
      archivedAt: accounts.archivedAt,
      key: keyExpr,
    })
    .from(accounts)
    .where(
      whereAll(
        filter,
        sql`(${accounts.uscc} = ANY(${textArray([...usccs.values()])}::text[]) OR ${keyExpr} = ANY(${textArray(keys)}::text[]))`,
      ),
    );
  for (const r of refs) {
    const code = usccs.get(r);
    const byCode = code ? rows.filter((a) => a.uscc === code) : [];
    const k = nameKey(r);
    const hits = byCode.length > 0 ? byCode : rows.filter((a) => a.key === k);
    // An archived account is only chosen when nothing live matches.
    const live = hits.filter((h) => !h.archivedAt);
    out.set(r, live.length > 0 ? live : hits);
  }
  return out;
}

interface Analysis {
  report: ImportReport;
  plan: PlanItem[];
}

/**
 * Existing similar accounts per name (same normalized name, or trigram similarity at
 * SIMILAR_NAME_THRESHOLD or more: the account service's rule), one query per chunk. A rename
 * leaves its own account out (`exceptId`).
 */
async function similarAccounts(db: Db, wanted: readonly { name: string; exceptId: string | null }[]): Promise<Map<string, { id: string; nameZh: string }>> {
  const out = new Map<string, { id: string; nameZh: string }>();
  const unique = [...new Map(wanted.map((w) => [`${w.exceptId ?? ''}|${w.name}`, w])).values()];
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const rows = await queryRows<{ name: string; except_id: string; id: string; name_zh: string }>(
      db,
      sql`SELECT n.name, n.except_id, a.id, a.name_zh
            FROM unnest(${textArray(chunk.map((c) => c.name))}::text[], ${textArray(chunk.map((c) => c.exceptId ?? ''))}::text[]) AS n(name, except_id)
            JOIN LATERAL (
              SELECT id, name_zh FROM crm_accounts
               WHERE archived_at IS NULL AND id::text <> n.except_id
                 AND (${accountNameKeySql(sql`name_zh`)} = ${accountNameKeySql(sql`n.name`)}
                      OR (name_zh % n.name AND similarity(name_zh, n.name) >= ${SIMILAR_NAME_THRESHOLD}))
               ORDER BY similarity(name_zh, n.name) DESC, id LIMIT 1) a ON true`,
    );
    for (const r of rows) out.set(`${r.except_id}|${r.name}`, { id: r.id, nameZh: r.name_zh });
  }
  return out;
}

/**
 * For each name of the file (in commit order), the index of the first earlier name the account
 * service would find similar once that one is written: the same normalized name, or trigram
 * similarity at SIMILAR_NAME_THRESHOLD or more. The trigram pairs come from a trigram index on a
 * temporary table, so a large file is not compared pair by pair.
 */
async function similarWithinFile(db: Db, names: readonly string[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const firstByKey = new Map<string, number>();
  names.forEach((name, i) => {
    const key = nameKey(name);
    const first = firstByKey.get(key);
    if (first === undefined) firstByKey.set(key, i);
    else out.set(i, first);
  });
  if (names.length < 2) return out;
  const pairs = await withTx(db, async (tx) => {
    await tx.execute(sql`CREATE TEMP TABLE crm_import_names (ord int NOT NULL, name text NOT NULL) ON COMMIT DROP`);
    for (let i = 0; i < names.length; i += 5000) {
      const chunk = names.slice(i, i + 5000);
      await tx.execute(sql`INSERT INTO crm_import_names (ord, name)
                            SELECT (n.ord - 1 + ${i})::int, n.name FROM unnest(${textArray(chunk)}::text[]) WITH ORDINALITY AS n(name, ord)`);
    }
    // Nearest earlier name by trigram distance (a GiST index answers it without comparing every pair).
    await tx.execute(sql`CREATE INDEX ON crm_import_names USING gist (name gist_trgm_ops)`);
    await tx.execute(sql`ANALYZE crm_import_names`);
    return queryRows<{ later: number; earlier: number }>(
      tx as unknown as Db,
      sql`SELECT b.ord AS later, m.ord AS earlier
            FROM crm_import_names b
            CROSS JOIN LATERAL (
              SELECT a.ord, a.name FROM crm_import_names a WHERE a.ord < b.ord ORDER BY a.name <-> b.name LIMIT 1) m
           WHERE similarity(m.name, b.name) >= ${SIMILAR_NAME_THRESHOLD}`,
    );
  });
  for (const p of pairs) {
    const later = Number(p.later);
    const earlier = Number(p.earlier);
    const known = out.get(later);
    if (known === undefined || earlier < known) out.set(later, earlier);
  }
  return out;
}

async function analyze(ctx: ImportContext, job: JobRow, mapping: Record<string, string>, dedupe: DedupeMode, defs: Definitions): Promise<Analysis> {
  const entity = job.entity;
  const locale = ctx.locale;
  const errors: ImportRowError[] = [];
  const specs = new Map(specsOf(entity, defs).map((s) => [s.field, s]));
  const add = (line: number, field: string | null, severity: ImportRowError['severity'], code: string, message: string) =>
    errors.push({ row: line, field, column: field ? (mapping[field] ?? null) : null, severity, code, message: localize(locale, message) });

  const records: RowRecord[] = job.rows.map((r) => toRecord(entity, mapping, job.columns, r.cells, { locale, defaultCurrency: DEFAULT_CURRENCY, custom: defs }));
  const plan: PlanItem[] = job.rows.map((r, i) => ({ i, line: r.line, action: records[i]!.body ? 'create' : 'invalid' }));
  records.forEach((rec, i) => {
    for (const issue of rec.issues) add(job.rows[i]!.line, specs.has(issue.field) ? issue.field : null, 'error', issue.code, issue.message);
  });

  // Owners (accounts and deals): an active, placed person the importer may give the record to.
  if (entity !== 'contact') {
    const refs = [...new Set(records.map((r) => r.refs.owner).filter((x): x is string => !!x))];
    const owners = await resolveOwners(ctx.db, refs);
    const createScope = assertCan(ctx.actor, CREATE_ACTION[entity]);
    records.forEach((rec, i) => {
      const ref = rec.refs.owner;
      if (!ref) return;
      const item = plan[i]!;
      const hits = owners.get(ref) ?? [];
      const fail = (code: string) => {
        add(item.line, 'owner', 'error', code, `v:${code}`);
        item.action = 'invalid';
      };
      if (hits.length === 0) return fail('import_owner_unknown');
      if (hits.length > 1) return fail('import_owner_ambiguous');
      const u = hits[0]!;
      if (!u.active || !u.unit_id) return fail('active_placed_user');
      if (!isInScope(ctx.actor, createScope, { ownerId: u.id, unitId: u.unit_id })) return fail('import_owner_scope');
      item.ownerId = u.id;
    });
  }

  // People named by user-reference custom fields, by email or name.
  const userRefs = [...new Set(records.flatMap((r) => Object.values(r.refs.users ?? {})))];
  if (userRefs.length > 0) {
    const people = await resolveOwners(ctx.db, userRefs);
    records.forEach((rec, i) => {
      for (const [key, ref] of Object.entries(rec.refs.users ?? {})) {
        const hits = people.get(ref) ?? [];
        if (hits.length === 1) {
          for (const target of [rec.input, rec.body]) {
            if (target?.['custom']) (target['custom'] as Record<string, unknown>)[key] = hits[0]!.id;
          }
        } else {
          const code = hits.length === 0 ? 'import_owner_unknown' : 'import_owner_ambiguous';
          add(plan[i]!.line, `${CUSTOM_PREFIX}${key}`, 'error', code, `v:${code}`);
          plan[i]!.action = 'invalid';
        }
      }
    });
  }

  // People named by id in user-reference custom fields must exist (the service checks it at commit).
  const userRefKeys = defs.filter((d) => d.type === 'user_ref' && !d.archived).map((d) => d.key);
  if (userRefKeys.length > 0) {
    const byId = (rec: RowRecord, key: string) => {
      const v = (rec.input['custom'] as Record<string, unknown> | undefined)?.[key];
      return typeof v === 'string' && !rec.refs.users?.[key] && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) ? v : undefined;
    };
    const ids = [...new Set(records.flatMap((rec) => userRefKeys.map((k) => byId(rec, k)).filter((x): x is string => !!x)))];
    if (ids.length > 0) {
      const found = new Set(
        (await queryRows<{ id: string }>(ctx.db, sql`SELECT id FROM users WHERE id = ANY(${`{${ids.join(',')}}`}::uuid[])`)).map((r) => r.id),
      );
      records.forEach((rec, i) => {
        for (const key of userRefKeys) {
          const id = byId(rec, key);
          if (!id || found.has(id) || plan[i]!.action === 'invalid') continue;
          add(plan[i]!.line, `${CUSTOM_PREFIX}${key}`, 'error', 'import_owner_unknown', 'v:import_owner_unknown');
          plan[i]!.action = 'invalid';
        }
      });
    }
  }

  // The account of a contact or a deal: one the importer can see (and, for contacts, change).
  if (entity !== 'account') {
    const refs = [...new Set(records.map((r) => r.refs.account).filter((x): x is string => !!x))];
    const found = await resolveAccounts(ctx, refs);
    const writeScope = entity === 'contact' ? scopeFor(ctx.actor, CrmPermissions['crm.accounts.write']) : null;
    records.forEach((rec, i) => {
      const ref = rec.refs.account;
      const item = plan[i]!;
      const fail = (code: string) => {
        add(item.line, 'account', 'error', code, `v:${code}`);
        item.action = 'invalid';
      };
      if (!ref) return fail('required');
      const hits = found.get(ref) ?? [];
      if (hits.length === 0) return fail('import_account_unknown');
      if (hits.length > 1) return fail('import_account_ambiguous');
      const a = hits[0]!;
      if (a.archivedAt) return fail('account_archived');
      if (entity === 'contact' && (!writeScope || !isInScope(ctx.actor, writeScope, a))) return fail('import_account_readonly');
      item.accountId = a.id;
    });
  }

  // Duplicates, in the file (a later row repeats an earlier one) and in the database.
  const existing = await existingKeys(ctx, entity, records, plan);
  /** The current name of each record a row will update (plan index → name). */
  const targetNames = new Map<number, string>();
  const firstInFile = new Map<string, number>();
  let duplicates = 0;
  records.forEach((rec, i) => {
    const item = plan[i]!;
    if (item.action === 'invalid' || !rec.body) return;
    const keys = dedupeKeys(entity, rec.body, item.accountId);
    const earlier = keys.map((k) => firstInFile.get(k)).find((x) => x !== undefined);
    const dbHit = keys.map((k) => existing.get(k)).find((x) => x !== undefined);
    for (const k of keys) if (!firstInFile.has(k)) firstInFile.set(k, item.line);
    const field = entity === 'account' ? 'uscc' : 'name';
    if (earlier !== undefined) {
      duplicates++;
      if (dedupe === 'fail') {
        item.action = 'invalid';
        add(item.line, field, 'error', 'import_duplicate_in_file', `${localize(locale, 'v:import_duplicate_in_file')} (${earlier})`);
      } else {
        item.action = 'skip';
        add(item.line, field, 'info', 'import_duplicate_in_file', `${localize(locale, 'v:import_duplicate_in_file')} (${earlier})`);
      }
      return;
    }
    if (dbHit) {
      duplicates++;
      const named = `${localize(locale, 'v:import_duplicate_existing')}: ${dbHit.name}`;
      if (dedupe === 'fail') {
        item.action = 'invalid';
        add(item.line, field, 'error', entity === 'account' ? 'uscc_taken' : 'import_duplicate_existing', named);
      } else if (dedupe === 'skip') {
        item.action = 'skip';
        add(item.line, field, 'info', 'import_duplicate_existing', named);
      } else if (!dbHit.writable) {
        item.action = 'invalid';
        add(item.line, field, 'error', 'import_duplicate_readonly', `${localize(locale, 'v:import_duplicate_readonly')}: ${dbHit.name}`);
      } else {
        item.action = 'update';
        item.targetId = dbHit.id;
        targetNames.set(item.i, dbHit.name);
        add(item.line, field, 'info', 'import_will_update', `${localize(locale, 'v:import_will_update')}: ${dbHit.name}`);
      }
    }
  });

  // What the services check at commit, checked now for every row that will be written.
  for (const item of plan) {
    if (item.action !== 'update') continue;
    if (!toUpdateBody(entity, records[item.i]!.input, 1).ok) {
      add(item.line, null, 'error', 'import_update_invalid', 'v:import_update_invalid');
      item.action = 'invalid';
    }
  }
  if (entity === 'opportunity') await checkDeals(ctx, plan, records, add);
  // Similar account names: a warning the importer confirms at commit (as confirmSimilar does in the API).
  if (entity === 'account') await checkSimilarNames(ctx, plan, records, targetNames, add);

  for (const item of plan) {
    const rec = records[item.i]!;
    if (item.action === 'create') item.body = rec.body!;
    if (item.action === 'update') item.input = rec.input;
  }
  errors.sort((a, b) => a.row - b.row);
  const invalid = plan.filter((p) => p.action === 'invalid').length;
  return {
    plan,
    report: {
      valid: plan.length - invalid,
      invalid,
      duplicates,
      warnings: errors.filter((e) => e.severity === 'warning').length,
      toCreate: plan.filter((p) => p.action === 'create').length,
      toUpdate: plan.filter((p) => p.action === 'update').length,
      toSkip: plan.filter((p) => p.action === 'skip').length,
      errors,
    },
  };
}

type AddFinding = (line: number, field: string | null, severity: ImportRowError['severity'], code: string, message: string) => void;

/**
 * The account service refuses a name similar to another account's unless confirmed: a new account,
 * or a rename that is more than a change of spelling. Such a row gets a warning when its name is
 * similar to a stored account's (not the one it renames) or to a name an earlier row of the file
 * writes (that account exists by the time the row is written). A warned row is the one the commit
 * writes with confirmSimilar.
 */
async function checkSimilarNames(
  ctx: ImportContext,
  plan: PlanItem[],
  records: RowRecord[],
  targetNames: ReadonlyMap<number, string>,
  add: AddFinding,
): Promise<void> {
  const writers: { item: PlanItem; name: string }[] = [];
  for (const item of plan) {
    if (item.action === 'create') writers.push({ item, name: String(records[item.i]!.body!['nameZh']) });
    if (item.action === 'update') {
      const name = records[item.i]!.input['nameZh'];
      const before = targetNames.get(item.i);
      if (typeof name === 'string' && before !== undefined && nameKey(name) !== nameKey(before)) writers.push({ item, name });
    }
  }
  if (writers.length === 0) return;
  const wanted = writers.map((w) => ({ name: w.name, exceptId: w.item.action === 'update' ? w.item.targetId! : null }));
  const stored = await similarAccounts(ctx.db, wanted);
  const inFile = await similarWithinFile(ctx.db, writers.map((w) => w.name));
  writers.forEach((w, k) => {
    const hit = stored.get(`${wanted[k]!.exceptId ?? ''}|${w.name}`);
    const earlier = inFile.get(k);
    if (hit) add(w.item.line, 'nameZh', 'warning', 'similar_account', `${localize(ctx.locale, 'v:similar_account')}: ${hit.nameZh}`);
    else if (earlier !== undefined) {
      const e = writers[earlier]!;
      add(w.item.line, 'nameZh', 'warning', 'similar_account', `${localize(ctx.locale, 'v:similar_account')}: ${e.name} (${e.item.line})`);
    }
    if (hit || earlier !== undefined) w.item.similar = true;
  });
}

/**
 * What the deal service checks at commit beyond the body's schema, against the stored pipeline
 * and rates: the stage is one of the default pipeline's (for an update: one the deal may move to,
 * a lost deal keeping its loss reason), a closed stage's fixed probability, an exchange rate for
 * the currency.
 */
async function checkDeals(ctx: ImportContext, plan: PlanItem[], records: RowRecord[], add: AddFinding): Promise<void> {
  const writing = plan.filter((p) => p.action === 'create' || p.action === 'update');
  if (writing.length === 0) return;
  const fail = (item: PlanItem, field: string, code: string) => {
    add(item.line, field, 'error', code, `v:${code}`);
    item.action = 'invalid';
  };
  const pipelinesById = await loadPipelines(ctx.db);
  const defaultPipeline = [...pipelinesById.values()].find((p) => p.row.isDefault && p.row.active);
  const targetIds = writing.filter((p) => p.action === 'update').map((p) => p.targetId!);
  const targets = new Map<string, { pipelineId: string; stageKey: string; lossReason: string | null; createdAt: Date; currency: string }>();
  if (targetIds.length > 0) {
    const rows = await ctx.db
      .select({ id: opportunities.id, pipelineId: opportunities.pipelineId, stageKey: opportunities.stageKey, lossReason: opportunities.lossReason, createdAt: opportunities.createdAt, currency: opportunities.currency })
      .from(opportunities)
      .where(sql`${opportunities.id} = ANY(${`{${targetIds.join(',')}}`}::uuid[])`);
    for (const r of rows) targets.set(r.id, r);
  }
  const rates = new Map<string, boolean>();
  const hasRate = async (currency: string, onDate: string): Promise<boolean> => {
    const key = `${currency}|${onDate}`;
    if (!rates.has(key)) {
      rates.set(
        key,
        await rateOn(ctx.db, currency as Currency, onDate).then(
          () => true,
          () => false,
        ),
      );
    }
    return rates.get(key)!;
  };
  const companyDate = (d: Date) => localDate(d, COMPANY_TIME_ZONE);
  const today = companyDate(ctx.now);
  for (const item of writing) {
    const input = records[item.i]!.input;
    const target = item.action === 'update' ? targets.get(item.targetId!) : undefined;
    const def = item.action === 'update' ? (target ? pipelinesById.get(target.pipelineId)?.definition : undefined) : defaultPipeline?.definition;
    if (!def) {
      fail(item, 'stageKey', 'unknown_stage');
      continue;
    }
    const from = target?.stageKey ?? null;
    const given = typeof input['stageKey'] === 'string' ? input['stageKey'] : undefined;
    const to = given ?? from ?? (def.stages.find((st) => st.kind === 'open') ?? def.stages[0]!).key;
    const stage = getStage(def, to);
    if (!stage) {
      fail(item, 'stageKey', 'unknown_stage');
      continue;
    }
    if (!isStageTransitionAllowed(def, from, to)) fail(item, 'stageKey', 'stage_transition');
    // No loss-reason column: a deal can only be imported into the lost stage when it is there already.
    else if (stage.kind === 'lost' && from !== to && !target?.lossReason?.trim()) fail(item, 'stageKey', 'import_lost_stage');
    const probability = input['probability'];
    if (stage.kind !== 'open' && typeof probability === 'number' && probability !== stage.probability) {
      fail(item, 'probability', stage.kind === 'won' ? 'won_probability' : 'lost_probability');
    }
    const amount = input['amount'] as { currency?: unknown } | undefined;
    const currency = typeof amount?.currency === 'string' ? amount.currency : undefined;
    if (currency && (!target || currency !== target.currency)) {
      const onDate = target ? companyDate(target.createdAt) : today;
      if (!(await hasRate(currency, onDate))) fail(item, 'currency', 'no_exchange_rate');
    }
  }
}

function dedupeKeys(entity: ImportEntity, body: Record<string, unknown>, accountId: string | undefined): string[] {
  if (entity === 'account') {
    const k = accountDedupeKey(body);
    return k ? [k] : [];
  }
  if (!accountId) return [];
  if (entity === 'contact') return contactDedupeKeys(accountId, body);
  return [opportunityDedupeKey(accountId, String(body['name']))];
}

interface Existing {
  id: string;
  name: string;
  writable: boolean;
}

/** Dedupe keys of the records already stored that the file's rows could repeat. */
async function existingKeys(ctx: ImportContext, entity: ImportEntity, records: RowRecord[], plan: PlanItem[]): Promise<Map<string, Existing>> {
  const out = new Map<string, Existing>();
  if (entity === 'account') {
    const codes = [...new Set(records.map((r) => (r.body ? accountDedupeKey(r.body) : null)).filter((x): x is string => !!x))];
    if (codes.length === 0) return out;
    const writeScope = scopeFor(ctx.actor, CrmPermissions['crm.accounts.write']);
    // Every account with the code counts (archived or outside the caller's scope too: the code is unique).
    const rows = await ctx.db
      .select({ id: accounts.id, nameZh: accounts.nameZh, uscc: accounts.uscc, ownerId: accounts.ownerId, unitId: accounts.unitId, archivedAt: accounts.archivedAt })
      .from(accounts)
      .where(sql`${accounts.uscc} = ANY(${textArray(codes)}::text[])`);
    const filter = await accountReadFilter(ctx);
    const visible = new Set(
      (
        await ctx.db
          .select({ id: accounts.id })
          .from(accounts)
          .where(whereAll(filter, sql`${accounts.uscc} = ANY(${textArray(codes)}::text[])`))
      ).map((r) => r.id),
    );
    for (const r of rows) {
      const writable = !!writeScope && visible.has(r.id) && !r.archivedAt && isInScope(ctx.actor, writeScope, r);
      out.set(r.uscc!, { id: r.id, name: r.nameZh, writable });
    }
    return out;
  }
  const accountIds = [...new Set(plan.map((p) => p.accountId).filter((x): x is string => !!x))];
  if (accountIds.length === 0) return out;
  const ids = `{${accountIds.join(',')}}`;
  if (entity === 'contact') {
    // The account was checked writable when it was resolved, so its contacts are.
    const rows = await ctx.db
      .select({ id: contacts.id, accountId: contacts.accountId, name: contacts.name, phones: contacts.phones, emails: contacts.emails })
      .from(contacts)
      .where(sql`${contacts.accountId} = ANY(${ids}::uuid[])`);
    for (const r of rows) {
      for (const k of contactDedupeKeys(r.accountId, { name: r.name, phones: r.phones, emails: r.emails })) {
        if (!out.has(k)) out.set(k, { id: r.id, name: r.name, writable: true });
      }
    }
    return out;
  }
  const writeScope = scopeFor(ctx.actor, CrmPermissions['crm.opportunities.write']);
  const rows = await ctx.db
    .select({ id: opportunities.id, accountId: opportunities.accountId, name: opportunities.name, number: opportunities.number, ownerId: opportunities.ownerId, unitId: opportunities.unitId })
    .from(opportunities)
    .where(sql`${opportunities.accountId} = ANY(${ids}::uuid[])`);
  for (const r of rows) {
    const k = opportunityDedupeKey(r.accountId, r.name);
    if (!out.has(k)) out.set(k, { id: r.id, name: `${r.number} ${r.name}`, writable: !!writeScope && isInScope(ctx.actor, writeScope, r) });
  }
  return out;
}

export async function dryRunImport(ctx: ImportContext, id: string, body: DryRunBody): Promise<ImportJob> {
  const job = await loadOwnJob(ctx, id, body.version);
  // A failed job may be checked again: with dedupe=skip the rows its earlier batches wrote are found as duplicates.
  if (job.status !== 'uploaded' && job.status !== 'validated' && job.status !== 'failed') {
    throw new AppError(ImportErrors.import_not_ready, { params: { status: job.status }, extra: { reason: 'status', status: job.status } });
  }
  const defs = await definitionsOf(ctx.db, job.entity);
  const issues = checkMapping(job.entity, body.mapping, job.columns, defs);
  if (issues.length > 0) throw new AppError(ImportErrors.import_mapping_invalid, { errors: issues });
  const { report, plan } = await analyze(ctx, job, body.mapping, body.dedupe, defs);
  const [row] = await ctx.db
    .update(importJobs)
    .set({
      status: 'validated',
      mapping: body.mapping,
      dedupe: body.dedupe,
      report: report as unknown as Record<string, unknown>,
      plan: plan as unknown as Record<string, unknown>[],
      total: report.toCreate + report.toUpdate,
      processed: 0,
      version: job.version + 1,
      updatedAt: ctx.now,
    })
    .where(and(eq(importJobs.id, id), eq(importJobs.version, job.version)))
    .returning();
  if (!row) throw versionConflict(job.version + 1);
  return toJob(row, defs);
}

// ── Commit ──────────────────────────────────────────────────────────────────────────────────────

const running = new Map<string, Promise<void>>();

/** Resolves when every import started in this process has ended (tests, graceful shutdown). */
export async function settleImports(): Promise<void> {
  await Promise.allSettled([...running.values()]);
}

/**
 * A running job whose heartbeat is older than this has lost its process. Longer than one batch can
 * take: on PGlite the job row cannot be written while a batch's transaction is open.
 */
export const INTERRUPTED_AFTER_MS = 15 * 60_000;

/**
 * Ends the `running` jobs no process is writing any more as `failed` (crm.import_interrupted),
 * saying how many rows their committed batches wrote. A job this process runs is left alone; so is
 * one whose heartbeat is newer than `staleBefore` (another server may be running it). At start,
 * with the embedded database (one process per data directory), every running job is interrupted.
 */
export async function failInterruptedImports(
  db: Db,
  opts: { staleBefore?: Date; ids?: readonly string[]; ownerId?: string; locale?: Locale } = {},
): Promise<number> {
  const staleBefore = opts.staleBefore ?? new Date(Date.now() - INTERRUPTED_AFTER_MS);
  const stale = await db
    .select({ id: importJobs.id, plan: importJobs.plan, processed: importJobs.processed })
    .from(importJobs)
    .where(
      whereAll(
        eq(importJobs.status, 'running'),
        sql`${importJobs.updatedAt} < ${staleBefore.toISOString()}::timestamptz`,
        opts.ids ? sql`${importJobs.id} = ANY(${`{${opts.ids.join(',')}}`}::uuid[])` : undefined,
        opts.ownerId ? eq(importJobs.ownerId, opts.ownerId) : undefined,
      ),
    );
  let ended = 0;
  for (const job of stale) {
    if (running.has(job.id)) continue;
    const plan = (job.plan ?? []) as unknown as PlanItem[];
    const work = plan.filter((p) => p.action === 'create' || p.action === 'update');
    const done = work.slice(0, job.processed);
    const created = done.filter((p) => p.action === 'create').length;
    const result: ImportResult = {
      created,
      updated: done.length - created,
      skipped: plan.length - work.length,
      committedRows: job.processed,
      error: {
        code: ImportErrors.import_interrupted,
        message: translate(opts.locale ?? 'zh-CN', 'errors', `${ImportErrors.import_interrupted}.detail`, { committed: job.processed }) ?? 'interrupted',
        row: null,
        batch: Math.floor(job.processed / BATCH_SIZE) + 1,
      },
    };
    const now = new Date();
    // Only if it is still running without a newer heartbeat (a live server's batch wins).
    const updated = await db
      .update(importJobs)
      .set({ status: 'failed', result: result as unknown as Record<string, unknown>, finishedAt: now, updatedAt: now, version: sql`${importJobs.version} + 1` })
      .where(
        and(
          eq(importJobs.id, job.id),
          eq(importJobs.status, 'running'),
          eq(importJobs.processed, job.processed),
          sql`${importJobs.updatedAt} < ${staleBefore.toISOString()}::timestamptz`,
        ),
      )
      .returning({ id: importJobs.id });
    ended += updated.length;
  }
  return ended;
}

export async function commitImport(ctx: ImportContext, id: string, body: CommitImportBody): Promise<ImportJob> {
  const job = await loadOwnJob(ctx, id, body.version);
  const notReady = (reason: string, params: Record<string, string | number> = {}) =>
    new AppError(ImportErrors.import_not_ready, { params: { status: job.status, ...params }, extra: { reason, ...params } });
  if (job.status !== 'validated') throw notReady('status');
  const report = job.report as unknown as ImportReport;
  if (report.invalid > 0 && !body.skipInvalid) throw notReady('invalid_rows', { count: report.invalid });
  if (report.warnings > 0 && !body.confirmSimilar) throw notReady('similar_names', { count: report.warnings });
  const [row] = await withTx(ctx.db, async (tx) => {
    const updated = await tx
      .update(importJobs)
      .set({ status: 'running', processed: 0, version: job.version + 1, updatedAt: ctx.now })
      .where(and(eq(importJobs.id, id), eq(importJobs.version, job.version)))
      .returning();
    if (updated.length === 0) throw versionConflict(job.version + 1);
    await writeAudit(tx, { actorId: ctx.actor.userId, requestId: ctx.requestId }, {
      entityType: 'import_job',
      entityId: id,
      action: 'commit',
      changes: { status: [job.status, 'running'], skipInvalid: [null, body.skipInvalid], confirmSimilar: [null, body.confirmSimilar] },
    });
    return updated;
  });
  // A copy of the actor: the CRM's per-request caches are keyed by it.
  const jobCtx: ImportContext = { db: ctx.db, actor: { ...ctx.actor }, requestId: ctx.requestId, now: ctx.now, locale: ctx.locale };
  // Read before the batches start: on PGlite a query waits for an open transaction to end.
  const out = toJob(row!, await definitionsOf(ctx.db, row!.entity));
  const work = runImport(jobCtx, row!, body.confirmSimilar).finally(() => running.delete(id));
  running.set(id, work);
  return out;
}

class RowFailure extends Error {
  constructor(
    readonly line: number,
    readonly error: unknown,
  ) {
    super(`row ${line}`);
  }
}

async function writeOne(ctx: ServiceContext, entity: ImportEntity, item: PlanItem, confirmSimilar: boolean): Promise<void> {
  if (item.action === 'create') {
    const body = item.body!;
    if (entity === 'account') {
      // Checked already: warned names confirmed by the importer, the others by assertBatchNotSimilar.
      await createAccount(ctx, { ...(body as CreateAccountBody), ...(item.ownerId ? { ownerId: item.ownerId } : {}), confirmSimilar: true });
    } else if (entity === 'contact') {
      await createContact(ctx, item.accountId!, body as CreateContactBody);
    } else {
      await createOpportunity(ctx, { ...(body as Omit<CreateOpportunityBody, 'accountId'>), accountId: item.accountId!, ...(item.ownerId ? { ownerId: item.ownerId } : {}) });
    }
    return;
  }
  // Update: the current version of the record, the row's mapped cells on top.
  const table = entity === 'account' ? accounts : entity === 'contact' ? contacts : opportunities;
  const [current] = await ctx.db.select({ version: table.version }).from(table).where(eq(table.id, item.targetId!));
  const input = { ...item.input!, ...(item.ownerId && entity !== 'contact' ? { ownerId: item.ownerId } : {}) };
  const res = toUpdateBody(entity, input, current?.version ?? 1);
  if (!res.ok) throw new AppError(ImportErrors.import_not_ready, { params: { status: 'running' }, extra: { reason: 'update_body' } });
  if (entity === 'account') await updateAccount(ctx, item.targetId!, { ...(res.body as UpdateAccountBody), confirmSimilar: confirmSimilar && !!item.similar });
  else if (entity === 'contact') await updateContact(ctx, item.targetId!, res.body as UpdateContactBody);
  else await updateOpportunity(ctx, item.targetId!, res.body as UpdateOpportunityBody);
}

/**
 * The account service's similar-name check for the new accounts of a batch the dry run did not
 * warn about, in one query instead of one per row: an account registered since the dry run fails
 * the batch as the service would (crm.similar_account). The names the dry run warned about are
 * written only when the commit confirms them; names within the file were compared by the dry run.
 */
async function assertBatchNotSimilar(tx: Db, batch: readonly PlanItem[], confirmSimilar: boolean): Promise<void> {
  const creates = batch.filter((p) => p.action === 'create');
  const unchecked = creates.filter((p) => !(confirmSimilar && p.similar));
  if (unchecked.length === 0) return;
  const hits = await similarAccounts(tx, unchecked.map((p) => ({ name: String(p.body!['nameZh']), exceptId: null })));
  for (const p of unchecked) {
    const name = String(p.body!['nameZh']);
    if (!hits.has(`|${name}`)) continue;
    const candidates = await findSimilarAccounts(tx, name, null);
    throw new RowFailure(
      p.line,
      new AppError(AccountErrors.similar_account, {
        params: { count: candidates.length, name: candidates[0]?.nameZh ?? hits.get(`|${name}`)!.nameZh },
        errors: [{ path: 'nameZh', message: 'v:similar_account' }],
        extra: { candidates },
      }),
    );
  }
}

async function runImport(ctx: ImportContext, job: JobRow, confirmSimilar: boolean): Promise<void> {
  const plan = (job.plan ?? []) as unknown as PlanItem[];
  const work = plan.filter((p) => p.action === 'create' || p.action === 'update');
  const skipped = plan.length - work.length;
  let created = 0;
  let updated = 0;
  let processed = 0;
  const finish = async (status: 'completed' | 'failed', error: ImportResult['error']) => {
    const result: ImportResult = { created, updated, skipped, committedRows: processed, error };
    await ctx.db
      .update(importJobs)
      .set({ status, processed, result: result as unknown as Record<string, unknown>, finishedAt: new Date(), updatedAt: new Date(), version: sql`${importJobs.version} + 1` })
      .where(eq(importJobs.id, job.id));
  };
  try {
    for (let b = 0; b * BATCH_SIZE < work.length; b++) {
      const batch = work.slice(b * BATCH_SIZE, (b + 1) * BATCH_SIZE);
      try {
        await withTx(ctx.db, async (tx) => {
          // Every service call below runs inside this transaction (their own become savepoints).
          const batchCtx: ServiceContext = { db: tx as unknown as Db, actor: ctx.actor, requestId: ctx.requestId, now: new Date() };
          if (job.entity === 'account') await assertBatchNotSimilar(tx as unknown as Db, batch, confirmSimilar);
          for (const item of batch) {
            try {
              await writeOne(batchCtx, job.entity, item, confirmSimilar);
            } catch (err) {
              throw new RowFailure(item.line, err);
            }
          }
        });
      } catch (err) {
        const rowErr = err instanceof RowFailure ? err : null;
        const cause = rowErr ? rowErr.error : err;
        let code = 'platform.internal';
        let message = translate(ctx.locale, 'errors', 'platform.internal.title') ?? 'internal error';
        if (cause instanceof AppError) {
          const p = toProblem(cause, ctx.locale, ctx.requestId);
          code = cause.code;
          const fields = (p.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ');
          message = [p.detail ?? p.title, fields].filter((s) => s !== '').join(' — ');
        }
        await finish('failed', { code, message, row: rowErr?.line ?? null, batch: b + 1 });
        return;
      }
      for (const item of batch) {
        if (item.action === 'create') created++;
        else updated++;
      }
      processed += batch.length;
      await ctx.db.update(importJobs).set({ processed, updatedAt: new Date() }).where(eq(importJobs.id, job.id));
    }
    await finish('completed', null);
  } catch {
    // The job row itself could not be written (database gone): nothing more to record.
  }
}

// ── Error report ────────────────────────────────────────────────────────────────────────────────

/** The rows with problems as they were in the file, plus a column saying what is wrong. */
export async function getErrorReport(
  ctx: ImportContext,
  id: string,
  q: ErrorReportQuery,
): Promise<{ fileName: string; contentType: string; body: Buffer }> {
  const job = await loadJob(ctx, id);
  const report = job.report as unknown as ImportReport | null;
  const result = job.result as unknown as ImportResult | null;
  const byLine = new Map<number, string[]>();
  for (const e of report?.errors ?? []) {
    const list = byLine.get(e.row) ?? [];
    list.push(e.column ? `${e.column}: ${e.message}` : e.message);
    byLine.set(e.row, list);
  }
  if (result?.error?.row) byLine.set(result.error.row, [...(byLine.get(result.error.row) ?? []), result.error.message]);
  const header = [translate(ctx.locale, 'validation', 'import_row') ?? 'Row', ...job.columns, translate(ctx.locale, 'validation', 'import_problems') ?? 'Problems'];
  const rows = [header];
  for (const r of job.rows) {
    const problems = byLine.get(r.line);
    if (problems) rows.push([String(r.line), ...r.cells, problems.join('; ')]);
  }
  const stem = job.fileName.replace(/\.[^.]+$/, '');
  if (q.format === 'xlsx') {
    return {
      fileName: `${stem}-errors.xlsx`,
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      body: await xlsxBuffer('errors', rows),
    };
  }
  return { fileName: `${stem}-errors.csv`, contentType: 'text/csv; charset=utf-8', body: Buffer.from(UTF8_BOM + csvLines(rows), 'utf8') };
}
