import { promisify } from 'node:util';
import { deflateRaw as deflateRawCallback, inflateRaw as inflateRawCallback } from 'node:zlib';
import { and, desc, eq, getTableColumns, ne, sql, type SQL } from 'drizzle-orm';
import { type Currency, Dec, Money } from '../../../shared/money.ts';
import { assertCan, can, isInScope, readFilter, scopeFor, whereAll } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type DbOrTx, type Tx, queryRows, withTx } from '../../platform/db.ts';
import { AppError, type FieldError, PlatformErrors, forbidden, notFound, versionConflict } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nextNumberSql } from '../../platform/numbers.ts';
import { publishEvent } from '../../platform/outbox.ts';
import { decodeTimestampIdCursor, encodeCursor, timestampCursorValue, toPage } from '../../platform/pagination.ts';
import { isValidOn, toEngineCatalog, toListTierRule } from '../catalog/catalog.ts';
import { type PricingCatalogRows, type PricingPriceBook, getCompanyToday, getContractPriceLists, getPricingPriceBookCached, loadPricingCatalogCached } from '../catalog/service.ts';
import { getAccountBriefs, loadAccountPricingProfile } from '../crm/account-service.ts';
import type { OpportunityDetail } from '../crm/opportunity-contract.ts';
import { getOpportunity, getOpportunityNames } from '../crm/opportunity-service.ts';
import { CrmPermissions } from '../crm/permissions.ts';
import { COMPANY_TIME_ZONE } from '../org/service.ts';
import { createCatalogIndex } from '../pricing/catalog.ts';
import { computeQuotePricing } from '../pricing/engine.ts';
import { type ExplanationStep, collectRuleIds, formatExplanationStep, listExplanationSteps } from '../pricing/explanation.ts';
import { isStoredExplanationStep, reviveExplanationStep } from '../pricing/stored-explanation.ts';
import { getRuleCodes } from '../pricing/rule-service.ts';
import type { PricingRule } from '../pricing/pricing-rule.ts';
import type { PricingRequest } from '../pricing/pricing-types.ts';
import { getPublishedRuleCache, withRuleOverlay } from '../pricing/rule-cache.ts';
import type {
  CreateQuoteBody,
  CreateQuoteVersionBody,
  ExplanationText,
  ListQuotesQuery,
  Quote,
  QuoteDetail,
  QuoteExplanation,
  QuoteLineInput,
  QuotePage,
  QuotePricedLine,
  QuoteTotals,
  QuoteVersion,
  SendQuoteVersionBody,
  UpdateQuoteVersionBody,
} from './contract.ts';
import type { PricePreview, PricePreviewBody } from './approval-contract.ts';
import { evaluatePolicy, toMetricValues } from './approval-data.ts';
import { QuoteErrors } from './errors.ts';
import { QuotePermissions } from './permissions.ts';
import { DEFAULT_VALIDITY_DAYS, addDays, computeQuoteTotals, getEditBlock, getRevisionBlock, getRevisionDates, toChineseCapitals } from './quote.ts';
import { type VersionExplanations, quoteVersionExplanations, quoteVersions, quotes } from './schema.ts';

/**
 * Quotes and their versions. A quote is created for a deal the caller can read and write; it is
 * owned like the deal (owner and unit copied from it) and read through the same scopes. Every save
 * of a draft re-prices it with the engine against the published rules (pricing/rule-cache.ts) and
 * stores the priced snapshot; a sent or approved version is frozen and a change starts the next
 * version. Pricing runs before the transaction; the transaction writes the rows, the audit and the
 * events.
 */

const READ = QuotePermissions['quotes.read'];
const WRITE = QuotePermissions['quotes.write'];
const FLOOR_OVERRIDE = QuotePermissions['quotes.floor_override'];
const DEAL_WRITE = CrmPermissions['crm.opportunities.write'];

type QuoteRow = typeof quotes.$inferSelect;
type VersionRow = typeof quoteVersions.$inferSelect;

/** Money on the wire with its currency typed (MoneyJson's is a plain string). */
export function wire(m: Money): { amount: string; currency: Currency } {
  return { amount: m.toFixedString(), currency: m.currency };
}

export function source(ctx: ServiceContext) {
  return { actorId: ctx.actor.userId, requestId: ctx.requestId };
}

function scopeColumns() {
  return { ownerId: quotes.ownerId, unitId: quotes.unitId };
}

// ── Pricing ─────────────────────────────────────────────────────────────────────────────────────

interface PricingInput {
  accountId: string;
  opportunity: Pick<OpportunityDetail, 'id' | 'stageKey' | 'source' | 'custom'>;
  priceBookId: string;
  currency: string;
  pricingDate: string;
  termMonths: number | null;
  lines: QuoteLineInput[];
}

interface PricedVersion {
  priced: QuotePricedLine[];
  totals: QuoteTotals;
  /** Each distinct step once, as the engine made it; each line's steps as indexes (stored as VersionExplanations). */
  explanations: { steps: ExplanationStep[]; lines: Record<string, number[]> };
  /** A step's text in zh and en with the codes of the rules the engine used (for the preview, which stores nothing). */
  render: (step: ExplanationStep) => ExplanationText;
}

const deflateRaw = promisify(deflateRawCallback);
const inflateRaw = promisify(inflateRawCallback);

const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** A step in one language, every rule named by its code (ids without one stay as they are). */
function stepText(step: ExplanationStep, locale: 'zh' | 'en', codeOf: (ruleId: string) => string | undefined): string {
  return formatExplanationStep(step, locale).replace(UUID_IN_TEXT, (id) => codeOf(id) ?? id);
}

const ISSUE_MESSAGES: Record<string, { field: string; message: string }> = {
  unknown_product: { field: 'productId', message: 'v:unknown_product' },
  no_price: { field: 'productId', message: 'v:no_price' },
  invalid_price: { field: 'productId', message: 'v:no_price' },
  missing_exchange_rate: { field: 'productId', message: 'v:no_exchange_rate' },
  invalid_quantity: { field: 'quantity', message: 'v:positive_integer' },
  invalid_manual: { field: 'manualUnitPrice', message: 'v:manual_price_or_discount' },
};

/**
 * Price a version's lines with the engine: the price book and its tier tables, the account's
 * pricing profile and contracted prices, the published rules. The caller's manual prices and
 * discounts are the engine's MANUAL phase; a manual price that ends below the floor is refused
 * unless the caller may override floors. Throws problem+json before anything is written.
 */
/** What pricing derives from the catalog and a book version, built once per version of them (both are immutable snapshots). */
const catalogDerived = new WeakMap<PricingCatalogRows, { known: ReadonlySet<string>; index: ReturnType<typeof createCatalogIndex> }>();
const bookDerived = new WeakMap<PricingPriceBook, { prices: Record<string, string>; tierRules: PricingRule[] }>();

function deriveCatalog(rows: PricingCatalogRows) {
  let d = catalogDerived.get(rows);
  if (!d) {
    d = { known: new Set(rows.products.map((p) => p.id)), index: createCatalogIndex(toEngineCatalog(rows.groups, rows.products)) };
    catalogDerived.set(rows, d);
  }
  return d;
}

function deriveBook(book: PricingPriceBook) {
  let d = bookDerived.get(book);
  if (!d) {
    const prices: Record<string, string> = {};
    for (const e of book.entries) prices[e.productId] = e.unitPrice;
    const tierRules = book.entries.flatMap((e) =>
      e.tiers ? [toListTierRule({ priceBookId: book.id, productId: e.productId, tiers: e.tiers }, book.currency, book.version)] : [],
    );
    d = { prices, tierRules };
    bookDerived.set(book, d);
  }
  return d;
}

export async function priceVersion(ctx: ServiceContext, input: PricingInput): Promise<PricedVersion> {
  const book = await getPricingPriceBookCached(ctx.db, input.priceBookId);
  if (!book) throw new AppError(PlatformErrors.reference_invalid, { errors: [{ path: 'priceBookId', message: 'v:uuid' }] });
  if (input.currency !== book.currency) {
    throw new AppError(QuoteErrors.currency_mismatch, {
      params: { given: input.currency, expected: book.currency },
      errors: [{ path: 'currency', message: 'v:currency_mismatch' }],
    });
  }
  if (!book.isActive || !isValidOn(book, input.pricingDate)) {
    throw new AppError(QuoteErrors.price_book_not_valid, {
      params: { date: input.pricingDate },
      errors: [{ path: 'pricingDate', message: 'v:price_book_not_valid' }],
    });
  }
  const { known, index } = deriveCatalog(await loadPricingCatalogCached(ctx.db));
  const unknown = input.lines.flatMap((l, i) => (known.has(l.productId) ? [] : [{ path: `lines.${i}.productId`, message: 'v:unknown_product' }]));
  if (unknown.length > 0) throw new AppError(PlatformErrors.reference_invalid, { errors: unknown });

  // The caller proved it may change the deal; its account's pricing data follows even outside their account scope.
  const profile = await loadAccountPricingProfile(ctx.db, input.accountId);
  const contractPrices = await getContractPriceLists(ctx.db, [profile.id, ...profile.parentAccountIds], book.currency, input.pricingDate);
  const cache = getPublishedRuleCache(ctx.db);
  const set = await cache.getRuleSet(ctx.db);
  const { prices, tierRules } = deriveBook(book);
  const request: PricingRequest = {
    customer: {
      id: profile.id,
      parentAccountIds: profile.parentAccountIds,
      groupAncestors: profile.customerGroupAncestors,
      kind: profile.kind,
      region: profile.region,
      custom: profile.custom,
    },
    opportunity: {
      id: input.opportunity.id,
      stage: input.opportunity.stageKey,
      ...(input.opportunity.source ? { source: input.opportunity.source } : {}),
      custom: input.opportunity.custom,
    },
    quote: { currency: book.currency, pricingDate: input.pricingDate, timeZone: COMPANY_TIME_ZONE, ...(input.termMonths ? { termMonths: input.termMonths } : {}) },
    priceBook: { id: book.id, currency: book.currency, prices },
    contractPrices,
    lines: input.lines.map((l) => ({
      id: l.id!,
      productId: l.productId,
      quantity: l.quantity,
      ...(l.termMonths ? { termMonths: l.termMonths } : {}),
      ...(l.manualDiscountPercent !== undefined ? { manualDiscountPercent: l.manualDiscountPercent } : {}),
      ...(l.manualUnitPrice !== undefined ? { manualUnitPrice: l.manualUnitPrice } : {}),
    })),
  };
  // The engine is synchronous: the book's tier tables are overlaid on the shared set only while it runs.
  const result = withRuleOverlay(set, tierRules, () => computeQuotePricing(set, index, request));

  const indexOf = new Map(input.lines.map((l, i) => [l.id!, i]));
  const problems: FieldError[] = [];
  for (const line of result.lines) {
    const i = indexOf.get(line.lineId);
    if (i === undefined || line.issues.length === 0) continue;
    for (const issue of line.issues) {
      const m = ISSUE_MESSAGES[issue.code] ?? { field: 'productId', message: 'v:pricing_line_error' };
      problems.push({ path: `lines.${i}.${m.field}`, message: m.message });
    }
  }
  if (problems.length > 0 || result.hasErrors) {
    if (problems.length === 0) problems.push({ path: 'lines', message: 'v:pricing_line_error' });
    throw new AppError(QuoteErrors.pricing_failed, { params: { count: problems.length }, errors: problems });
  }

  const mayOverride = can(ctx.actor, FLOOR_OVERRIDE);
  const breaches: FieldError[] = [];
  for (const line of result.lines) {
    const i = indexOf.get(line.lineId);
    if (i === undefined || !line.belowFloor) continue;
    const input_ = input.lines[i]!;
    const isManual = input_.manualUnitPrice !== undefined || input_.manualDiscountPercent !== undefined;
    if (isManual && !mayOverride) {
      breaches.push({ path: `lines.${i}.${input_.manualUnitPrice !== undefined ? 'manualUnitPrice' : 'manualDiscountPercent'}`, message: 'v:below_floor' });
    }
  }

  // The codes of the rules used, from the published set the engine just used (nothing awaited since,
  // so the two agree).
  const codeOf = (ruleId: string): string | undefined => cache.getInfo(ruleId)?.code;
  const versionOf = (ruleId: string): number => (ruleId.startsWith('pricebook:') ? book.version : (cache.getInfo(ruleId)?.version ?? 0));
  const currency = book.currency;
  const money = (d: Dec) => wire(Money.of(d, currency));

  // Every distinct step is kept once (VersionExplanations), as data, rendered only when read: a rule
  // dismissed for the whole quote (outside validity, a quote-level condition false) is one step
  // object the engine shares across every line of its product groups.
  const steps: ExplanationStep[] = [];
  const stepIndex = new Map<ExplanationStep, number>();
  const indexOfStep = (s: ExplanationStep): number => {
    let i = stepIndex.get(s);
    if (i === undefined) {
      i = steps.push(s) - 1;
      stepIndex.set(s, i);
    }
    return i;
  };
  const explanations: PricedVersion['explanations'] = { steps, lines: {} };
  const priced: QuotePricedLine[] = result.lines.map((line) => {
    const i = indexOf.get(line.lineId);
    const entered = i === undefined ? undefined : input.lines[i];
    const isManual = !!entered && (entered.manualUnitPrice !== undefined || entered.manualDiscountPercent !== undefined);
    const used = [...new Set(line.explanation.steps.flatMap((s) => (s.type === 'applied' ? [s.ruleId] : [])))];
    explanations.lines[line.lineId] = listExplanationSteps(line.explanation).map(indexOfStep);
    return {
      lineId: line.lineId,
      productId: line.productId,
      quantity: line.quantity,
      role: line.role,
      parentLineId: line.parentLineId,
      isCounted: line.isCounted,
      listUnit: line.listUnit === null ? null : line.listUnit.toFixed(),
      netUnit: line.netUnit.toFixed(),
      list: money(line.listAmount),
      net: money(line.netAmount),
      tax: money(line.taxAmount),
      cost: line.costAmount === null ? null : money(line.costAmount),
      taxPercent: line.taxPercent,
      discountPercent: line.discountPercent,
      floor: line.floor === null ? null : line.floor.toFixed(),
      belowFloor: line.belowFloor !== null,
      floorOverride: line.belowFloor !== null && isManual && mayOverride,
      rulesUsed: used.map((ruleId) => ({ ruleId, code: codeOf(ruleId) ?? null, version: versionOf(ruleId) })),
    };
  });
  if (breaches.length > 0 && !(await isBelowFloorRouted(ctx.db, currency, priced, input.pricingDate))) {
    throw new AppError(QuoteErrors.below_floor, { params: { count: breaches.length }, errors: breaches });
  }
  const render = (s: ExplanationStep): ExplanationText => ({ type: s.type, ruleId: 'ruleId' in s ? s.ruleId : null, zh: stepText(s, 'zh', codeOf), en: stepText(s, 'en', codeOf) });
  return { priced, totals: toTotals(priced, currency), explanations, render };
}

/**
 * A manual price below the floor is allowed without the override role when the approval policy
 * sends such a quote to an approver (a `below_floor_lines` rule fires): the approval decides.
 */
async function isBelowFloorRouted(db: DbOrTx, currency: Currency, priced: readonly QuotePricedLine[], pricingDate: string): Promise<boolean> {
  const { steps } = await evaluatePolicy(db, currency, priced, pricingDate);
  return steps.some((step) => step.triggers.some((t) => t.metric === 'below_floor_lines'));
}

function toTotals(priced: readonly QuotePricedLine[], currency: Currency): QuoteTotals {
  const t = computeQuoteTotals(
    priced.map((l) => ({
      isCounted: l.isCounted,
      list: new Dec(l.list.amount),
      net: new Dec(l.net.amount),
      tax: new Dec(l.tax.amount),
      cost: l.cost === null ? null : new Dec(l.cost.amount),
    })),
    currency,
  );
  return {
    list: wire(t.list),
    net: wire(t.net),
    discount: wire(t.discount),
    discountPercent: t.discountPercent,
    cost: wire(t.cost),
    isCostComplete: t.isCostComplete,
    margin: wire(t.margin),
    marginPercent: t.marginPercent,
    tax: wire(t.tax),
    grandTotal: wire(t.grandTotal),
    grandTotalInWords: toChineseCapitals(t.grandTotal),
  };
}

/** Lines keep their ids across versions; new lines get the next free L<n>. Two lines with one id are refused. */
export function withLineIds(lines: readonly QuoteLineInput[]): QuoteLineInput[] {
  const seen = new Set<string>();
  const dupes: FieldError[] = [];
  lines.forEach((l, i) => {
    if (l.id === undefined) return;
    if (seen.has(l.id)) dupes.push({ path: `lines.${i}.id`, message: 'v:duplicate' });
    seen.add(l.id);
  });
  if (dupes.length > 0) throw new AppError(PlatformErrors.validation, { params: { count: dupes.length }, errors: dupes });
  let n = 0;
  return lines.map((l) => {
    if (l.id !== undefined) return l;
    let id: string;
    do id = `L${++n}`;
    while (seen.has(id));
    seen.add(id);
    return { ...l, id };
  });
}

export function assertDates(pricingDate: string, validUntil: string): void {
  if (validUntil < pricingDate) {
    throw new AppError(QuoteErrors.valid_until_before_pricing_date, {
      params: { pricingDate, validUntil },
      errors: [{ path: 'validUntil', message: 'v:date_before_start' }],
    });
  }
}

// ── Reading ─────────────────────────────────────────────────────────────────────────────────────

function toVersion(row: VersionRow): QuoteVersion {
  return {
    id: row.id,
    quoteId: row.quoteId,
    number: row.number,
    status: row.status,
    pricingDate: row.pricingDate,
    validUntil: row.validUntil,
    termMonths: row.termMonths,
    terms: row.terms,
    lines: row.lines,
    priced: row.priced,
    totals: row.totals,
    createdBy: row.createdBy,
    sentAt: row.sentAt?.toISOString() ?? null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

type QuoteNames = Pick<Quote, 'opportunityName' | 'accountName' | 'accountNameEn'>;
type NamedRow = Pick<QuoteRow, 'accountId' | 'opportunityId'>;

/**
 * The deal's and the account's names of some quotes: one query for the deals and one for the
 * accounts, whatever the number of quotes. Read past the account's scope on purpose: a deal's owner
 * may quote a deal on an account they cannot open, and the name is printed on the quote anyway.
 */
async function loadQuoteNames(db: DbOrTx, rows: readonly NamedRow[]): Promise<(row: NamedRow) => QuoteNames> {
  const [accounts, deals] = await Promise.all([getAccountBriefs(db, rows.map((r) => r.accountId)), getOpportunityNames(db, rows.map((r) => r.opportunityId))]);
  return (row) => {
    const account = accounts.get(row.accountId);
    return { opportunityName: deals.get(row.opportunityId) ?? '', accountName: account?.nameZh ?? '', accountNameEn: account?.nameEn ?? null };
  };
}

function toQuote(row: QuoteRow, total: QuoteTotals['grandTotal'] | null, names: QuoteNames): Quote {
  return {
    id: row.id,
    number: row.number,
    opportunityId: row.opportunityId,
    opportunityName: names.opportunityName,
    accountId: row.accountId,
    accountName: names.accountName,
    accountNameEn: names.accountNameEn,
    ownerId: row.ownerId,
    unitId: row.unitId,
    currency: row.currency,
    priceBookId: row.priceBookId,
    status: row.status,
    acceptedVersionId: row.acceptedVersionId,
    latestVersionNo: row.latestVersionNo,
    total,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function loadVisibleQuote(ctx: ServiceContext, id: string): Promise<QuoteRow> {
  const [row] = await ctx.db
    .select()
    .from(quotes)
    .where(whereAll(eq(quotes.id, id), readFilter(ctx.actor, READ, scopeColumns())));
  if (!row) throw notFound('quote');
  return row;
}

/** A visible version without its priced snapshot (the part a save replaces and never reads). */
async function loadVisibleVersionHead(ctx: ServiceContext, versionId: string): Promise<{ quote: QuoteRow; version: Omit<VersionRow, 'priced'> }> {
  const { priced: _priced, ...head } = getTableColumns(quoteVersions);
  const [found] = await ctx.db
    .select({ quote: quotes, version: head })
    .from(quoteVersions)
    .innerJoin(quotes, eq(quotes.id, quoteVersions.quoteId))
    .where(whereAll(eq(quoteVersions.id, versionId), readFilter(ctx.actor, READ, scopeColumns())));
  if (!found) throw notFound('quote_version');
  return found;
}

export async function loadVisibleVersion(ctx: ServiceContext, versionId: string): Promise<{ quote: QuoteRow; version: VersionRow }> {
  const [found] = await ctx.db
    .select({ quote: quotes, version: quoteVersions })
    .from(quoteVersions)
    .innerJoin(quotes, eq(quotes.id, quoteVersions.quoteId))
    .where(whereAll(eq(quoteVersions.id, versionId), readFilter(ctx.actor, READ, scopeColumns())));
  if (!found) throw notFound('quote_version');
  return found;
}

/** Write scope on the quote's owner and unit (403); the caller has already proved it visible. */
export function assertCanWriteQuote(ctx: ServiceContext, row: QuoteRow): void {
  const scope = assertCan(ctx.actor, WRITE);
  if (!isInScope(ctx.actor, scope, row)) throw forbidden(WRITE);
}

export async function loadVersions(db: DbOrTx, quoteId: string): Promise<VersionRow[]> {
  return db.select().from(quoteVersions).where(eq(quoteVersions.quoteId, quoteId)).orderBy(quoteVersions.number);
}

/** A quote with its versions and names; `db` is the caller's transaction when it has one. */
export async function toDetail(db: DbOrTx, row: QuoteRow, versions: readonly VersionRow[]): Promise<QuoteDetail> {
  const latest = versions.find((v) => v.number === row.latestVersionNo);
  const names = await loadQuoteNames(db, [row]);
  return { ...toQuote(row, latest?.totals.grandTotal ?? null, names(row)), versions: versions.map(toVersion) };
}

export async function getQuote(ctx: ServiceContext, id: string): Promise<QuoteDetail> {
  const row = await loadVisibleQuote(ctx, id);
  return toDetail(ctx.db, row, await loadVersions(ctx.db, id));
}

/** May the actor see this quote? For the audit history of a record (registerEntityReader). */
export async function canReadQuote(ctx: ServiceContext, id: string): Promise<boolean> {
  const [row] = await ctx.db
    .select({ id: quotes.id })
    .from(quotes)
    .where(whereAll(eq(quotes.id, id), readFilter(ctx.actor, READ, scopeColumns())));
  return !!row;
}

export async function canReadQuoteVersion(ctx: ServiceContext, id: string): Promise<boolean> {
  const [row] = await ctx.db
    .select({ id: quoteVersions.id })
    .from(quoteVersions)
    .innerJoin(quotes, eq(quotes.id, quoteVersions.quoteId))
    .where(whereAll(eq(quoteVersions.id, id), readFilter(ctx.actor, READ, scopeColumns())));
  return !!row;
}

const SORT = '-createdAt';

/** Quotes the caller can see, newest first; by deal or by owner. */
export async function listQuotes(ctx: ServiceContext, q: ListQuotesQuery): Promise<QuotePage> {
  let after: SQL | undefined;
  if (q.cursor) {
    const [v, id] = decodeTimestampIdCursor(SORT, q.cursor);
    after = sql`(${quotes.createdAt}, ${quotes.id}) < (${v}::timestamptz, ${id}::uuid)`;
  }
  const rows = await ctx.db
    .select({ row: quotes, total: sql<QuoteTotals['grandTotal'] | null>`${quoteVersions.totals} -> 'grandTotal'`, cursorAt: timestampCursorValue(quotes.createdAt) })
    .from(quotes)
    .leftJoin(quoteVersions, and(eq(quoteVersions.quoteId, quotes.id), eq(quoteVersions.number, quotes.latestVersionNo)))
    .where(
      whereAll(
        readFilter(ctx.actor, READ, scopeColumns()),
        q.opportunityId ? eq(quotes.opportunityId, q.opportunityId) : undefined,
        q.ownerId ? eq(quotes.ownerId, q.ownerId) : undefined,
        after,
      ),
    )
    .orderBy(desc(quotes.createdAt), desc(quotes.id))
    .limit(q.limit + 1);
  // One query per module for the page's names, whatever its length.
  const names = await loadQuoteNames(ctx.db, rows.slice(0, q.limit).map((r) => r.row));
  return toPage(
    rows,
    q.limit,
    (r) => toQuote(r.row, r.total, names(r.row)),
    (r) => encodeCursor(SORT, [r.cursorAt, r.row.id]),
  );
}

/** Every line's explanation of a version, in the caller's language, as priced when it was saved. */
export async function getVersionExplanation(ctx: ServiceContext, versionId: string, lineId?: string): Promise<QuoteExplanation> {
  const { version } = await loadVisibleVersion(ctx, versionId);
  const [row] = await ctx.db.select().from(quoteVersionExplanations).where(eq(quoteVersionExplanations.versionId, versionId));
  const stored = await unpackExplanations(row);
  const locale = ctx.actor.locale === 'en' ? 'en' : 'zh';
  const lines = version.priced.filter((l) => lineId === undefined || l.lineId === lineId);
  const storedSteps = stored.steps;
  const stepsOf = (l: QuotePricedLine) => stored.lines[l.lineId] ?? [];

  // The steps these lines name, read back once each; the rules they mention, named by their codes.
  const revived = new Map<number, ExplanationStep | ExplanationText>();
  const mentioned = new Set<string>();
  for (const l of lines) {
    for (const i of stepsOf(l)) {
      if (revived.has(i)) continue;
      const s = storedSteps[i];
      if (s === undefined) throw new Error(`quote version ${versionId} line ${l.lineId} names explanation step ${i}, which is not stored`);
      if (isStoredExplanationStep(s)) {
        const step = reviveExplanationStep(s);
        collectRuleIds({ steps: [step], dismissed: [] }, mentioned);
        revived.set(i, step);
      } else revived.set(i, s as ExplanationText);
    }
  }
  const codes = await getRuleCodes(ctx.db, [...mentioned]);
  const texts = new Map<number, QuoteExplanation['lines'][number]['steps'][number]>();
  const textOf = (i: number) => {
    let text = texts.get(i);
    if (!text) {
      const s = revived.get(i)!;
      // Versions saved before the steps were stored as data keep the texts rendered then.
      text = 'zh' in s ? { type: s.type, ruleId: s.ruleId, text: s[locale] } : { type: s.type, ruleId: 'ruleId' in s ? s.ruleId : null, text: stepText(s, locale, (id) => codes.get(id)) };
      texts.set(i, text);
    }
    return text;
  };
  return {
    versionId,
    locale: ctx.actor.locale,
    lines: lines.map((l) => ({
      lineId: l.lineId,
      productId: l.productId,
      netUnit: l.netUnit,
      net: l.net,
      rulesUsed: l.rulesUsed,
      steps: stepsOf(l).map(textOf),
    })),
  };
}

// ── Writing ─────────────────────────────────────────────────────────────────────────────────────

/** What the audit keeps of a version: what was entered and the grand total (the priced snapshot is on the row). */
function auditedVersion(v: Pick<VersionRow, 'status' | 'pricingDate' | 'validUntil' | 'termMonths' | 'terms' | 'lines' | 'totals'>) {
  return {
    status: v.status,
    pricingDate: v.pricingDate,
    validUntil: v.validUntil,
    termMonths: v.termMonths,
    terms: v.terms,
    lines: v.lines,
    grandTotal: v.totals.grandTotal,
  };
}

export async function loadDeal(ctx: ServiceContext, opportunityId: string): Promise<OpportunityDetail> {
  try {
    return await getOpportunity(ctx, opportunityId);
  } catch (error) {
    if (error instanceof AppError && error.code === PlatformErrors.not_found) {
      throw new AppError(PlatformErrors.reference_invalid, { errors: [{ path: 'opportunityId', message: 'v:uuid' }] });
    }
    throw error;
  }
}

/**
 * A new quote's lines priced for its deal, as a create stores them and the editor's preview shows
 * them. Quoting is work on the deal: the caller must be able to change it, not only see it.
 */
async function priceForDeal(ctx: ServiceContext, body: CreateQuoteBody, pricingDate: string, validUntil: string | undefined) {
  const deal = await loadDeal(ctx, body.opportunityId);
  const dealScope = scopeFor(ctx.actor, DEAL_WRITE);
  if (!dealScope || !isInScope(ctx.actor, dealScope, deal)) throw forbidden(DEAL_WRITE);
  if (validUntil !== undefined) assertDates(pricingDate, validUntil);
  const lines = withLineIds(body.lines);
  const { priced, totals, explanations, render } = await priceVersion(ctx, {
    accountId: deal.accountId,
    opportunity: deal,
    priceBookId: body.priceBookId,
    currency: body.currency,
    pricingDate,
    termMonths: body.termMonths ?? null,
    lines,
  });
  return { deal, lines, priced, totals, explanations, render };
}

/**
 * A version's explanations as JSON (every Decimal as its exact string: StoredExplanationStep),
 * deflated. Done before the save's transaction: the compression runs on libuv's thread pool, and
 * nothing slow is awaited inside a transaction.
 */
async function packExplanations(e: PricedVersion['explanations']): Promise<Buffer> {
  return deflateRaw(Buffer.from(JSON.stringify(e)), { level: 1 });
}

async function unpackExplanations(row: typeof quoteVersionExplanations.$inferSelect | undefined): Promise<VersionExplanations> {
  if (!row) return { steps: [], lines: {} };
  if (row.packed) return JSON.parse((await inflateRaw(row.packed)).toString('utf8')) as VersionExplanations;
  return { steps: row.steps ?? [], lines: row.lines ?? {} };
}

/** A version's explanations, written with the version; a save of a draft replaces them. */
async function saveExplanations(tx: Tx, versionId: string, packed: Buffer): Promise<void> {
  await tx
    .insert(quoteVersionExplanations)
    .values({ versionId, packed })
    .onConflictDoUpdate({ target: quoteVersionExplanations.versionId, set: { packed: sql`excluded.packed`, steps: null, lines: null } });
}

export async function createQuote(ctx: ServiceContext, body: CreateQuoteBody): Promise<QuoteDetail> {
  assertCan(ctx.actor, WRITE);
  const today = getCompanyToday(ctx);
  const pricingDate = body.pricingDate ?? today;
  const validUntil = body.validUntil ?? addDays(pricingDate, DEFAULT_VALIDITY_DAYS);
  const { deal, lines, priced, totals, explanations } = await priceForDeal(ctx, body, pricingDate, validUntil);
  const packed = await packExplanations(explanations);

  // The number is reserved by a statement of its own, as deals do (decision 0011): inside the
  // transaction its counter row stayed locked while ~1 MB of priced lines was written, and
  // concurrent creates queued on it. A create that fails afterwards leaves a gap in Q- numbers.
  const [reserved] = await queryRows<{ number: string }>(ctx.db, nextNumberSql('Q', Number(today.slice(0, 4))));
  const number = reserved!.number;
  return withTx(ctx.db, async (tx) => {
    const [quote] = await tx
      .insert(quotes)
      .values({
        id: newId(),
        number,
        opportunityId: deal.id,
        accountId: deal.accountId,
        ownerId: deal.ownerId,
        unitId: deal.unitId,
        currency: body.currency,
        priceBookId: body.priceBookId,
        latestVersionNo: 1,
        createdBy: ctx.actor.userId,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning();
    // The row is known: nothing is read back (a 200-line version's priced JSON is ~1 MB to parse).
    const version: VersionRow = {
      id: newId(),
      quoteId: quote!.id,
      number: 1,
      status: 'draft',
      pricingDate,
      validUntil,
      termMonths: body.termMonths ?? null,
      terms: body.terms ?? '',
      lines,
      priced,
      totals,
      createdBy: ctx.actor.userId,
      sentAt: null,
      sentBy: null,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    await tx.insert(quoteVersions).values(version);
    await saveExplanations(tx, version.id, packed);
    await writeAudit(tx, source(ctx), [
      { entityType: 'quote', entityId: quote!.id, action: 'create', changes: diffRecords(null, { ...quote! }) },
      { entityType: 'quote_version', entityId: version.id, action: 'create', changes: diffRecords(null, auditedVersion(version)) },
    ]);
    return toDetail(tx, quote!, [version]);
  });
}

/** Bump the quote's version and timestamp when one of its versions changes (the quote is the unit a list shows). */
export async function touchQuote(tx: Tx, ctx: ServiceContext, quoteId: string, set: Partial<typeof quotes.$inferInsert> = {}): Promise<QuoteRow> {
  const [row] = await tx
    .update(quotes)
    .set({ ...set, version: sql`${quotes.version} + 1`, updatedAt: ctx.now })
    .where(eq(quotes.id, quoteId))
    .returning();
  return row!;
}

export function notEditable(status: VersionRow['status'], block: 'needs_new_version' | 'in_approval' | 'closed' | 'draft_exists'): AppError {
  if (block === 'in_approval') return new AppError(QuoteErrors.version_in_approval, { params: { status } });
  if (block === 'closed') return new AppError(QuoteErrors.quote_closed, { params: { status } });
  if (block === 'draft_exists') return new AppError(QuoteErrors.draft_exists, { params: { status } });
  return new AppError(QuoteErrors.version_not_editable, { params: { status } });
}

/** Change a draft version's lines or header; it is re-priced and its snapshot replaced. */
export async function updateQuoteVersion(ctx: ServiceContext, versionId: string, body: UpdateQuoteVersionBody): Promise<QuoteDetail> {
  const { quote, version: before } = await loadVisibleVersionHead(ctx, versionId);
  assertCanWriteQuote(ctx, quote);
  if (before.version !== body.version) throw versionConflict(before.version);
  const block = getEditBlock(before.status);
  if (block) throw notEditable(before.status, block);

  const pricingDate = body.pricingDate ?? before.pricingDate;
  const validUntil = body.validUntil ?? before.validUntil;
  assertDates(pricingDate, validUntil);
  const termMonths = body.termMonths !== undefined ? body.termMonths : before.termMonths;
  const lines = body.lines ? withLineIds(body.lines) : before.lines;
  const deal = await loadDeal(ctx, quote.opportunityId);
  const { priced, totals, explanations } = await priceVersion(ctx, {
    accountId: quote.accountId,
    opportunity: deal,
    priceBookId: quote.priceBookId,
    currency: quote.currency,
    pricingDate,
    termMonths,
    lines,
  });

  const packed = await packExplanations(explanations);
  return withTx(ctx.db, async (tx) => {
    const changes = { pricingDate, validUntil, termMonths, terms: body.terms ?? before.terms, lines, priced, totals, version: before.version + 1, updatedAt: ctx.now };
    const [updated] = await tx
      .update(quoteVersions)
      .set(changes)
      .where(and(eq(quoteVersions.id, versionId), eq(quoteVersions.version, body.version), eq(quoteVersions.status, 'draft')))
      .returning({ id: quoteVersions.id });
    const after: VersionRow | undefined = updated ? { ...before, ...changes } : undefined;
    if (!after) {
      const [current] = await tx.select({ version: quoteVersions.version }).from(quoteVersions).where(eq(quoteVersions.id, versionId));
      throw versionConflict(current?.version ?? before.version + 1);
    }
    await saveExplanations(tx, versionId, packed);
    const quoteAfter = await touchQuote(tx, ctx, quote.id);
    await writeAudit(tx, source(ctx), {
      entityType: 'quote_version',
      entityId: versionId,
      action: 'update',
      changes: diffRecords(auditedVersion(before), auditedVersion(after)),
    });
    const others = await tx.select().from(quoteVersions).where(and(eq(quoteVersions.quoteId, quote.id), ne(quoteVersions.id, versionId)));
    return toDetail(tx, quoteAfter, [...others, after].sort((a, b) => a.number - b.number));
  });
}

/**
 * Start the next version from the latest one (its lines, header and terms). Within the latest
 * version's validity the prices are taken at its pricing date again; after valid-until the revision
 * is re-priced at today. `version` is the quote's.
 */
export async function createQuoteVersion(ctx: ServiceContext, quoteId: string, body: CreateQuoteVersionBody): Promise<QuoteDetail> {
  const quote = await loadVisibleQuote(ctx, quoteId);
  assertCanWriteQuote(ctx, quote);
  if (quote.version !== body.version) throw versionConflict(quote.version);
  if (quote.status !== 'open') throw new AppError(QuoteErrors.quote_closed, { params: { status: quote.status } });
  const versions = await loadVersions(ctx.db, quoteId);
  const latest = versions.find((v) => v.number === quote.latestVersionNo);
  if (!latest) throw new Error(`quote ${quoteId} has no version ${quote.latestVersionNo}`);
  const block = getRevisionBlock(latest.status);
  if (block) throw notEditable(latest.status, block);

  const dates = getRevisionDates(latest, getCompanyToday(ctx));
  const deal = await loadDeal(ctx, quote.opportunityId);
  const { priced, totals, explanations } = await priceVersion(ctx, {
    accountId: quote.accountId,
    opportunity: deal,
    priceBookId: quote.priceBookId,
    currency: quote.currency,
    pricingDate: dates.pricingDate,
    termMonths: latest.termMonths,
    lines: latest.lines,
  });

  const packed = await packExplanations(explanations);
  return withTx(ctx.db, async (tx) => {
    const [claimed] = await tx
      .update(quotes)
      .set({ latestVersionNo: latest.number + 1, version: quote.version + 1, updatedAt: ctx.now })
      .where(and(eq(quotes.id, quoteId), eq(quotes.version, body.version)))
      .returning();
    if (!claimed) {
      const [current] = await tx.select({ version: quotes.version }).from(quotes).where(eq(quotes.id, quoteId));
      throw versionConflict(current?.version ?? quote.version + 1);
    }
    const [created] = await tx
      .insert(quoteVersions)
      .values({
        id: newId(),
        quoteId,
        number: latest.number + 1,
        pricingDate: dates.pricingDate,
        validUntil: dates.validUntil,
        termMonths: latest.termMonths,
        terms: latest.terms,
        lines: latest.lines,
        priced,
        totals,
        createdBy: ctx.actor.userId,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning();
    await saveExplanations(tx, created!.id, packed);
    await writeAudit(tx, source(ctx), [
      { entityType: 'quote', entityId: quoteId, action: 'new_version', changes: { latestVersionNo: [quote.latestVersionNo, claimed.latestVersionNo] } },
      {
        entityType: 'quote_version',
        entityId: created!.id,
        action: 'create',
        changes: { ...diffRecords(null, auditedVersion(created!)), copiedFrom: [null, latest.id], repriced: [null, dates.isRepriced] },
      },
    ]);
    return toDetail(tx, claimed, await loadVersions(tx, quoteId));
  });
}

/**
 * Send a draft version to the customer: it is frozen from now on, earlier sent or approved
 * versions are superseded, and `quote.sent` goes to the deal's timeline.
 */
export async function sendQuoteVersion(ctx: ServiceContext, versionId: string, body: SendQuoteVersionBody): Promise<QuoteDetail> {
  const { quote, version: before } = await loadVisibleVersion(ctx, versionId);
  assertCanWriteQuote(ctx, quote);
  if (before.version !== body.version) throw versionConflict(before.version);
  if (before.status !== 'draft' && before.status !== 'approved') {
    throw notEditable(before.status, getEditBlock(before.status) ?? 'needs_new_version');
  }
  if (before.lines.length === 0) {
    throw new AppError(PlatformErrors.validation, { params: { count: 1 }, errors: [{ path: 'lines', message: 'v:required' }] });
  }
  // A draft goes out directly only when the policy asks for no approval; otherwise it is submitted first.
  if (before.status === 'draft') {
    const { steps } = await evaluatePolicy(ctx.db, quote.currency as Currency, before.priced, before.pricingDate);
    if (steps.length > 0) throw new AppError(QuoteErrors.approval_required, { params: { levels: steps.map((st) => st.level).join(', ') } });
  }

  return withTx(ctx.db, async (tx) => {
    const [after] = await tx
      .update(quoteVersions)
      .set({ status: 'sent', sentAt: ctx.now, sentBy: ctx.actor.userId, version: before.version + 1, updatedAt: ctx.now })
      .where(and(eq(quoteVersions.id, versionId), eq(quoteVersions.version, body.version), eq(quoteVersions.status, before.status)))
      .returning();
    if (!after) {
      const [current] = await tx.select({ version: quoteVersions.version }).from(quoteVersions).where(eq(quoteVersions.id, versionId));
      throw versionConflict(current?.version ?? before.version + 1);
    }
    const earlier = and(eq(quoteVersions.quoteId, quote.id), sql`${quoteVersions.number} < ${after.number}`, sql`${quoteVersions.status} IN ('sent', 'approved')`);
    const superseded = await tx.select({ id: quoteVersions.id, status: quoteVersions.status }).from(quoteVersions).where(earlier);
    if (superseded.length > 0) {
      await tx.update(quoteVersions).set({ status: 'superseded', version: sql`${quoteVersions.version} + 1`, updatedAt: ctx.now }).where(earlier);
    }
    const quoteAfter = await touchQuote(tx, ctx, quote.id);
    await writeAudit(tx, source(ctx), [
      { entityType: 'quote_version', entityId: versionId, action: 'send', changes: { status: [before.status, after.status] } },
      ...superseded.map((s) => ({ entityType: 'quote_version', entityId: s.id, action: 'supersede', changes: { status: [s.status, 'superseded'] as [unknown, unknown] } })),
    ]);
    await publishEvent(tx, source(ctx), {
      type: 'quote.sent',
      aggregateType: 'quote',
      aggregateId: quote.id,
      payload: {
        accountId: quote.accountId,
        opportunityId: quote.opportunityId,
        quoteId: quote.id,
        versionId,
        number: quote.number,
        versionNo: after.number,
        total: after.totals.grandTotal,
        validUntil: after.validUntil,
      },
    });
    return toDetail(tx, quoteAfter, await loadVersions(tx, quote.id));
  });
}

/**
 * Price lines without saving, for the editor's live prices: the same function a save runs
 * (priceVersion), so what the editor shows is what the save stores. Refused like a create.
 */
export async function previewQuotePricing(ctx: ServiceContext, body: PricePreviewBody): Promise<PricePreview> {
  assertCan(ctx.actor, WRITE);
  const pricingDate = body.pricingDate ?? getCompanyToday(ctx);
  const { priced, totals, explanations, render } = await priceForDeal(ctx, body, pricingDate, body.validUntil);
  const currency = totals.grandTotal.currency;
  const { metrics, steps } = await evaluatePolicy(ctx.db, currency, priced, pricingDate);
  return { priced, explanations: { steps: explanations.steps.map(render), lines: explanations.lines }, totals, metrics: toMetricValues(metrics, currency), approvalRequired: steps.length > 0 };
}
