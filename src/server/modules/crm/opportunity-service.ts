import { and, asc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import { COMPANY_CURRENCY, findRatesOn } from '../../platform/currency-rates.ts';
import type { Page } from '../../../shared/api.ts';
import { CURRENCIES, type Currency, DECIMAL_PATTERN, Dec, Money } from '../../../shared/money.ts';
import { assertCan, whereAll } from '../../platform/access.ts';
import { diffRecords, writeAudit, writeAuditSql } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type Db, type DbOrTx, type Tx, queryRows, withTx } from '../../platform/db.ts';
import { AppError, PlatformErrors, notFound, versionConflict } from '../../platform/errors.ts';
import { UUID_PATTERN, newId } from '../../platform/ids.ts';
import { nextNumberSql } from '../../platform/numbers.ts';
import { publishEvent, publishEventSql } from '../../platform/outbox.ts';
import { decodeCursor, encodeCursor, toPage } from '../../platform/pagination.ts';
import { COMPANY_TIME_ZONE, escapeLike, getSubtreeUnitIds, getUserBriefs, getUserNames } from '../org/service.ts';
import { AccountErrors } from './account-errors.ts';
import { assertCanWrite, getVisibleAccount, opportunityReadFilter, unitsWithinScope } from './crm-access.ts';
import type { CustomFieldFilterParam } from './custom-field-contract.ts';
import { type CustomFieldSortSql, customFieldListSql, customSortAfter, customSortOrder } from './custom-field-query.ts';
import { resolveCustomValues } from './custom-field-service.ts';
import type {
  ChangeStageBody,
  CreateOpportunityBody,
  ListOpportunitiesQuery,
  Opportunity,
  OpportunityContact,
  OpportunityDetail,
  OpportunityHistory,
  UpdateOpportunityBody,
} from './opportunity-contract.ts';
import { OPPORTUNITY_CONTACT_ROLES } from './opportunity-contract.ts';
import { OpportunityErrors, rule } from './opportunity-errors.ts';
import { CrmPermissions } from './permissions.ts';
import { toPgTextArray } from './pg-text-array.ts';
import {
  type PipelineDefinition,
  type PipelineStage,
  assertForecastOverride,
  assertStageTransition,
  computeTimeInStage,
  effectiveForecastCategory,
  getStage,
} from './pipeline.ts';
import { loadPipelines, resolvePipeline } from './pipeline-service.ts';
import { type OPPORTUNITY_CONTACT_ROLES as SCHEMA_CONTACT_ROLES, accounts, contacts, opportunities, opportunityContacts, stageHistory } from './schema.ts';

/**
 * Opportunities: the deal, its stage history and its hand-off event. Every read goes through
 * crm-access.ts (scope OR account-team sharing; 404 outside it), every write checks the write scope
 * on the deal's owner and unit (403), compares `version` (409), and writes the change, its audit row,
 * its stage history and `opportunity.stage_changed` in one transaction.
 */

// The contract's contact roles are the table's (a compile-time check; the web cannot import schema.ts).
const _sameRoles: readonly (typeof SCHEMA_CONTACT_ROLES)[number][] = OPPORTUNITY_CONTACT_ROLES;
void _sameRoles;

export { COMPANY_CURRENCY };
const WRITE = CrmPermissions['crm.opportunities.write'];

type OppRow = typeof opportunities.$inferSelect;

function source(ctx: ServiceContext) {
  return { actorId: ctx.actor.userId, requestId: ctx.requestId };
}

function invalidRef(path: string, message = 'v:uuid'): AppError {
  return new AppError(PlatformErrors.reference_invalid, { errors: [{ path, message }] });
}

function fieldError(path: string, message: string): AppError {
  return new AppError(PlatformErrors.validation, { params: { count: 1 }, errors: [{ path, message }] });
}

const PLAIN_FEN = /^-?\d+\.\d{2}$/;

/**
 * Money on the wire from a numeric column's text. The columns have two decimals, which is already
 * the wire form of a two-decimal currency (no Decimal needed: this runs 100 times per list page).
 */
export const moneyOut = (amount: string | Dec, currency: string): { amount: string; currency: Currency } => {
  if (typeof amount === 'string' && PLAIN_FEN.test(amount) && CURRENCIES[currency as Currency] === 2) return { amount, currency: currency as Currency };
  const m = Money.of(new Dec(amount), currency as Currency);
  return { amount: m.toFixedString(), currency: m.currency };
};

/** A rate from numeric(20,10) text without its trailing zeros: "7.1234000000" → "7.1234", "1.0000000000" → "1". */
function rateOut(rate: string): string {
  return rate.includes('.') ? rate.replace(/\.?0+$/, '') : rate;
}

/** The stage a deal's row names; a stage the admin removed since counts as open (pipeline.ts does the same). */
function stageOf(def: PipelineDefinition | undefined, key: string): Pick<PipelineStage, 'kind'> {
  return (def && getStage(def, key)) ?? { kind: 'open' };
}

/** A deal as the list reads it (text and ISO instants straight from SQL) and as the writes hold it (rows). */
interface OpportunityRecord {
  id: string;
  number: string;
  name: string;
  accountId: string;
  ownerId: string;
  unitId: string;
  pipelineId: string;
  stageKey: string;
  stageEnteredAt: string;
  amount: string;
  currency: string;
  amountCompany: string;
  fxRate: string;
  expectedCloseDate: string;
  probability: number;
  forecastCategoryDefault: OppRow['forecastCategoryDefault'];
  forecastCategoryOverride: OppRow['forecastCategoryOverride'];
  nextStep: string | null;
  competitors: string[];
  source: string | null;
  lossReason: string | null;
  closedAt: string | null;
  productInterest: string[];
  custom: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
}

function recordOf(row: OppRow): OpportunityRecord {
  return {
    ...row,
    stageEnteredAt: row.stageEnteredAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toOpportunity(
  row: OppRow | OpportunityRecord,
  accountName: string,
  ownerName: string,
  def: PipelineDefinition | undefined,
): Opportunity {
  const r = row.createdAt instanceof Date ? recordOf(row as OppRow) : (row as OpportunityRecord);
  return {
    id: r.id,
    number: r.number,
    name: r.name,
    accountId: r.accountId,
    accountName,
    ownerId: r.ownerId,
    ownerName,
    unitId: r.unitId,
    pipelineId: r.pipelineId,
    stageKey: r.stageKey,
    stageEnteredAt: r.stageEnteredAt,
    amount: moneyOut(r.amount, r.currency),
    amountCompany: moneyOut(r.amountCompany, COMPANY_CURRENCY),
    fxRate: rateOut(r.fxRate),
    expectedCloseDate: r.expectedCloseDate,
    probability: r.probability,
    forecastCategory: effectiveForecastCategory({
      stageKind: stageOf(def, r.stageKey).kind,
      stageDefault: r.forecastCategoryDefault,
      override: r.forecastCategoryOverride,
    }),
    forecastCategoryDefault: r.forecastCategoryDefault,
    forecastCategoryOverride: r.forecastCategoryOverride,
    nextStep: r.nextStep,
    competitors: r.competitors,
    source: r.source,
    lossReason: r.lossReason,
    closedAt: r.closedAt,
    productInterest: r.productInterest,
    custom: r.custom,
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

// ---------------------------------------------------------------------------------------------
// References checked before a write (outside the transaction: PGlite has one connection)

/** The account must be visible to the caller and not archived; its owner and unit do not become the deal's. */
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

/** The owner's home unit becomes the deal's unit; an inactive or unplaced person cannot own deals. */
async function ownerRef(db: DbOrTx, ownerId: string): Promise<{ id: string; unitId: string; nameZh: string }> {
  const brief = (await getUserBriefs(db, [ownerId])).get(ownerId);
  if (!brief || !brief.active || !brief.unitId) throw invalidRef('ownerId', 'v:active_placed_user');
  return { id: brief.id, unitId: brief.unitId, nameZh: brief.nameZh };
}

/**
 * Units of the company currency for one unit of `currency`: the latest rate on or before `onDate`.
 * 422 crm.no_exchange_rate when there is none (a deal never gets an invented rate).
 */
export async function rateOn(db: DbOrTx, currency: Currency, onDate: string): Promise<string> {
  const rate = (await findRatesOn(db, [currency], onDate))[currency];
  if (rate === undefined) {
    throw new AppError(OpportunityErrors.no_exchange_rate, {
      params: { currency, date: onDate },
      errors: [{ path: 'amount.currency', message: 'v:no_exchange_rate' }],
    });
  }
  return rate;
}

/** amount × rate in the company currency, rounded half-up to fen. */
export function toCompanyAmount(amount: Money, rate: string): Money {
  return Money.of(amount.amount.times(rate), COMPANY_CURRENCY).round('half_up', 2);
}

async function assertContactsOfAccount(db: DbOrTx, accountId: string, list: readonly OpportunityContact[]): Promise<void> {
  if (list.length === 0) return;
  const seen = new Set<string>();
  list.forEach((c, i) => {
    if (seen.has(c.contactId)) throw fieldError(`contacts.${i}.contactId`, 'v:duplicate');
    seen.add(c.contactId);
  });
  const rows = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.accountId, accountId), sql`${contacts.id} = ANY(${`{${[...seen].join(',')}}`}::uuid[])`));
  const found = new Set(rows.map((r) => r.id));
  const bad = list.findIndex((c) => !found.has(c.contactId));
  if (bad >= 0) throw invalidRef(`contacts.${bad}.contactId`, 'v:same_account_contact');
}

/** The probability a deal gets: the stage's unless given; closed stages keep theirs (a fact, not an estimate). */
function resolveProbability(stage: PipelineStage, given: number | undefined, current: number | undefined): number {
  if (stage.kind !== 'open') {
    if (given !== undefined && given !== stage.probability) {
      throw fieldError('probability', stage.kind === 'won' ? 'v:won_probability' : 'v:lost_probability');
    }
    return stage.probability;
  }
  return given ?? current ?? stage.probability;
}

function firstStage(def: PipelineDefinition): string {
  return (def.stages.find((s) => s.kind === 'open') ?? def.stages[0]!).key;
}

/** The company-time-zone date of an instant, with one formatter for the process (building one costs ~0.3 ms). */
const companyDateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: COMPANY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
function companyDate(instant: Date): string {
  return companyDateFormat.format(instant);
}

function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

interface StageChange {
  from: string | null;
  to: string;
  kind: PipelineStage['kind'];
}

/** The stage history row of a change, in the caller's transaction. */
async function insertStageHistory(tx: Tx, ctx: ServiceContext, record: OpportunityRecord, change: StageChange): Promise<void> {
  await tx.insert(stageHistory).values({
    id: newId(),
    opportunityId: record.id,
    fromStage: change.from,
    toStage: change.to,
    changedAt: ctx.now,
    changedBy: ctx.actor.userId,
    amountCompany: record.amountCompany,
  });
}

/** `opportunity.stage_changed`, the deal's hand-off to the rest of the line, in the same transaction as its history row. */
async function publishStageChanged(tx: Tx, ctx: ServiceContext, record: OpportunityRecord, change: StageChange): Promise<void> {
  await publishEvent(tx, source(ctx), {
    type: 'opportunity.stage_changed',
    aggregateType: 'opportunity',
    aggregateId: record.id,
    payload: stageChangedPayload(ctx, record, change),
  });
}

/** The payload of `opportunity.stage_changed`. */
function stageChangedPayload(ctx: ServiceContext, record: OpportunityRecord, change: StageChange): Record<string, unknown> {
  return {
      opportunityId: record.id,
      number: record.number,
      accountId: record.accountId,
      ownerId: record.ownerId,
      unitId: record.unitId,
      pipelineId: record.pipelineId,
      fromStage: change.from,
      toStage: change.to,
      toKind: change.kind,
      amount: moneyOut(record.amount, record.currency),
      amountCompany: moneyOut(record.amountCompany, COMPANY_CURRENCY),
      probability: record.probability,
      expectedCloseDate: record.expectedCloseDate,
      closedAt: record.closedAt,
      changedAt: ctx.now.toISOString(),
  };
}

/** Contact roles in id order, as loadContacts reads them (uuid order is the hex text's order). */
function sortContacts(list: readonly OpportunityContact[]): OpportunityContact[] {
  return [...list].sort((a, b) => (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0));
}

async function loadContacts(db: DbOrTx, opportunityId: string): Promise<OpportunityContact[]> {
  const rows = await db
    .select({ contactId: opportunityContacts.contactId, role: opportunityContacts.role })
    .from(opportunityContacts)
    .where(eq(opportunityContacts.opportunityId, opportunityId))
    .orderBy(asc(opportunityContacts.contactId));
  return rows;
}

async function ownerName(db: Db, ownerId: string): Promise<string> {
  return (await ownerNames(db, [ownerId])).get(ownerId) ?? '';
}

// ---------------------------------------------------------------------------------------------
// Create

export async function createOpportunity(ctx: ServiceContext, body: CreateOpportunityBody): Promise<OpportunityDetail> {
  assertCan(ctx.actor, WRITE);
  const account = await accountRef(ctx, body.accountId);
  // The caller as owner (the usual case) is known already: signed in, so active, placed in their home unit.
  const owner =
    (body.ownerId ?? ctx.actor.userId) === ctx.actor.userId && ctx.actor.unitId
      ? { id: ctx.actor.userId, unitId: ctx.actor.unitId, nameZh: await ownerName(ctx.db, ctx.actor.userId) }
      : await ownerRef(ctx.db, body.ownerId ?? ctx.actor.userId);
  // The deal will be the owner's and in the owner's unit: the caller must be able to write such a deal.
  assertCanWrite(ctx.actor, WRITE, { ownerId: owner.id, unitId: owner.unitId });
  const pipeline = await resolvePipeline(ctx.db, body.pipelineId);
  const def = pipeline.definition;
  const stageKey = body.stageKey ?? firstStage(def);
  rule(() => assertStageTransition(def, null, stageKey, { lossReason: body.lossReason ?? null }));
  const stage = getStage(def, stageKey)!;
  const probability = resolveProbability(stage, body.probability, undefined);
  const override = body.forecastCategoryOverride ?? null;
  rule(() => assertForecastOverride(stage.kind, override));
  const today = companyDate(ctx.now);
  const amount = Money.fromJSON(body.amount);
  const fxRate = await rateOn(ctx.db, amount.currency, today);
  const amountCompany = toCompanyAmount(amount, fxRate);
  const contactList = body.contacts ?? [];
  await assertContactsOfAccount(ctx.db, account.id, contactList);
  const custom = await resolveCustomValues(ctx.db, 'opportunity', body.custom, null);

  // One statement writes the deal: its number (from the counter), the deal, its first history row,
  // its contacts, the outbox event and the audit row, as data-modifying CTEs. A statement commits or
  // fails as a whole, so this is the create's transaction — without BEGIN/COMMIT and five more round
  // trips, and with the counter row locked only while the statement runs (inside a multi-statement
  // transaction it was held across five round trips and every create queued on it: decision 0008).
  // The deal is built here as the table will hold it, so the event and the audit row need nothing
  // back from the database but the number, which the statement splices in.
  const id = newId();
  const now = ctx.now.toISOString();
  const created: OpportunityRecord = {
    id,
    number: '',
    name: body.name,
    accountId: account.id,
    ownerId: owner.id,
    unitId: owner.unitId,
    pipelineId: pipeline.row.id,
    stageKey,
    stageEnteredAt: now,
    amount: amount.amount.toFixed(2),
    currency: amount.currency,
    amountCompany: amountCompany.amount.toFixed(2),
    fxRate: new Dec(fxRate).toFixed(10),
    expectedCloseDate: body.expectedCloseDate,
    probability,
    forecastCategoryDefault: stage.forecastCategory,
    forecastCategoryOverride: override,
    nextStep: body.nextStep ?? null,
    competitors: body.competitors ?? [],
    source: body.source ?? null,
    lossReason: body.lossReason ?? null,
    closedAt: stage.kind === 'open' ? null : now,
    productInterest: body.productInterest ?? [],
    custom,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  const from = sql`o`;
  const event = publishEventSql(
    source(ctx),
    {
      type: 'opportunity.stage_changed',
      aggregateType: 'opportunity',
      aggregateId: id,
      payload: sql`jsonb_set(${JSON.stringify(stageChangedPayload(ctx, created, { from: null, to: stageKey, kind: stage.kind }))}::jsonb, '{number}', to_jsonb(o.number))`,
    },
    { name: 'ev', from },
  );
  const changes = { ...diffRecords(null, { ...created }), ...(contactList.length > 0 ? { contacts: [null, contactList] } : {}) };
  const audit = writeAuditSql(
    source(ctx),
    { entityType: 'opportunity', entityId: id, action: 'create', changes: sql`jsonb_set(${JSON.stringify(changes)}::jsonb, '{number}', jsonb_build_array(NULL, o.number))` },
    { name: 'au', from },
  );
  const contactsCte =
    contactList.length > 0
      ? sql`, c AS (
            INSERT INTO crm_opportunity_contacts (opportunity_id, contact_id, role)
            SELECT o.id, c.contact_id, c.role
              FROM o, unnest(${toPgTextArray(contactList.map((c) => c.contactId))}::uuid[], ${toPgTextArray(contactList.map((c) => c.role))}::text[]) AS c(contact_id, role))`
      : sql``;
  // The number is reserved by a statement of its own (decision 0011): inside the create's statement
  // the counter row stayed locked while five indexes of a million-row table were updated, which
  // queued every create of the company behind it (186 creates/s at 1M deals). A create that fails
  // after this leaves a gap in the numbers, as decision 0008 accepted.
  const [reserved] = await queryRows<{ number: string }>(ctx.db, nextNumberSql('OPP', yearOf(today)));
  const [inserted] = await queryRows<{ number: string }>(
    ctx.db,
    sql`WITH n AS (SELECT ${reserved!.number}::text AS number),
        o AS (
          INSERT INTO crm_opportunities (id, number, name, account_id, owner_id, unit_id, pipeline_id, stage_key, stage_entered_at,
            amount, currency, amount_company, fx_rate, expected_close_date, probability, forecast_category_default,
            forecast_category_override, next_step, competitors, source, loss_reason, closed_at, product_interest, custom, created_at, updated_at)
          SELECT ${id}::uuid, n.number, ${created.name}::text, ${created.accountId}::uuid, ${created.ownerId}::uuid, ${created.unitId}::uuid,
            ${created.pipelineId}::uuid, ${stageKey}::text, ${now}::timestamptz, ${created.amount}::numeric, ${created.currency}::text,
            ${created.amountCompany}::numeric, ${created.fxRate}::numeric, ${created.expectedCloseDate}::date, ${probability}::int,
            ${created.forecastCategoryDefault}::text, ${override}::text, ${created.nextStep}::text, ${toPgTextArray(created.competitors)}::text[],
            ${created.source}::text, ${created.lossReason}::text, ${created.closedAt}::timestamptz, ${toPgTextArray(created.productInterest)}::text[],
            ${JSON.stringify(custom)}::jsonb, ${now}::timestamptz, ${now}::timestamptz
            FROM n
          RETURNING id, number, stage_key, stage_entered_at, amount_company),
        h AS (
          INSERT INTO crm_stage_history (id, opportunity_id, from_stage, to_stage, changed_at, changed_by, amount_company)
          SELECT ${newId()}::uuid, o.id, NULL, o.stage_key, o.stage_entered_at, ${ctx.actor.userId}::uuid, o.amount_company FROM o)${contactsCte},
        ${event.ctes},
        ${audit}
        SELECT o.number FROM o`,
  );
  const record: OpportunityRecord = { ...created, number: inserted!.number };
  return { ...toOpportunity(record, account.nameZh, owner.nameZh, def), contacts: sortContacts(contactList) };
}

// ---------------------------------------------------------------------------------------------
// Read

async function loadVisible(ctx: ServiceContext, id: string): Promise<{ row: OppRow; accountName: string }> {
  const filter = await opportunityReadFilter(ctx);
  const [found] = await ctx.db
    .select({ row: opportunities, accountName: accounts.nameZh })
    .from(opportunities)
    .innerJoin(accounts, eq(accounts.id, opportunities.accountId))
    .where(whereAll(eq(opportunities.id, id), filter));
  if (!found) throw notFound('opportunity');
  return found;
}

export async function getOpportunity(ctx: ServiceContext, id: string): Promise<OpportunityDetail> {
  const { row, accountName } = await loadVisible(ctx, id);
  const [pipelinesById, contactList, name] = await Promise.all([loadPipelines(ctx.db), loadContacts(ctx.db, id), ownerName(ctx.db, row.ownerId)]);
  return { ...toOpportunity(row, accountName, name, pipelinesById.get(row.pipelineId)?.definition), contacts: contactList };
}

/** May the actor see this deal? For the audit history of a record (registerEntityReader). */
export async function canReadOpportunity(ctx: ServiceContext, id: string): Promise<boolean> {
  const filter = await opportunityReadFilter(ctx);
  const [row] = await ctx.db
    .select({ id: opportunities.id })
    .from(opportunities)
    .where(whereAll(eq(opportunities.id, id), filter));
  return !!row;
}

export async function getOpportunityHistory(ctx: ServiceContext, id: string): Promise<OpportunityHistory> {
  await loadVisible(ctx, id);
  const rows = await ctx.db
    .select()
    .from(stageHistory)
    .where(eq(stageHistory.opportunityId, id))
    .orderBy(asc(stageHistory.changedAt), asc(stageHistory.id));
  return {
    items: rows.map((r) => ({
      id: r.id,
      fromStage: r.fromStage,
      toStage: r.toStage,
      changedAt: r.changedAt.toISOString(),
      changedBy: r.changedBy,
      amountCompany: moneyOut(r.amountCompany, COMPANY_CURRENCY),
    })),
    timeInStageMs: computeTimeInStage(
      rows.map((r) => ({ stage: r.toStage, enteredAt: r.changedAt })),
      ctx.now,
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// The list: keyset pages over indexed columns, ids first, then the page's rows by key

const SORTS = {
  amount: { column: opportunities.amountCompany, cast: 'numeric', check: (v: string) => DECIMAL_PATTERN.test(v) },
  closeDate: { column: opportunities.expectedCloseDate, cast: 'date', check: (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) },
  createdAt: {
    column: opportunities.createdAt,
    cast: 'timestamptz',
    check: (v: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(v),
  },
} as const;

/** The filters of the list, the scope included; shared with the aggregates so they count what the list shows. */
export async function listConditions(
  ctx: ServiceContext,
  q: Pick<ListOpportunitiesQuery, 'stage' | 'ownerId' | 'unitId' | 'includeSubunits' | 'closeFrom' | 'closeTo' | 'accountId' | 'pipelineId' | 'q'>,
): Promise<SQL | undefined> {
  let unitFilter: SQL | undefined;
  let units: readonly string[] = [];
  if (q.unitId) {
    units = q.includeSubunits ? await getSubtreeUnitIds(ctx.db, q.unitId) : [q.unitId];
    unitFilter = units.length === 1 ? eq(opportunities.unitId, units[0]!) : sql`${opportunities.unitId} = ANY(${`{${units.join(',')}}`}::uuid[])`;
  }
  // Units all inside the caller's read scope: every row the unit filter keeps is visible anyway, so
  // crm-access's condition would add nothing but a second 40-unit array and an OR the planner must
  // cost (its estimate squares the two arrays' selectivity and can pick a worse plan), and a query
  // for the caller's account teams. Same rows, one query less. Otherwise the scope applies as always.
  const scope = unitFilter && unitsWithinScope(ctx, units) ? undefined : await opportunityReadFilter(ctx);
  const stages = q.stage ?? [];
  return whereAll(
    scope,
    stages.length === 1 ? eq(opportunities.stageKey, stages[0]!) : undefined,
    stages.length > 1 ? sql`${opportunities.stageKey} = ANY(${`{${stages.join(',')}}`}::text[])` : undefined,
    q.ownerId ? eq(opportunities.ownerId, q.ownerId) : undefined,
    unitFilter,
    q.closeFrom ? gte(opportunities.expectedCloseDate, q.closeFrom) : undefined,
    q.closeTo ? lte(opportunities.expectedCloseDate, q.closeTo) : undefined,
    q.accountId ? eq(opportunities.accountId, q.accountId) : undefined,
    q.pipelineId ? eq(opportunities.pipelineId, q.pipelineId) : undefined,
    // The same expression as the trigram index of decision 0008.
    q.q ? sql`(${opportunities.name} || ' ' || ${opportunities.number}) ILIKE ${`%${escapeLike(q.q)}%`}` : undefined,
  );
}

export async function listOpportunities(
  ctx: ServiceContext,
  query: Omit<ListOpportunitiesQuery, 'sort'> & { sort?: string; customFilters?: CustomFieldFilterParam[] },
): Promise<Page<Opportunity>> {
  const custom = await customFieldListSql(ctx.db, 'opportunity', '"crm_opportunities"."custom"', query.customFilters, query.sort);
  if (custom.sort) return listOpportunitiesByCustomField(ctx, query, custom.where, custom.sort);
  const q = { ...query, sort: (query.sort ?? '-amount') as ListOpportunitiesQuery['sort'] };
  const descending = q.sort.startsWith('-');
  const key = q.sort.replace(/^-/, '') as keyof typeof SORTS;
  const sort = SORTS[key];
  let after: SQL | undefined;
  if (q.cursor) {
    const [v, id] = decodeCursor(q.sort, q.cursor, 2);
    if (typeof v !== 'string' || !sort.check(v) || typeof id !== 'string' || !UUID_PATTERN.test(id)) {
      throw new AppError(PlatformErrors.invalid_cursor, { errors: [{ path: 'query.cursor', message: 'v:bad_cursor' }] });
    }
    const value = sql`${v}::${sql.raw(sort.cast)}`;
    // One row comparison keeps the keyset on one index range: (sort value, id) strictly after the cursor.
    after = descending
      ? sql`(${sort.column}, ${opportunities.id}) < (${value}, ${id}::uuid)`
      : sql`(${sort.column}, ${opportunities.id}) > (${value}, ${id}::uuid)`;
  }
  const where = whereAll(await listConditions(ctx, q), custom.where, after);
  const dir = sql.raw(descending ? 'DESC' : 'ASC');
  // Ids first (an index-only scan of a covering index in sort order, decision 0008), then the page's
  // rows by key. Plain SQL with text and ISO instants: the same values on both drivers, and no ORM
  // mapping of 50 rows × 30 columns on the hot path.
  const [rows, pipelinesById] = await Promise.all([
    queryRows<RecordRow & { account_name: string; created_cursor: string }>(
      ctx.db,
      // The account's name as a scalar subquery, not a third joined table (every deal has its account:
      // NOT NULL and a foreign key, so the rows are the same): with two relations to order instead of
      // three the planner has far fewer join paths to cost, and planning was most of this query's
      // time (decision 0012: ~1.3× the statements per second in pgbench at 300,000 deals).
      sql`SELECT ${recordColumns}, (SELECT a.name_zh FROM crm_accounts a WHERE a.id = o.account_id) AS account_name,
                 to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_cursor
            FROM (SELECT ${opportunities.id} AS page_id, ${sort.column} AS page_key
                    FROM ${opportunities}
                   WHERE ${where ?? sql`true`}
                   ORDER BY ${sort.column} ${dir}, ${opportunities.id} ${dir}
                   LIMIT ${q.limit + 1}) page
            JOIN crm_opportunities o ON o.id = page.page_id
           ORDER BY page.page_key ${dir}, page.page_id ${dir}`,
    ),
    loadPipelines(ctx.db),
  ]);
  const names = await ownerNames(ctx.db, rows.map((r) => r.owner_id));
  return toPage(
    rows,
    q.limit,
    (r) => toOpportunity(recordFromRow(r), r.account_name, names.get(r.owner_id) ?? '', pipelinesById.get(r.pipeline_id)?.definition),
    (r) => encodeCursor(q.sort, [key === 'amount' ? r.amount_company : key === 'closeDate' ? r.expected_close_date : r.created_cursor, r.id]),
  );
}

/**
 * The list sorted by a custom field (decision 0010): the same page-of-ids-first shape, on the
 * field's expression, deals without a value last in both directions.
 */
async function listOpportunitiesByCustomField(
  ctx: ServiceContext,
  q: Omit<ListOpportunitiesQuery, 'sort'> & { sort?: string },
  customWhere: SQL | undefined,
  sort: CustomFieldSortSql,
): Promise<Page<Opportunity>> {
  const cursorKey = q.sort ?? '';
  let after: SQL | undefined;
  if (q.cursor) {
    const [v, id] = decodeCursor(cursorKey, q.cursor, 2);
    if ((v !== null && typeof v !== 'string') || typeof id !== 'string' || !UUID_PATTERN.test(id)) {
      throw new AppError(PlatformErrors.invalid_cursor, { errors: [{ path: 'query.cursor', message: 'v:bad_cursor' }] });
    }
    after = customSortAfter(sort, sql`${opportunities.id}`, v, id);
  }
  const where = whereAll(await listConditions(ctx, q), customWhere, after);
  const dir = sql.raw(sort.descending ? 'DESC' : 'ASC');
  const [rows, pipelinesById] = await Promise.all([
    queryRows<RecordRow & { account_name: string; page_key: string | null }>(
      ctx.db,
      sql`SELECT ${recordColumns}, a.name_zh AS account_name, page.page_key::text AS page_key
            FROM (SELECT ${opportunities.id} AS page_id, ${sort.expression} AS page_key
                    FROM ${opportunities}
                   WHERE ${where ?? sql`true`}
                   ORDER BY ${customSortOrder(sort, sql`${opportunities.id}`)}
                   LIMIT ${q.limit + 1}) page
            JOIN crm_opportunities o ON o.id = page.page_id
            JOIN crm_accounts a ON a.id = o.account_id
           ORDER BY page.page_key ${dir} NULLS LAST, page.page_id ${dir}`,
    ),
    loadPipelines(ctx.db),
  ]);
  const names = await ownerNames(ctx.db, rows.map((r) => r.owner_id));
  return toPage(
    rows,
    q.limit,
    (r) => toOpportunity(recordFromRow(r), r.account_name, names.get(r.owner_id) ?? '', pipelinesById.get(r.pipeline_id)?.definition),
    (r) => encodeCursor(cursorKey, [r.page_key, r.id]),
  );
}

const iso = (column: string) => sql.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** A deal's columns as text and ISO instants, the same on both drivers (`o` is the deal's alias). */
const recordColumns = sql`o.id, o.number, o.name, o.account_id, o.owner_id, o.unit_id, o.pipeline_id, o.stage_key,
  ${iso('o.stage_entered_at')} AS stage_entered_at, o.amount::text AS amount, o.currency, o.amount_company::text AS amount_company,
  o.fx_rate::text AS fx_rate, o.expected_close_date::text AS expected_close_date, o.probability, o.forecast_category_default,
  o.forecast_category_override, o.next_step, o.competitors, o.source, o.loss_reason, ${iso('o.closed_at')} AS closed_at,
  o.product_interest, o.custom, o.version, ${iso('o.created_at')} AS created_at, ${iso('o.updated_at')} AS updated_at`;

interface RecordRow {
  id: string;
  number: string;
  name: string;
  account_id: string;
  owner_id: string;
  unit_id: string;
  pipeline_id: string;
  stage_key: string;
  stage_entered_at: string;
  amount: string;
  currency: string;
  amount_company: string;
  fx_rate: string;
  expected_close_date: string;
  probability: number;
  forecast_category_default: OppRow['forecastCategoryDefault'];
  forecast_category_override: OppRow['forecastCategoryOverride'];
  next_step: string | null;
  competitors: string[];
  source: string | null;
  loss_reason: string | null;
  closed_at: string | null;
  product_interest: string[];
  custom: Record<string, unknown>;
  version: number;
  created_at: string;
  updated_at: string;
}

function recordFromRow(r: RecordRow): OpportunityRecord {
  return {
    id: r.id,
    number: r.number,
    name: r.name,
    accountId: r.account_id,
    ownerId: r.owner_id,
    unitId: r.unit_id,
    pipelineId: r.pipeline_id,
    stageKey: r.stage_key,
    stageEnteredAt: r.stage_entered_at,
    amount: r.amount,
    currency: r.currency,
    amountCompany: r.amount_company,
    fxRate: r.fx_rate,
    expectedCloseDate: r.expected_close_date,
    probability: r.probability,
    forecastCategoryDefault: r.forecast_category_default,
    forecastCategoryOverride: r.forecast_category_override,
    nextStep: r.next_step,
    competitors: r.competitors,
    source: r.source,
    lossReason: r.loss_reason,
    closedAt: r.closed_at,
    productInterest: r.product_interest,
    custom: r.custom,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Owner names for display, through the org module, kept per process for half a minute: a list page
 * asks for the same few dozen people again and again, and a renamed person may show the old name
 * that long. (A cache of display data only; nothing is decided on it.)
 */
const NAMES_TTL_MS = 30_000;
const nameCache = new Map<string, { at: number; name: string }>();

async function ownerNames(db: Db, ids: readonly string[], nowMs = Date.now()): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const hit = nameCache.get(id);
    if (hit && nowMs - hit.at < NAMES_TTL_MS) out.set(id, hit.name);
    else missing.push(id);
  }
  if (missing.length > 0) {
    const fresh = await getUserNames(db, missing);
    if (nameCache.size > 50_000) nameCache.clear();
    for (const id of missing) {
      const name = fresh.get(id)?.nameZh ?? '';
      nameCache.set(id, { at: nowMs, name });
      out.set(id, name);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Update and stage change

export async function updateOpportunity(
  ctx: ServiceContext,
  id: string,
  body: UpdateOpportunityBody,
  action: 'update' | 'stage' = 'update',
): Promise<OpportunityDetail> {
  assertCan(ctx.actor, WRITE);
  const { row: before, accountName: beforeAccountName } = await loadVisible(ctx, id);
  assertCanWrite(ctx.actor, WRITE, before);
  if (before.version !== body.version) throw versionConflict(before.version);

  const account = body.accountId && body.accountId !== before.accountId ? await accountRef(ctx, body.accountId) : undefined;
  const owner = body.ownerId && body.ownerId !== before.ownerId ? await ownerRef(ctx.db, body.ownerId) : undefined;
  // Handing a deal to someone else: the caller must be able to write it where it lands, too.
  if (owner) assertCanWrite(ctx.actor, WRITE, { ownerId: owner.id, unitId: owner.unitId });

  const pipeline = (await loadPipelines(ctx.db)).get(before.pipelineId);
  if (!pipeline) throw new Error(`pipeline ${before.pipelineId} of opportunity ${id} is missing`);
  const def = pipeline.definition;
  const toKey = body.stageKey ?? before.stageKey;
  const stageChanged = toKey !== before.stageKey;
  const lossReason = body.lossReason !== undefined ? body.lossReason : before.lossReason;
  rule(() => assertStageTransition(def, before.stageKey, toKey, { lossReason }));
  const fromKind = stageOf(def, before.stageKey).kind;
  const stage = getStage(def, toKey)!;
  if (stage.kind === 'lost' && !lossReason?.trim()) {
    throw new AppError(OpportunityErrors.loss_reason_required, { params: { to: toKey }, errors: [{ path: 'lossReason', message: 'v:required' }] });
  }
  const probability = resolveProbability(stage, body.probability, stageChanged ? undefined : before.probability);
  if (body.forecastCategoryOverride !== undefined) rule(() => assertForecastOverride(stage.kind, body.forecastCategoryOverride));

  let amount = Money.of(new Dec(before.amount), before.currency as Currency);
  let fxRate = before.fxRate;
  if (body.amount) {
    amount = Money.fromJSON(body.amount);
    // The rate is the one of the deal's creation date: a new currency is looked up as of that day.
    if (amount.currency !== before.currency) fxRate = await rateOn(ctx.db, amount.currency, companyDate(before.createdAt));
  }
  const amountCompany = toCompanyAmount(amount, fxRate);
  const accountId = account?.id ?? before.accountId;
  const contactList = body.contacts;
  if (contactList) await assertContactsOfAccount(ctx.db, accountId, contactList);
  else if (account) {
    // Moving the deal to another account: its contact roles must follow, or be replaced in the same request.
    const current = await loadContacts(ctx.db, id);
    if (current.length > 0) await assertContactsOfAccount(ctx.db, accountId, current).catch(() => {
      throw invalidRef('contacts', 'v:same_account_contact');
    });
  }
  const name = owner ? owner.nameZh : await ownerName(ctx.db, before.ownerId);
  const custom = body.custom !== undefined ? await resolveCustomValues(ctx.db, 'opportunity', body.custom, before.custom) : undefined;

  const closing = stageChanged && stage.kind !== 'open';
  const reopening = stageChanged && stage.kind === 'open' && fromKind !== 'open';
  const { after, contactsAfter } = await withTx(ctx.db, async (tx) => {
    const [updated] = await tx
      .update(opportunities)
      .set({
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(account ? { accountId: account.id } : {}),
        ...(owner ? { ownerId: owner.id, unitId: owner.unitId } : {}),
        ...(body.amount ? { amount: amount.amount.toFixed(2), currency: amount.currency, amountCompany: amountCompany.amount.toFixed(2), fxRate } : {}),
        ...(body.expectedCloseDate !== undefined ? { expectedCloseDate: body.expectedCloseDate } : {}),
        ...(stageChanged ? { stageKey: toKey, stageEnteredAt: ctx.now, forecastCategoryDefault: stage.forecastCategory } : {}),
        ...(closing ? { closedAt: ctx.now } : reopening ? { closedAt: null } : {}),
        probability,
        ...(body.forecastCategoryOverride !== undefined ? { forecastCategoryOverride: body.forecastCategoryOverride } : {}),
        ...(body.lossReason !== undefined ? { lossReason: body.lossReason } : {}),
        ...(body.nextStep !== undefined ? { nextStep: body.nextStep } : {}),
        ...(body.competitors !== undefined ? { competitors: body.competitors } : {}),
        ...(body.source !== undefined ? { source: body.source } : {}),
        ...(body.productInterest !== undefined ? { productInterest: body.productInterest } : {}),
        ...(custom !== undefined ? { custom } : {}),
        version: before.version + 1,
        updatedAt: ctx.now,
      })
      .where(and(eq(opportunities.id, id), eq(opportunities.version, body.version)))
      .returning();
    if (!updated) {
      const [current] = await tx.select({ version: opportunities.version }).from(opportunities).where(eq(opportunities.id, id));
      throw versionConflict(current?.version ?? before.version + 1);
    }
    let contactsBefore: OpportunityContact[] | undefined;
    if (contactList) {
      contactsBefore = await loadContacts(tx, id);
      await tx.delete(opportunityContacts).where(eq(opportunityContacts.opportunityId, id));
      if (contactList.length > 0) {
        await tx.insert(opportunityContacts).values(contactList.map((c) => ({ opportunityId: id, contactId: c.contactId, role: c.role })));
      }
    }
    const contactsNow = contactList ? sortContacts(contactList) : await loadContacts(tx, id);
    if (stageChanged) {
      const change = { from: before.stageKey, to: toKey, kind: stage.kind };
      await insertStageHistory(tx, ctx, recordOf(updated), change);
      await publishStageChanged(tx, ctx, recordOf(updated), change);
    }
    const changes = diffRecords(before, updated);
    if (contactsBefore && JSON.stringify(contactsBefore) !== JSON.stringify(contactsNow)) changes['contacts'] = [contactsBefore, contactsNow];
    await writeAudit(tx, source(ctx), {
      entityType: 'opportunity',
      entityId: id,
      action,
      changes,
    });
    return { after: updated, contactsAfter: contactsNow };
  });
  return { ...toOpportunity(after, account?.nameZh ?? beforeAccountName, name, def), contacts: contactsAfter };
}

/** The kanban drag: the same rules as a PATCH of the stage. */
export function changeStage(ctx: ServiceContext, id: string, body: ChangeStageBody): Promise<OpportunityDetail> {
  return updateOpportunity(
    ctx,
    id,
    { version: body.version, stageKey: body.stageKey, ...(body.lossReason !== undefined ? { lossReason: body.lossReason } : {}) },
    'stage',
  );
}

/**
 * A signed contract wins its deal: called by the quote service inside the transaction that accepts
 * a quote version. The deal moves to its pipeline's won stage whatever the stage transitions allow
 * (a signature is a fact, not a rep's choice), takes the contract's amount (the deal's creation-date
 * rate converts a foreign currency, as for any amount change), and records the stage history and
 * `opportunity.stage_changed` like any other close. A deal already won or lost is 409
 * `crm.deal_closed`: nothing is written.
 */
export async function closeWonByContract(
  tx: Tx,
  ctx: ServiceContext,
  input: { opportunityId: string; amount: Money; contractId: string; contractNumber: string },
): Promise<void> {
  const [before] = await tx.select().from(opportunities).where(eq(opportunities.id, input.opportunityId)).for('update');
  if (!before) throw notFound('opportunity');
  const def = (await loadPipelines(tx)).get(before.pipelineId)?.definition;
  if (!def) throw new Error(`pipeline ${before.pipelineId} of opportunity ${before.id} is missing`);
  const fromKind = stageOf(def, before.stageKey).kind;
  if (fromKind !== 'open') throw new AppError(OpportunityErrors.deal_closed, { params: { stage: before.stageKey } });
  const won = def.stages.find((s) => s.kind === 'won');
  if (!won) throw new Error(`pipeline ${before.pipelineId} has no won stage`);
  const fxRate = input.amount.currency === before.currency ? before.fxRate : await rateOn(tx, input.amount.currency, companyDate(before.createdAt));
  const amountCompany = toCompanyAmount(input.amount, fxRate);
  const [updated] = await tx
    .update(opportunities)
    .set({
      stageKey: won.key,
      stageEnteredAt: ctx.now,
      forecastCategoryDefault: won.forecastCategory,
      probability: won.probability,
      closedAt: ctx.now,
      amount: input.amount.amount.toFixed(2),
      currency: input.amount.currency,
      amountCompany: amountCompany.amount.toFixed(2),
      fxRate,
      version: before.version + 1,
      updatedAt: ctx.now,
    })
    .where(eq(opportunities.id, before.id))
    .returning();
  const change = { from: before.stageKey, to: won.key, kind: 'won' as const };
  await insertStageHistory(tx, ctx, recordOf(updated!), change);
  await publishStageChanged(tx, ctx, recordOf(updated!), change);
  await writeAudit(tx, source(ctx), {
    entityType: 'opportunity',
    entityId: before.id,
    action: 'close_won',
    changes: { ...diffRecords(before, updated!), contract: [null, { id: input.contractId, number: input.contractNumber }] },
  });
}

/** Names of some deals, for other modules' lists and documents. Unchecked: callers check their own access. */
export async function getOpportunityNames(db: DbOrTx, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ id: string; name: string }>(
    db,
    sql`SELECT id, name FROM crm_opportunities WHERE id = ANY(${`{${[...new Set(ids)].join(',')}}`}::uuid[])`,
  );
  return new Map(rows.map((r) => [r.id, r.name]));
}
