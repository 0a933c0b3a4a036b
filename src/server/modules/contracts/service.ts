import { and, asc, desc, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import { type Currency, Money, isCurrency } from '../../../shared/money.ts';
import { assertCan, isInScope, readFilter, whereAll } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type DbOrTx, type Tx, withTx } from '../../platform/db.ts';
import { AppError, type FieldError, PlatformErrors, forbidden, notFound, versionConflict } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nextNumber } from '../../platform/numbers.ts';
import { canonicalJson } from '../../platform/http.ts';
import { publishEvent } from '../../platform/outbox.ts';
import { decodeTimestampIdCursor, encodeCursor, timestampCursorValue, toPage } from '../../platform/pagination.ts';
import { products } from '../catalog/schema.ts';
import { getCompanyToday } from '../catalog/service.ts';
import { getAccountBriefs } from '../crm/account-service.ts';
import { getOpportunityNames } from '../crm/opportunity-service.ts';
import { opportunities } from '../crm/schema.ts';
import type { QuoteLineInput, QuotePricedLine, QuoteTotals } from '../quotes/contract.ts';
import { BelowBilledError, BillingPlanError, buildBillingSchedule, getTermEndDate, getTermMonths, rebuildBillingSchedule } from './billing.ts';
import type {
  BillingInstallment,
  BillingPlanInput,
  Contract,
  ContractAmendment,
  ContractDetail,
  ContractLine,
  ContractPage,
  ContractSummary,
  ContractTerms,
  ContractTotals,
  CreateAmendmentBody,
  ListContractsQuery,
} from './contract.ts';
import { ContractErrors } from './errors.ts';
import { ContractPermissions } from './permissions.ts';
import { contractAmendments, contracts } from './schema.ts';
import { type AmendmentProduct, type ProductName, applyLineChanges, computeContractTotals, freezeLines, getContractTermMonths } from './terms.ts';

/**
 * Contracts: signed from an accepted quote version inside the quotes service's transaction (the
 * only way one is created), read through the same owner/unit scopes as deals, and changed only by
 * numbered amendments that record the terms before and after. The contract row carries the terms
 * in force; `contract.signed` and `contract.amended` hand them to delivery, billing and
 * performance.
 */

const READ = ContractPermissions['contracts.read'];
const AMEND = ContractPermissions['contracts.amend'];

type ContractRow = typeof contracts.$inferSelect;
type AmendmentRow = typeof contractAmendments.$inferSelect;

function source(ctx: ServiceContext) {
  return { actorId: ctx.actor.userId, requestId: ctx.requestId };
}

function scopeColumns() {
  return { ownerId: contracts.ownerId, unitId: contracts.unitId };
}

function currencyOf(row: Pick<ContractRow, 'currency'>): Currency {
  if (!isCurrency(row.currency)) throw new Error(`contract currency ${row.currency} is not supported`);
  return row.currency;
}

// ── Row ↔ wire ──────────────────────────────────────────────────────────────────────────────────

const linesOf = (row: ContractRow) => row.lines as ContractLine[];
const totalsOf = (row: ContractRow) => row.totals as ContractTotals;
const billingOf = (row: ContractRow) => row.billing as BillingInstallment[];

function header(row: Omit<ContractRow, 'lines' | 'billing' | 'totals'>) {
  return {
    id: row.id,
    number: row.number,
    quoteId: row.quoteId,
    quoteVersionId: row.quoteVersionId,
    opportunityId: row.opportunityId,
    accountId: row.accountId,
    ownerId: row.ownerId,
    unitId: row.unitId,
    currency: row.currency,
    status: row.status,
    signedDate: row.signedDate,
    signedBy: row.signedBy,
    startDate: row.startDate,
    endDate: row.endDate,
    billingType: row.billingType,
    customerReference: row.customerReference,
    amendmentCount: row.amendmentCount,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toContract(row: ContractRow): Contract {
  return { ...header(row), lines: linesOf(row), totals: totalsOf(row), billing: billingOf(row) };
}

type ContractNames = Pick<ContractSummary, 'opportunityName' | 'accountName' | 'accountNameEn'>;
type NamedRow = Pick<ContractRow, 'accountId' | 'opportunityId'>;

/** The deal's and the account's names of some contracts: one query per module, whatever their number. */
async function loadContractNames(db: DbOrTx, rows: readonly NamedRow[]): Promise<(row: NamedRow) => ContractNames> {
  const [accounts, deals] = await Promise.all([getAccountBriefs(db, rows.map((r) => r.accountId)), getOpportunityNames(db, rows.map((r) => r.opportunityId))]);
  return (row) => {
    const account = accounts.get(row.accountId);
    return { opportunityName: deals.get(row.opportunityId) ?? '', accountName: account?.nameZh ?? '', accountNameEn: account?.nameEn ?? null };
  };
}

function toSummary(row: Omit<ContractRow, 'lines' | 'billing' | 'totals'>, grandTotal: ContractTotals['grandTotal'], names: ContractNames): ContractSummary {
  return { ...header(row), ...names, grandTotal };
}

/** A contract with its names and amendments; `db` is the caller's transaction when it has one. */
async function toDetail(db: DbOrTx, row: ContractRow): Promise<ContractDetail> {
  const [names, amendments] = await Promise.all([loadContractNames(db, [row]), listAmendments(db, row.id)]);
  return { ...toContract(row), ...names(row), amendments };
}

function toAmendment(row: AmendmentRow): ContractAmendment {
  return {
    id: row.id,
    contractId: row.contractId,
    number: row.number,
    effectiveDate: row.effectiveDate,
    reason: row.reason,
    before: row.before as ContractTerms,
    after: row.after as ContractTerms,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

function termsOf(row: Pick<ContractRow, 'status' | 'endDate' | 'billingType' | 'lines' | 'totals' | 'billing'>): ContractTerms {
  return {
    status: row.status,
    endDate: row.endDate,
    billingType: row.billingType,
    lines: row.lines as ContractLine[],
    totals: row.totals as ContractTotals,
    billing: row.billing as BillingInstallment[],
  };
}

/** What the audit keeps of a contract: its header and grand total (lines and schedule are on the row and in the amendments). */
function audited(row: ContractRow) {
  return {
    number: row.number,
    quoteVersionId: row.quoteVersionId,
    status: row.status,
    signedDate: row.signedDate,
    startDate: row.startDate,
    endDate: row.endDate,
    billingType: row.billingType,
    customerReference: row.customerReference,
    grandTotal: totalsOf(row).grandTotal,
    installments: billingOf(row).length,
    amendmentCount: row.amendmentCount,
  };
}

// ── Billing plan checks ─────────────────────────────────────────────────────────────────────────

function billingProblem(error: BillingPlanError, at: string): AppError {
  const errors = error.issues.map((i) => ({ path: `${at}.${i.path}`, message: i.message }));
  return new AppError(ContractErrors.invalid_billing_plan, { params: { count: errors.length }, errors });
}

/**
 * Refuse a billing plan that cannot be scheduled (422 `contracts.invalid_billing_plan`, paths under
 * `at`, e.g. `billing.milestones.2.percent`). For callers that check an acceptance before opening
 * their transaction; signContractFromQuote checks again.
 */
export function assertBillingPlan(plan: BillingPlanInput, version: { termMonths: number | null; lines: readonly Pick<QuoteLineInput, 'termMonths'>[] }, at = 'billing'): void {
  try {
    buildBillingSchedule({ plan, total: Money.zero(), startDate: '2000-01-01', termMonths: getContractTermMonths(version) });
  } catch (error) {
    if (error instanceof BillingPlanError) throw billingProblem(error, at);
    throw error;
  }
}

// ── Products ────────────────────────────────────────────────────────────────────────────────────

/** The SKU, names, unit and tax rate of products, for freezing lines (the quotes service may call it before its transaction). */
export async function loadContractProducts(db: DbOrTx, productIds: readonly string[]): Promise<Map<string, AmendmentProduct>> {
  const ids = [...new Set(productIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: products.id, sku: products.sku, nameZh: products.nameZh, nameEn: products.nameEn, unit: products.unit, taxPercent: products.taxPercent })
    .from(products)
    .where(inArray(products.id, ids));
  return new Map(rows.map(({ id, ...p }) => [id, p]));
}

// ── Signing ─────────────────────────────────────────────────────────────────────────────────────

export interface SignContractInput {
  quote: { id: string; number: string; opportunityId: string; accountId: string; ownerId: string; unitId: string; currency: Currency };
  version: { id: string; number: number; termMonths: number | null; lines: QuoteLineInput[]; priced: QuotePricedLine[]; totals: QuoteTotals };
  billing: BillingPlanInput;
  /** Local date the customer signed. */
  signedDate: string;
  /** Defaults to the signed date. */
  startDate?: string;
  customerReference?: string;
  productNames: ReadonlyMap<string, ProductName>;
}

/**
 * Sign the contract of an accepted quote version, inside the caller's transaction (the quotes
 * service's acceptance): freeze the counted lines with their products, the totals and the billing
 * schedule; number it C-<year>-nnnnnn (the counter row is locked until the caller commits, as for
 * quotes); audit; publish `contract.signed`. Opens no transaction of its own. A version already
 * signed is 409 `contracts.already_signed`; a plan that cannot be scheduled is 422
 * `contracts.invalid_billing_plan` with `billing.…` paths.
 */
export async function signContractFromQuote(tx: Tx, ctx: ServiceContext, input: SignContractInput): Promise<Contract> {
  const { quote, version } = input;
  const currency = quote.currency;
  const startDate = input.startDate ?? input.signedDate;
  const termMonths = getContractTermMonths(version);
  const lines = freezeLines(version.priced, version.lines, input.productNames);
  const totals = computeContractTotals(lines, currency);
  if (!Money.fromJSON(totals.grandTotal).equals(Money.fromJSON(version.totals.grandTotal))) {
    // The frozen lines must add up to what the customer accepted; anything else is a bug upstream.
    throw new Error(`quote version ${version.id}: lines sum to ${totals.grandTotal.amount}, the version's total is ${version.totals.grandTotal.amount}`);
  }
  let billing: BillingInstallment[];
  try {
    billing = buildBillingSchedule({ plan: input.billing, total: Money.fromJSON(totals.grandTotal), startDate, termMonths });
  } catch (error) {
    if (error instanceof BillingPlanError) throw billingProblem(error, 'billing');
    throw error;
  }
  const endDate = input.billing.type === 'subscription' && termMonths !== null ? getTermEndDate(startDate, termMonths) : null;

  const [existing] = await tx.select({ number: contracts.number }).from(contracts).where(eq(contracts.quoteVersionId, version.id));
  if (existing) throw new AppError(ContractErrors.already_signed, { params: { number: existing.number } });
  const [deal] = await tx.select({ name: opportunities.name }).from(opportunities).where(eq(opportunities.id, quote.opportunityId));

  const number = await nextNumber(tx, 'C', Number(getCompanyToday(ctx).slice(0, 4)));
  const [row] = await tx
    .insert(contracts)
    .values({
      id: newId(),
      number,
      quoteId: quote.id,
      quoteVersionId: version.id,
      opportunityId: quote.opportunityId,
      accountId: quote.accountId,
      ownerId: quote.ownerId,
      unitId: quote.unitId,
      currency,
      signedDate: input.signedDate,
      signedBy: ctx.actor.userId,
      startDate,
      endDate,
      billingType: input.billing.type,
      lines,
      totals,
      billing,
      customerReference: input.customerReference ?? '',
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    .returning();
  const contract = row!;
  await writeAudit(tx, source(ctx), {
    entityType: 'contract',
    entityId: contract.id,
    action: 'sign',
    changes: { ...diffRecords(null, audited(contract)), quoteId: [null, quote.id] },
  });
  await publishEvent(tx, source(ctx), {
    type: 'contract.signed',
    aggregateType: 'contract',
    aggregateId: contract.id,
    payload: {
      // What the CRM timeline needs (crm/timeline.ts LINE_EVENTS).
      accountId: contract.accountId,
      opportunityId: contract.opportunityId,
      contractId: contract.id,
      number: contract.number,
      name: deal?.name ?? contract.number,
      amount: totals.grandTotal,
      signedOn: contract.signedDate,
      // What delivery, billing and performance need.
      quoteId: contract.quoteId,
      quoteVersionId: contract.quoteVersionId,
      quoteNumber: quote.number,
      quoteVersionNo: version.number,
      ownerId: contract.ownerId,
      unitId: contract.unitId,
      currency,
      net: totals.net,
      tax: totals.tax,
      grandTotal: totals.grandTotal,
      billingType: contract.billingType,
      startDate: contract.startDate,
      endDate: contract.endDate,
      lines: lines.map((l) => ({ lineId: l.lineId, productId: l.productId, quantity: l.quantity, net: l.net })),
    },
  });
  return toContract(contract);
}

// ── Reading ─────────────────────────────────────────────────────────────────────────────────────

async function loadVisibleContract(ctx: ServiceContext, id: string): Promise<ContractRow> {
  const [row] = await ctx.db
    .select()
    .from(contracts)
    .where(whereAll(eq(contracts.id, id), readFilter(ctx.actor, READ, scopeColumns())));
  if (!row) throw notFound('contract');
  return row;
}

async function loadAmendments(db: DbOrTx, contractId: string): Promise<AmendmentRow[]> {
  return db.select().from(contractAmendments).where(eq(contractAmendments.contractId, contractId)).orderBy(asc(contractAmendments.number));
}

/** A contract's amendments, oldest first (the caller has proved the contract visible). */
export async function listAmendments(db: DbOrTx, contractId: string): Promise<ContractAmendment[]> {
  return (await loadAmendments(db, contractId)).map(toAmendment);
}

export async function getContract(ctx: ServiceContext, id: string): Promise<ContractDetail> {
  return toDetail(ctx.db, await loadVisibleContract(ctx, id));
}

/** May the actor see this contract? For the audit history of a record (registerEntityReader). */
export async function canReadContract(ctx: ServiceContext, id: string): Promise<boolean> {
  const [row] = await ctx.db
    .select({ id: contracts.id })
    .from(contracts)
    .where(whereAll(eq(contracts.id, id), readFilter(ctx.actor, READ, scopeColumns())));
  return !!row;
}

/** May the actor see this amendment (its contract)? For the audit history of a record. */
export async function canReadContractAmendment(ctx: ServiceContext, id: string): Promise<boolean> {
  const [row] = await ctx.db
    .select({ id: contractAmendments.id })
    .from(contractAmendments)
    .innerJoin(contracts, eq(contracts.id, contractAmendments.contractId))
    .where(whereAll(eq(contractAmendments.id, id), readFilter(ctx.actor, READ, scopeColumns())));
  return !!row;
}

const SORT = '-createdAt';

/** Contracts the caller can see, newest first; by account, deal, owner or status. */
export async function listContracts(ctx: ServiceContext, q: ListContractsQuery): Promise<ContractPage> {
  let after: SQL | undefined;
  if (q.cursor) {
    const [v, id] = decodeTimestampIdCursor(SORT, q.cursor);
    after = sql`(${contracts.createdAt}, ${contracts.id}) < (${v}::timestamptz, ${id}::uuid)`;
  }
  const { lines: _l, billing: _b, totals: _t, ...headerColumns } = getTableColumns(contracts);
  const rows = await ctx.db
    .select({
      row: headerColumns,
      grandTotal: sql<ContractTotals['grandTotal']>`${contracts.totals} -> 'grandTotal'`,
      cursorAt: timestampCursorValue(contracts.createdAt),
    })
    .from(contracts)
    .where(
      whereAll(
        readFilter(ctx.actor, READ, scopeColumns()),
        q.accountId ? eq(contracts.accountId, q.accountId) : undefined,
        q.opportunityId ? eq(contracts.opportunityId, q.opportunityId) : undefined,
        q.ownerId ? eq(contracts.ownerId, q.ownerId) : undefined,
        q.status ? eq(contracts.status, q.status) : undefined,
        after,
      ),
    )
    .orderBy(desc(contracts.createdAt), desc(contracts.id))
    .limit(q.limit + 1);
  // One query per module for the page's names, whatever its length.
  const names = await loadContractNames(ctx.db, rows.slice(0, q.limit).map((r) => r.row));
  return toPage(
    rows,
    q.limit,
    (r) => toSummary(r.row, r.grandTotal, names(r.row)),
    (r) => encodeCursor(SORT, [r.cursorAt, r.row.id]),
  );
}

// ── Amending ────────────────────────────────────────────────────────────────────────────────────

function fail(code: string, errors: FieldError[], params: Record<string, string | number> = {}): AppError {
  return new AppError(code, { params: { count: errors.length, ...params }, errors });
}

/**
 * Amend a signed contract: change lines (quantity or net unit price of a line, lines added or
 * removed), the billing plan, the end date or the status (completed, terminated). The totals are
 * recomputed from the lines (changed lines re-rounded once, tax on the rounded net); the billing
 * schedule is rebuilt when the plan, the total or a subscription's end date changes, keeping the
 * installments due before the effective date as they were (billing.ts, rebuildBillingSchedule).
 * The amendment is numbered 1, 2… per contract with the terms before and after; the contract's
 * `version` guards against a stale write (409). Only an active contract can be amended.
 *
 * Changing the status alone leaves the schedule as it is: ending a contract early and billing
 * less are separate decisions, both explicit (remove or reduce the lines in the same amendment).
 */
export async function createAmendment(ctx: ServiceContext, contractId: string, body: CreateAmendmentBody): Promise<ContractDetail> {
  const before = await loadVisibleContract(ctx, contractId);
  const scope = assertCan(ctx.actor, AMEND);
  if (!isInScope(ctx.actor, scope, before)) throw forbidden(AMEND);
  if (before.version !== body.version) throw versionConflict(before.version);
  if (before.status !== 'active') throw new AppError(ContractErrors.contract_closed, { params: { status: before.status } });
  const currency = currencyOf(before);
  const { changes, effectiveDate } = body;

  if (effectiveDate < before.signedDate) {
    throw fail(ContractErrors.date_before_start, [{ path: 'effectiveDate', message: 'v:before_signed_date' }], { date: before.signedDate });
  }
  const endDate = changes.endDate !== undefined ? changes.endDate : before.endDate;
  if (endDate !== null && endDate < before.startDate) {
    throw fail(ContractErrors.date_before_start, [{ path: 'changes.endDate', message: 'v:date_before_start' }], { date: before.startDate });
  }

  const productsById = await loadContractProducts(ctx.db, (changes.lines?.add ?? []).map((a) => a.productId));
  const applied = applyLineChanges(linesOf(before), changes.lines, productsById, currency);
  if (applied.issues.length > 0) {
    throw fail(
      PlatformErrors.reference_invalid,
      applied.issues.map((i) => ({ path: `changes.lines.${i.path}`, message: i.message })),
    );
  }
  if (applied.lines.length === 0) throw fail(ContractErrors.no_lines, [{ path: 'changes.lines.remove', message: 'v:contract_needs_line' }]);
  const lines = applied.lines;
  const totals = computeContractTotals(lines, currency);
  const total = Money.fromJSON(totals.grandTotal);
  const billingType = changes.billing?.type ?? before.billingType;
  const isTotalChanged = !total.equals(Money.fromJSON(totalsOf(before).grandTotal));
  const isEndChanged = endDate !== before.endDate;

  let billing = billingOf(before);
  let termMonths: number | null = null;
  if (changes.billing || isTotalChanged || (billingType === 'subscription' && isEndChanged)) {
    if (billingType === 'subscription' && isEndChanged && !changes.billing) {
      // The periods follow the term: a new end date needs the plan restated (its period length).
      throw fail(ContractErrors.invalid_billing_plan, [{ path: 'changes.billing', message: 'v:required' }]);
    }
    if (billingType === 'subscription') {
      if (endDate !== null) {
        termMonths = getTermMonths(before.startDate, endDate);
        if (termMonths === null) throw fail(ContractErrors.invalid_billing_plan, [{ path: 'changes.endDate', message: 'v:billing_whole_months' }]);
      } else {
        termMonths = getContractTermMonths({ termMonths: null, lines: lines.map((l) => ({ termMonths: l.termMonths ?? undefined })) });
      }
    }
    try {
      billing = rebuildBillingSchedule({
        current: billingOf(before),
        plan: changes.billing,
        total,
        effectiveDate,
        startDate: before.startDate,
        termMonths,
        amendmentNumber: before.amendmentCount + 1,
      });
    } catch (error) {
      if (error instanceof BillingPlanError) throw billingProblem(error, 'changes.billing');
      if (error instanceof BelowBilledError) {
        throw fail(ContractErrors.below_billed, [{ path: changes.lines ? 'changes.lines' : 'changes.billing', message: 'v:below_billed' }], {
          billed: error.billed.toFixedString(),
          total: error.total.toFixedString(),
        });
      }
      throw error;
    }
  }
  // A contract re-planned as a subscription without an end date gets the one its term implies.
  const newEnd = billingType === 'subscription' && endDate === null && termMonths !== null ? getTermEndDate(before.startDate, termMonths) : endDate;
  const status = changes.status ?? before.status;
  const beforeTerms = termsOf(before);
  const afterTerms: ContractTerms = { status, endDate: newEnd, billingType, lines, totals, billing };
  // jsonb keeps its own key order: compare canonically.
  const changed = (Object.keys(afterTerms) as (keyof ContractTerms)[]).filter((k) => canonicalJson(beforeTerms[k]) !== canonicalJson(afterTerms[k]));
  if (changed.length === 0) throw fail(ContractErrors.no_change, [{ path: 'changes', message: 'v:no_change' }]);

  return withTx(ctx.db, async (tx) => {
    const [after] = await tx
      .update(contracts)
      .set({
        status,
        endDate: newEnd,
        billingType,
        lines,
        totals,
        billing,
        amendmentCount: sql`${contracts.amendmentCount} + 1`,
        version: sql`${contracts.version} + 1`,
        updatedAt: ctx.now,
      })
      .where(and(eq(contracts.id, contractId), eq(contracts.version, body.version), eq(contracts.status, 'active')))
      .returning();
    if (!after) {
      const [current] = await tx.select({ version: contracts.version }).from(contracts).where(eq(contracts.id, contractId));
      throw versionConflict(current?.version ?? before.version + 1);
    }
    const [amendment] = await tx
      .insert(contractAmendments)
      .values({
        id: newId(),
        contractId,
        number: after.amendmentCount,
        effectiveDate,
        reason: body.reason,
        before: beforeTerms,
        after: afterTerms,
        createdBy: ctx.actor.userId,
        createdAt: ctx.now,
      })
      .returning();
    await writeAudit(tx, source(ctx), [
      { entityType: 'contract', entityId: contractId, action: 'amend', changes: { ...diffRecords(audited(before), audited(after)), amendmentId: [null, amendment!.id] } },
      {
        entityType: 'contract_amendment',
        entityId: amendment!.id,
        action: 'create',
        changes: diffRecords(null, { contractId, number: amendment!.number, effectiveDate, reason: body.reason }),
      },
    ]);
    const payload = {
      accountId: after.accountId,
      opportunityId: after.opportunityId,
      contractId,
      number: after.number,
      amendmentId: amendment!.id,
      amendmentNo: amendment!.number,
      effectiveDate,
      ownerId: after.ownerId,
      unitId: after.unitId,
      currency,
      status: after.status,
      statusBefore: before.status,
      billingType: after.billingType,
      endDate: after.endDate,
      net: totals.net,
      tax: totals.tax,
      grandTotal: totals.grandTotal,
      grandTotalBefore: totalsOf(before).grandTotal,
      changed,
      lines: lines.map((l) => ({ lineId: l.lineId, productId: l.productId, quantity: l.quantity, net: l.net })),
    };
    await publishEvent(tx, source(ctx), { type: 'contract.amended', aggregateType: 'contract', aggregateId: contractId, payload });
    if (status === 'terminated') {
      await publishEvent(tx, source(ctx), { type: 'contract.cancelled', aggregateType: 'contract', aggregateId: contractId, payload });
    }
    return toDetail(tx, after);
  });
}
