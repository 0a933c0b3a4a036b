import type { ParseResult } from '@marcbachmann/cel-js';
import Decimal from 'decimal.js';
import { CURRENCIES, Dec, isCurrency, Money, type Currency } from '../../../shared/money.ts';
import {
  CelCustomer,
  CelLine,
  CelOpportunity,
  CelQuote,
  evaluateConditionPart,
  toCelValue,
  type ConditionFailure,
  type ConditionProgram,
  type PricingActivation,
} from './cel-context.ts';
import { ALL_INDEX_KEY, type AmountMap, type CatalogIndex, type IndexedProduct, type IndexKey, type PricingMemo, type ProductChain } from './catalog.ts';
import { toDayNumber, type BucketEntry, type CompiledRule, type CompiledRuleSet } from './compile.ts';
import type { ExplanationStep, RuleOutcome, RuleShadowed, SkipReason } from './explanation.ts';
import { compareDecimals, fromScaled, getDecimalPlaces, mulRoundHalfUp, toPlaces, toScaled } from './fixed.ts';
import { formatPercent, PricedLine, type LineAmount, type ScaledAmounts } from './priced-line.ts';
import { isDecimalString, isLocalDate, PRICING_PHASES, type PricingPhase } from './pricing-rule.ts';
import type {
  LineIssue,
  LineIssueCode,
  LineRole,
  PricingAdvisory,
  PricingLineInput,
  PricingRequest,
  PricingResult,
  PricingTotals,
  QuoteIssue,
} from './pricing-types.ts';
import { computeTierEffect, findBandIndex, findNextThreshold, findTierCliff } from './tiers.ts';

/**
 * The pricing engine: (rules, catalog, customer, quote, lines) → priced lines, totals, advisories
 * and an explanation per line. Pure and synchronous, no I/O and no node: imports, so the web
 * preview runs the very same code as the server.
 *
 * Money: unit prices stay exact through the waterfall (Decimals; a fraction when a tier spreads a
 * total over the units); each line is rounded once (half-up, currency minor unit) as
 * round(netUnit × quantity); totals are sums of rounded lines.
 */

const ZERO = new Dec(0);
const ONE = new Dec(1);
const HUNDRED = new Dec(100);
const MANUAL_PHASE = 2;
const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
/** Customer-axis specificity: all < customer group (deeper is more specific) < account (own account most). */
const CUSTOMER_SPECIFICITY_ACCOUNT = 1000;
/** Product specificity is scaled above any customer specificity: the product axis decides first. */
const PRODUCT_AXIS_SCALE = 10_000;

/**
 * The fixed-point fast path (fixed.ts) for line amounts and totals. On by default; the differential
 * test (engine-fast-path.test.ts) turns it off to compare every result with the decimal.js path.
 */
let isFastPathOn = true;
/** Largest decimals a fast-path operand or result may have (fromScaled builds up to 14). */
const FAST_MAX_PLACES = 14;

/** @internal for the differential test: run the reference (decimal.js only) path when false. */
export function setPricingFastPath(on: boolean): void {
  isFastPathOn = on;
}

// ---------------------------------------------------------------------------------------------
// Per-quote state

/**
 * A rule admitted for this quote. It carries the rule fields read for every line (priority, line
 * condition) and the last "shadowed" step made for it, so ranking candidates and walking a phase
 * read the candidates (made together during the quote) rather than the rules they point to.
 */
interface Candidate {
  rule: CompiledRule;
  /** rule.priority. */
  priority: number;
  /** productSpecificity × 10 000 + customerSpecificity, for this product and customer. */
  specificity: number;
  /** A failure of the quote- or product-level part, decided only once the line part is known. */
  pending: ConditionFailure | null;
  /** rule.condition?.linePart. */
  linePart: ParseResult | null;
  /** rule.id. */
  ruleId: string;
  /** The last "shadowed by" step made through this candidate (see getShadowedStep). */
  shadowed: RuleShadowed | null;
}

function createCandidate(rule: CompiledRule, specificity: number, pending: ConditionFailure | null): Candidate {
  return {
    rule,
    priority: rule.priority,
    specificity,
    pending,
    linePart: rule.condition === null ? null : rule.condition.linePart,
    ruleId: rule.id,
    shadowed: null,
  };
}

interface BucketView {
  /** Shared by every product looked up under this key (its specificity depends on the key only). */
  passing: Candidate[];
  dismissed: RuleOutcome[];
}

/** Price rules by phase ranked (possibly shared with other products: read only), and the rest. */
interface ProductPlan extends RankedLists {
  dismissed: (readonly RuleOutcome[])[];
  costUnit: Dec | null;
  floor: Dec | null;
  ceiling: Dec | null;
  marginFloor: Dec | null;
}

interface QuoteState {
  ruleSet: CompiledRuleSet;
  catalog: CatalogIndex;
  request: PricingRequest;
  currency: Currency;
  places: number;
  date: string;
  /** date as a day number (toDayNumber); −1 when there is no valid date (no rule is in validity). */
  day: number;
  activation: PricingActivation;
  customerKeys: { key: string; specificity: number }[];
  /** This customer's keys as CompiledRuleSet customer-key ids (−1: no rule uses it), parallel to customerKeys. */
  customerKeyIds: number[];
  rates: Map<Currency, Dec>;
  ratesUsed: Partial<Record<Currency, string>>;
  advisories: PricingAdvisory[];
  evalErrors: Map<string, Extract<PricingAdvisory, { code: 'rule_eval_error' }>>;
  currencyMissing: Set<string>;
  nearPercent: number;
  quoteTerm: bigint;
  /** Per conjunct program id: 0 unknown, 1 true, 2 false, 3 failed. */
  quoteMemo: Int8Array;
  quoteFailures: Map<number, ConditionFailure>;
  /** The catalog product of each request line, by index (looked up once, for the quote summaries). */
  lineProducts: (IndexedProduct | undefined)[];
  /** Catalog objects holding this quote's memos (see remember), cleared when the quote is done. */
  memos: PricingMemo[];
}

/**
 * Keep a per-quote result on the catalog object it belongs to (see PricingMemo). The quote clears
 * its memos when it is done (forgetMemos): a memo left behind would keep that quote's plans, and
 * through them its whole state, reachable until the object's next quote, which with many small
 * quotes filled the old generation with dead quotes.
 */
function remember(st: QuoteState, holder: PricingMemo, value: unknown): void {
  holder.memoOwner = st;
  holder.memoValue = value;
  st.memos.push(holder);
}

function forgetMemos(st: QuoteState): void {
  const memos = st.memos;
  for (let i = 0; i < memos.length; i++) {
    const holder = memos[i]!;
    if (holder.memoOwner === st) {
      holder.memoOwner = null;
      holder.memoValue = undefined;
    }
  }
  memos.length = 0;
}

interface LineWork {
  input: PricingLineInput;
  id: string;
  product: IndexedProduct | null;
  role: LineRole;
  parent: LineWork | null;
  children: LineWork[];
  quantity: number;
  /** quantity as a Decimal, made once when first needed (see getQuantityDec). */
  quantityDec: Dec | null;
  listUnit: Dec | null;
  /** Numerator of the running unit price (see setRunningPrice). */
  unit: Dec;
  /** Its denominator; null = 1. */
  den: Dec | null;
  /** unit / den, once computed. */
  shown: Dec | null;
  /** Set by bundle allocation: the exact rounded share. */
  allocated: Dec | null;
  netUnrounded: Dec;
  exchangeRate: Dec | null;
  floor: Dec | null;
  ceiling: Dec | null;
  costUnit: Dec | null;
  taxFraction: Dec;
  taxPercent: string;
  steps: ExplanationStep[];
  dismissed: readonly (readonly RuleOutcome[])[];
  issues: LineIssue[];
  isPriced: boolean;
  /** A base price exists (list, contract, bundle sum) or a rule or the rep set one. */
  hasPrice: boolean;
  belowFloor: Dec | null;
  aboveCeiling: Dec | null;
  freeOf: { ruleId: string; triggerLineId: string } | null;
  frees: LineWork[];
}

// ---------------------------------------------------------------------------------------------
// Dates

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The pricing date as a local YYYY-MM-DD in the company time zone, or null if unreadable. */
export function getLocalPricingDate(pricingDate: string, timeZone: string = DEFAULT_TIME_ZONE): string | null {
  if (isLocalDate(pricingDate)) return pricingDate;
  const ms = Date.parse(pricingDate);
  if (Number.isNaN(ms) || !/T/.test(pricingDate)) return null;
  let format = dateFormats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      return null;
    }
    dateFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

// ---------------------------------------------------------------------------------------------
// Price books (parsed once per price-list object, transparently)

const parsedPriceLists = new WeakMap<object, Map<string, Dec | null>>();

/** undefined: not listed; null: listed but not a valid decimal. */
function getListedPrice(prices: Readonly<Record<string, string>>, productId: string): Dec | null | undefined {
  let cache = parsedPriceLists.get(prices);
  if (!cache) parsedPriceLists.set(prices, (cache = new Map()));
  const hit = cache.get(productId);
  if (hit !== undefined) return hit;
  if (!Object.prototype.hasOwnProperty.call(prices, productId)) return undefined;
  const raw = prices[productId];
  const value = isDecimalString(raw) && !raw.startsWith('-') ? new Dec(raw) : null;
  cache.set(productId, value);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Quote setup

interface QtyZeros {
  revision: number;
  groups: Map<string, bigint>;
  products: Map<string, bigint>;
}

const qtyZeros = new WeakMap<CompiledRuleSet, QtyZeros>();

/** The qtyByGroup / qtyByProduct keys conditions name, each at 0, per rule-set revision. */
function getQtyZeros(ruleSet: CompiledRuleSet): QtyZeros {
  const cached = qtyZeros.get(ruleSet);
  if (cached && cached.revision === ruleSet.revision) return cached;
  const zeros: QtyZeros = { revision: ruleSet.revision, groups: new Map(), products: new Map() };
  for (const key of ruleSet.listQtyGroupKeys()) zeros.groups.set(key, 0n);
  for (const key of ruleSet.listQtyProductKeys()) zeros.products.set(key, 0n);
  qtyZeros.set(ruleSet, zeros);
  return zeros;
}

/** A line's quantity when it counts in the quote's summaries (a safe integer ≥ 0 of a known product), else −1. */
function countedQuantity(line: PricingLineInput, product: IndexedProduct | undefined): number {
  return product !== undefined && Number.isSafeInteger(line.quantity) && line.quantity >= 0 ? line.quantity : -1;
}

/**
 * A quote summary, worked out when a condition first reads it: quantity per key, each line counting
 * under every key of its product (`keysOf`: one stable array per product or group chain). The keys
 * conditions name start at 0 (a copy of the rule set's zero map, so they read 0 when absent and
 * come first); the rest follow in the order lines first touch them. Lines are summed per key array
 * first (products of one group share its ancestor list), then each array into its keys, as numbers
 * while the grand total is a safe integer, else as CEL ints line by line.
 */
function sumQuantities(
  zeros: ReadonlyMap<string, bigint>,
  lines: readonly PricingLineInput[],
  products: readonly (IndexedProduct | undefined)[],
  keysOf: (product: IndexedProduct) => readonly string[],
): Map<string, bigint> {
  const out = new Map<string, bigint>(zeros);
  const perKeys = new Map<readonly string[], number>();
  let total = 0;
  for (let i = 0; i < lines.length; i++) {
    const q = countedQuantity(lines[i]!, products[i]);
    if (q < 0) continue;
    total += q;
    const keys = keysOf(products[i]!);
    if (keys.length > 0) perKeys.set(keys, (perKeys.get(keys) ?? 0) + q);
  }
  if (total <= Number.MAX_SAFE_INTEGER) {
    const sums = new Map<string, number>();
    perKeys.forEach((sum, keys) => {
      for (let k = 0; k < keys.length; k++) sums.set(keys[k]!, (sums.get(keys[k]!) ?? 0) + sum);
    });
    sums.forEach((sum, key) => out.set(key, BigInt(sum)));
    return out;
  }
  for (let i = 0; i < lines.length; i++) {
    const q = countedQuantity(lines[i]!, products[i]);
    if (q < 0) continue;
    for (const key of keysOf(products[i]!)) out.set(key, (out.get(key) ?? 0n) + BigInt(q));
  }
  return out;
}

const groupKeysOf = (product: IndexedProduct): readonly string[] => product.groupAncestors;
const productKeysOf = (product: IndexedProduct): readonly string[] => product.idList;

function createQuoteState(ruleSet: CompiledRuleSet, catalog: CatalogIndex, request: PricingRequest, issues: QuoteIssue[]): QuoteState {
  const { customer, quote } = request;
  const currency: Currency = isCurrency(quote.currency) ? quote.currency : 'CNY';
  if (!isCurrency(quote.currency)) issues.push({ code: 'invalid_currency', message: `unknown quote currency ${String(quote.currency)}` });
  const date = getLocalPricingDate(quote.pricingDate, quote.timeZone ?? DEFAULT_TIME_ZONE);
  if (date === null) {
    issues.push({ code: 'invalid_pricing_date', message: `pricing date ${quote.pricingDate} in ${quote.timeZone ?? DEFAULT_TIME_ZONE} is not a date or instant` });
  }

  const rates = new Map<Currency, Dec>();
  for (const [code, value] of Object.entries(request.exchangeRates ?? {})) {
    if (isCurrency(code) && isDecimalString(value) && !value.startsWith('-') && !new Dec(value).isZero()) rates.set(code, new Dec(value));
    else issues.push({ code: 'invalid_exchange_rate', message: `exchange rate ${code} ${String(value)} is not a positive decimal` });
  }

  const customerKeys: { key: string; specificity: number }[] = [{ key: ALL_INDEX_KEY, specificity: 0 }];
  const accounts = [customer.id, ...(customer.parentAccountIds ?? [])];
  accounts.forEach((id, i) => customerKeys.push({ key: `a:${id}`, specificity: CUSTOMER_SPECIFICITY_ACCOUNT + accounts.length - i }));
  const groupAncestors = customer.groupAncestors ?? [];
  groupAncestors.forEach((id, i) => customerKeys.push({ key: `c:${id}`, specificity: 1 + groupAncestors.length - 1 - i }));

  const zeros = getQtyZeros(ruleSet);
  // Index loops in functions that run once per quote: they may not be optimised yet, and an
  // unoptimised for…of allocates an iterator result per element.
  const lineProducts: (IndexedProduct | undefined)[] = [];
  for (let i = 0; i < request.lines.length; i++) lineProducts.push(catalog.products.get(request.lines[i]!.productId));
  const quoteTerm = Number.isSafeInteger(quote.termMonths) ? BigInt(quote.termMonths!) : 0n;
  const opp = request.opportunity ?? {};
  const activation: PricingActivation = {
    customer: new CelCustomer(
      customer.id,
      groupAncestors[0] ?? '',
      groupAncestors,
      customer.kind ?? '',
      customer.region ?? '',
      (toCelValue(customer.custom ?? {}) as Record<string, unknown>) ?? {},
    ),
    opportunity: new CelOpportunity(opp.id ?? '', opp.stage ?? '', opp.kind ?? '', opp.source ?? '', toCelValue(opp.custom ?? {}) as Record<string, unknown>),
    quote: new CelQuote(
      quote.id ?? '',
      date ?? '',
      quoteTerm,
      currency,
      () => sumQuantities(zeros.groups, request.lines, lineProducts, groupKeysOf),
      () => sumQuantities(zeros.products, request.lines, lineProducts, productKeysOf),
      BigInt(request.lines.length),
    ),
    line: undefined,
  };
  const nearPercent = request.options?.nearThresholdPercent ?? 10;
  return {
    ruleSet,
    catalog,
    request,
    currency,
    places: CURRENCIES[currency],
    date: date ?? '',
    day: date === null ? -1 : toDayNumber(date),
    activation,
    customerKeys,
    customerKeyIds: customerKeys.map((k) => ruleSet.getCustomerKeyId(k.key)),
    rates,
    ratesUsed: {},
    advisories: [],
    evalErrors: new Map(),
    currencyMissing: new Set(),
    nearPercent: Number.isFinite(nearPercent) && nearPercent >= 0 ? nearPercent : 10,
    quoteTerm,
    quoteMemo: new Int8Array(ruleSet.conditionPrograms.size),
    quoteFailures: new Map(),
    lineProducts,
    memos: [],
  };
}

function skippedOutcome(rule: CompiledRule, reason: SkipReason, error: ConditionFailure | null): RuleOutcome {
  return { type: 'skipped', ruleId: rule.id, phase: rule.phase, reason, error };
}

/**
 * Rules filed under one product-scope key that pass validity and their quote-level condition for
 * this quote. Each rule lives in exactly one bucket, so its quote-level condition runs at most once
 * per quote.
 */
const EMPTY_VIEW: BucketView = { passing: [], dismissed: [] };

/** The rules filed under an index key, by customer key; memoised on the key per rule-set revision. */
function getKeyEntries(st: QuoteState, ik: IndexKey): readonly BucketEntry[] | undefined {
  const set = st.ruleSet;
  const revision = set.revision;
  if (ik.resolvedBy === set && ik.resolvedRevision === revision) return ik.resolved;
  const entries = set.getBucketEntries(ik.key);
  ik.resolvedBy = set;
  ik.resolvedRevision = revision;
  ik.resolved = entries;
  return entries;
}

/**
 * Buckets of one product key that apply to this customer, filled by matchCustomerBuckets (scratch: the
 * engine is synchronous). Written by index up to the returned count, never truncated: setting an
 * array's length to 0 drops its storage, and the next push allocates it again.
 */
const matchedRules: (readonly CompiledRule[])[] = [];
const matchedSpecificity: number[] = [];

/**
 * The buckets filed under one product key for this customer's keys, with their specificity, into
 * matchedRules / matchedSpecificity; returns how many. Offer order (which the explanation's
 * dismissed lists keep): a key with few customer scopes in scope order, otherwise in the order of
 * the customer's keys.
 */
function matchCustomerBuckets(st: QuoteState, keySpecificity: number, entries: readonly BucketEntry[]): number {
  let count = 0;
  const base = keySpecificity * PRODUCT_AXIS_SCALE;
  const keys = st.customerKeys;
  const ids = st.customerKeyIds;
  const n = keys.length;
  if (entries.length <= n) {
    // Few customer scopes under this key (typical for products): scan them, look each up once.
    // Integer ids instead of string lookups: a handful of entries against a handful of keys.
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      // lastIndexOf: a key listed twice counts with its last specificity.
      const at = ids.lastIndexOf(entry.customerKeyId);
      if (at >= 0) {
        matchedRules[count] = entry.rules;
        matchedSpecificity[count++] = base + keys[at]!.specificity;
      }
    }
  } else {
    const buckets = entries[0]!.bucketsById;
    for (let at = 0; at < n; at++) {
      const id = ids[at]!;
      const rules = id < 0 ? undefined : buckets.get(id);
      if (rules !== undefined) {
        matchedRules[count] = rules;
        matchedSpecificity[count++] = base + keys[at]!.specificity;
      }
    }
  }
  return count;
}

/**
 * The view of a group or all-products key (read by many products), cached for the quote; a
 * product's own keys go through collectOwnRules instead.
 */
function getBucketView(st: QuoteState, ik: IndexKey): BucketView {
  if (ik.memoOwner === st) return ik.memoValue as BucketView;
  const entries = getKeyEntries(st, ik);
  let view = EMPTY_VIEW;
  if (entries) {
    view = { passing: [], dismissed: [] };
    const count = matchCustomerBuckets(st, ik.specificity, entries);
    for (let i = 0; i < count; i++) addBucketRules(st, view, matchedRules[i]!, matchedSpecificity[i]!);
  }
  remember(st, ik, view);
  return view;
}

const DISMISSED_VALIDITY = 1;
const DISMISSED_CONDITION = 2;

/** A rule's candidate for this quote, or why the quote dismisses it (validity, quote-level condition). */
function admitRule(st: QuoteState, rule: CompiledRule, specificity: number): Candidate | typeof DISMISSED_VALIDITY | typeof DISMISSED_CONDITION {
  const day = st.day;
  if (day < rule.validFromDay || day > rule.validToDay) return DISMISSED_VALIDITY;
  let pending: ConditionFailure | null = null;
  const parts = rule.condition?.quoteParts;
  if (parts && parts.length > 0) {
    const r = evaluateQuoteParts(st, parts);
    if (r === false) return DISMISSED_CONDITION;
    if (r !== true) pending = r;
  }
  return createCandidate(rule, specificity, pending);
}

function addBucketRules(st: QuoteState, view: BucketView, rules: readonly CompiledRule[], specificity: number): void {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const c = admitRule(st, rule, specificity);
    if (c === DISMISSED_VALIDITY) view.dismissed.push(rule.dismissedOutsideValidity);
    else if (c === DISMISSED_CONDITION) view.dismissed.push(rule.dismissedConditionFalse);
    else view.passing.push(c);
  }
}

const MEMO_TRUE = 1;
const MEMO_FALSE = 2;
const MEMO_FAILED = 3;

/**
 * Conjuncts that read only customer, opportunity and quote: each distinct one runs once per quote.
 * CEL `&&`: any false makes the whole false (even next to an error); otherwise an error wins.
 */
function evaluateQuoteParts(st: QuoteState, parts: readonly ConditionProgram[]): boolean | ConditionFailure {
  let failure: ConditionFailure | null = null;
  for (const part of parts) {
    let m = st.quoteMemo[part.id];
    if (m === 0 || m === undefined) {
      st.activation.line = undefined;
      const r = evaluateConditionPart(part.program, st.activation);
      m = r === true ? MEMO_TRUE : r === false ? MEMO_FALSE : MEMO_FAILED;
      if (m === MEMO_FAILED) st.quoteFailures.set(part.id, r as ConditionFailure);
      if (part.id < st.quoteMemo.length) st.quoteMemo[part.id] = m;
    }
    if (m === MEMO_FALSE) return false;
    if (m === MEMO_FAILED) failure ??= st.quoteFailures.get(part.id) ?? null;
  }
  return failure ?? true;
}

/** Insertion sort of list[0..n): candidate lists are short, and Array#sort allocates scratch space per call. */
function sortCandidates(list: Candidate[], n: number = list.length): void {
  for (let i = 1; i < n; i++) {
    const item = list[i]!;
    let j = i - 1;
    while (j >= 0 && compareCandidates(list[j]!, item) > 0) {
      list[j + 1] = list[j]!;
      j--;
    }
    list[j + 1] = item;
  }
}

function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.specificity !== b.specificity) return b.specificity - a.specificity;
  const ra = a.rule;
  const rb = b.rule;
  if (ra.version !== rb.version) return rb.version - ra.version;
  if (ra.createdAt !== rb.createdAt) return ra.createdAt < rb.createdAt ? 1 : -1;
  return ra.id < rb.id ? -1 : ra.id > rb.id ? 1 : 0;
}

/** Catalog amounts (cost, floor, ceiling) in the quote currency: as given, else converted. */
function resolveCatalogAmount(st: QuoteState, amounts: AmountMap): Dec | null {
  const direct = amounts[st.currency];
  if (direct !== undefined) return direct;
  for (const code of Object.keys(amounts) as Currency[]) {
    const rate = st.rates.get(code);
    if (rate) {
      st.ratesUsed[code] = st.request.exchangeRates![code]!;
      return amounts[code]!.times(rate);
    }
  }
  return null;
}

interface ChainPlan extends RankedLists {
  /** Candidates whose condition reads the product: decided per product. */
  dependent: Candidate[];
  dismissed: (readonly RuleOutcome[])[];
}

/** Scratch list indexes: price rules by phase are 0–3, then constraints and grants. */
const CONSTRAINT_LIST = 4;
const GRANT_LIST = 5;

/** The scratch list a rule's candidate goes to. */
function listIndexOf(rule: CompiledRule): number {
  return rule.role === 'constraint' ? CONSTRAINT_LIST : rule.role === 'grant' ? GRANT_LIST : rule.phaseIndex;
}

type ScratchLists = [Candidate[], Candidate[], Candidate[], Candidate[], Candidate[], Candidate[]];

/** A plan's ranked lists: price rules by phase, constraints, grants. */
interface RankedLists {
  byPhase: [Candidate[], Candidate[], Candidate[], Candidate[]];
  constraints: Candidate[];
  grants: Candidate[];
}

/** `base` with lists[k][0..counts[k]) merged into each of its lists; `base` itself when there is nothing to add. */
function mergeLists(base: RankedLists, lists: ScratchLists, counts: Int32Array): RankedLists {
  if (counts[0] === 0 && counts[1] === 0 && counts[2] === 0 && counts[3] === 0 && counts[CONSTRAINT_LIST] === 0 && counts[GRANT_LIST] === 0) return base;
  return {
    byPhase: [
      mergeRanked(base.byPhase[0], lists[0], counts[0]!),
      mergeRanked(base.byPhase[1], lists[1], counts[1]!),
      mergeRanked(base.byPhase[2], lists[2], counts[2]!),
      mergeRanked(base.byPhase[3], lists[3], counts[3]!),
    ],
    constraints: mergeRanked(base.constraints, lists[CONSTRAINT_LIST], counts[CONSTRAINT_LIST]!),
    grants: mergeRanked(base.grants, lists[GRANT_LIST], counts[GRANT_LIST]!),
  };
}

const EMPTY_CHAIN_PLAN: ChainPlan = { byPhase: [[], [], [], []], constraints: [], grants: [], dependent: [], dismissed: [] };

/** Scratch for the candidates one chain key adds to its tail's plan (see matchedRules for why counted). */
const chainLists: ScratchLists = [[], [], [], [], [], []];
const chainCounts = new Int32Array(6);

/**
 * Rules filed along a group chain (a product's groups and '*'), ranked once per quote and shared by
 * every product in that group; only rules whose condition reads the product are left per product.
 * A chain's plan is its first key's rules merged into its tail's plan (ranked lists merge in linear
 * time), so the rules of a parent group and of '*' are ranked once per quote, not once per chain.
 */
function getChainPlan(st: QuoteState, chain: ProductChain): ChainPlan {
  if (chain.memoOwner === st) return chain.memoValue as ChainPlan;
  const tail = chain.parent === null ? EMPTY_CHAIN_PLAN : getChainPlan(st, chain.parent);
  const view = getBucketView(st, chain.key);
  let plan = tail;
  const passing = view.passing;
  if (passing.length > 0 || view.dismissed.length > 0) {
    chainCounts.fill(0);
    let dependent: Candidate[] | null = null;
    for (let i = 0; i < passing.length; i++) {
      const c = passing[i]!;
      const rule = c.rule;
      if (rule.condition !== null && rule.condition.productParts.length > 0) (dependent ??= []).push(c);
      else {
        const k = listIndexOf(rule);
        chainLists[k]![chainCounts[k]!++] = c;
      }
    }
    // The key's own lists come first, as they did when a chain was its keys in order.
    if (dependent !== null) for (let i = 0; i < tail.dependent.length; i++) dependent.push(tail.dependent[i]!);
    let dismissed = tail.dismissed;
    if (view.dismissed.length > 0) {
      dismissed = [view.dismissed];
      for (let i = 0; i < tail.dismissed.length; i++) dismissed.push(tail.dismissed[i]!);
    }
    const ranked = mergeLists(tail, chainLists, chainCounts);
    plan = { byPhase: ranked.byPhase, constraints: ranked.constraints, grants: ranked.grants, dependent: dependent ?? tail.dependent, dismissed };
  }
  remember(st, chain, plan);
  return plan;
}

/**
 * A shared ranked list with a few more candidates merged in (a new array; the shared one stays
 * intact). `extra` is ranked here in place, then the two ranked lists are merged: the same order a
 * sort of their concatenation gives (the ranking is a total order), without sorting the shared part
 * again for every product.
 */
function mergeRanked(shared: Candidate[], extra: Candidate[], m: number): Candidate[] {
  if (m === 0) return shared;
  sortCandidates(extra, m);
  const n = shared.length;
  if (n === 0) return extra.slice(0, m);
  const merged = new Array<Candidate>(n + m);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < n && j < m) {
    // Ties (never expected) keep the shared candidate first, as a stable sort of shared ++ extra would.
    if (compareCandidates(shared[i]!, extra[j]!) <= 0) merged[k++] = shared[i++]!;
    else merged[k++] = extra[j++]!;
  }
  while (i < n) merged[k++] = shared[i++]!;
  while (j < m) merged[k++] = extra[j++]!;
  return merged;
}

/**
 * Scratch for one product plan at a time (the engine is synchronous and getProductPlan does not
 * nest): the candidates a product adds to its chain's lists, before they are merged into new arrays.
 */
interface ProductScratch {
  probe: CelLine | null;
  /** Conjunct program ids evaluated for this product, and their results: memoCount of them. */
  memoIds: number[];
  memoResults: (boolean | ConditionFailure)[];
  memoCount: number;
  /**
   * The product's own candidates: by phase (0–3), then constraints (4) and grants (5); counts[k] of
   * each. Scratch arrays are written by index and never truncated (see matchedRules).
   */
  lists: ScratchLists;
  counts: Int32Array;
  /** Rules whose product-level condition is false for this product. */
  dismissed: RuleOutcome[] | null;
}

const productScratch: ProductScratch = {
  probe: null,
  memoIds: [],
  memoResults: [],
  memoCount: 0,
  lists: [[], [], [], [], [], []],
  counts: new Int32Array(6),
  dismissed: null,
};

function resetProductScratch(scratch: ProductScratch): void {
  scratch.probe = null;
  scratch.memoCount = 0;
  scratch.counts.fill(0);
  scratch.dismissed = null;
}

/**
 * Conjuncts that read the product too: each distinct one runs once per product per quote. The memo
 * is the product scratch's (a product evaluates a handful, so a short list beats a map per product).
 */
function evaluateProductParts(st: QuoteState, parts: readonly ConditionProgram[], scratch: ProductScratch): boolean | ConditionFailure {
  let failure: ConditionFailure | null = null;
  const ids = scratch.memoIds;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const id = part.id;
    const n = scratch.memoCount;
    let at = 0;
    while (at < n && ids[at] !== id) at++;
    let r: boolean | ConditionFailure;
    if (at < n) r = scratch.memoResults[at]!;
    else {
      r = evaluateConditionPart(part.program, st.activation);
      ids[n] = id;
      scratch.memoResults[n] = r;
      scratch.memoCount = n + 1;
    }
    if (r === false) return false;
    if (r !== true) failure ??= r;
  }
  return failure ?? true;
}

/** Runs the product-level part of a candidate's condition (if any) and files it for this product. */
function offerToProduct(st: QuoteState, product: IndexedProduct, shared: Candidate, scratch: ProductScratch): void {
  const rule = shared.rule;
  let candidate = shared;
  const parts = rule.condition?.productParts;
  if (parts && parts.length > 0) {
    scratch.probe ??= new CelLine(0n, st.quoteTerm, product.cel);
    st.activation.line = scratch.probe;
    const r = evaluateProductParts(st, parts, scratch);
    if (r === false) {
      (scratch.dismissed ??= []).push(rule.dismissedConditionFalse);
      return;
    }
    if (r !== true && shared.pending === null) candidate = createCandidate(rule, shared.specificity, r);
  }
  const k = listIndexOf(rule);
  scratch.lists[k]![scratch.counts[k]!++] = candidate;
}

/** Admits each rule of one own-key bucket for the quote and offers it to the product; returns `dismissed`, created when first needed. */
function offerOwnBucket(
  st: QuoteState,
  product: IndexedProduct,
  rules: readonly CompiledRule[],
  specificity: number,
  scratch: ProductScratch,
  dismissed: RuleOutcome[] | null,
): RuleOutcome[] | null {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const c = admitRule(st, rule, specificity);
    if (c === DISMISSED_VALIDITY) (dismissed ??= []).push(rule.dismissedOutsideValidity);
    else if (c === DISMISSED_CONDITION) (dismissed ??= []).push(rule.dismissedConditionFalse);
    else offerToProduct(st, product, c, scratch);
  }
  return dismissed;
}

/**
 * The rules filed under one of the product's own keys (read by this product only): offered to the
 * product straight away, as getBucketView + offerToProduct would, without building a view.
 * Returns the rules dismissed for the whole quote (validity, quote-level condition), or null.
 */
function collectOwnRules(
  st: QuoteState,
  product: IndexedProduct,
  entries: readonly BucketEntry[] | undefined,
  keySpecificity: number,
  scratch: ProductScratch,
): RuleOutcome[] | null {
  if (!entries) return null;
  let dismissed: RuleOutcome[] | null = null;
  const count = matchCustomerBuckets(st, keySpecificity, entries);
  for (let i = 0; i < count; i++) dismissed = offerOwnBucket(st, product, matchedRules[i]!, matchedSpecificity[i]!, scratch, dismissed);
  return dismissed;
}

/** The price that keeps the product's minimum margin over this cost; worked out once per catalog when the cost needs no conversion. */
function getMarginFloor(st: QuoteState, product: IndexedProduct, costUnit: Dec | null): Dec | null {
  if (product.minMargin === null || costUnit === null) return null;
  const known = product.marginFloor[st.currency];
  if (known !== undefined && costUnit === product.cost[st.currency]) return known;
  return costUnit.dividedBy(ONE.minus(product.minMargin));
}

/** Candidates for a product on this quote: its group chain's, plus its own and the product-dependent ones, ranked. */
function getProductPlan(st: QuoteState, product: IndexedProduct): ProductPlan {
  if (product.memoOwner === st) return product.memoValue as ProductPlan;
  const chain = getChainPlan(st, product.chain);
  const scratch = productScratch;
  resetProductScratch(scratch);
  // Own keys' dismissed lists go first: a variant's parent product's, then its own.
  const ownKey = product.ownKey;
  const own = collectOwnRules(st, product, getKeyEntries(st, ownKey), ownKey.specificity, scratch);
  const parentKey = product.parentKey;
  const ownParent = parentKey === null ? null : collectOwnRules(st, product, getKeyEntries(st, parentKey), parentKey.specificity, scratch);
  const dependent = chain.dependent;
  for (let i = 0; i < dependent.length; i++) offerToProduct(st, product, dependent[i]!, scratch);
  let dismissed = chain.dismissed;
  if (own !== null || ownParent !== null || scratch.dismissed !== null) {
    const shared = chain.dismissed;
    dismissed = [];
    if (ownParent !== null) dismissed.push(ownParent);
    if (own !== null) dismissed.push(own);
    for (let i = 0; i < shared.length; i++) dismissed.push(shared[i]!);
    if (scratch.dismissed !== null) dismissed.push(scratch.dismissed);
  }
  // Without candidates of its own the product shares its chain's arrays as they are.
  const ranked = mergeLists(chain, scratch.lists, scratch.counts);
  const costUnit = resolveCatalogAmount(st, product.cost);
  const plan: ProductPlan = {
    byPhase: ranked.byPhase,
    constraints: ranked.constraints,
    grants: ranked.grants,
    dismissed,
    costUnit,
    floor: resolveCatalogAmount(st, product.floor),
    ceiling: resolveCatalogAmount(st, product.ceiling),
    marginFloor: getMarginFloor(st, product, costUnit),
  };
  remember(st, product, plan);
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Line pricing

function recordEvalError(st: QuoteState, rule: CompiledRule, lineId: string, error: ConditionFailure): void {
  const existing = st.evalErrors.get(rule.id);
  if (existing) {
    existing.count++;
    return;
  }
  const advisory: Extract<PricingAdvisory, { code: 'rule_eval_error' }> = { code: 'rule_eval_error', ruleId: rule.id, lineId, count: 1, error };
  st.evalErrors.set(rule.id, advisory);
  st.advisories.push(advisory);
}

function recordCurrencyMissing(st: QuoteState, rule: CompiledRule): void {
  if (st.currencyMissing.has(rule.id)) return;
  st.currencyMissing.add(rule.id);
  st.advisories.push({ code: 'rule_currency_missing', ruleId: rule.id, currency: st.currency });
}

/** CEL `&&` semantics across the parts: false wins over errors; otherwise an error wins over true. */
function evaluateCandidate(st: QuoteState, c: Candidate): boolean | ConditionFailure {
  const linePart = c.linePart;
  if (linePart === null) return c.pending ?? true;
  const r = evaluateConditionPart(linePart, st.activation);
  if (r === false) return false;
  return c.pending ?? r;
}

/** false when the candidate's condition does not hold (its skip step is recorded). */
function isConditionMet(st: QuoteState, w: LineWork, c: Candidate): boolean {
  const r = evaluateCandidate(st, c);
  if (r === true) return true;
  // The rule's shared condition_false entry: the same plain object as skippedOutcome would make.
  if (r === false) w.steps.push(c.rule.dismissedConditionFalse);
  else {
    w.steps.push(skippedOutcome(c.rule, 'eval_error', r));
    recordEvalError(st, c.rule, w.id, r);
  }
  return false;
}

/** CEL ints for the quantities most lines have, made once (BigInt() allocates each time). */
const SMALL_INTS: bigint[] = Array.from({ length: 1024 }, (_, i) => BigInt(i));

function toCelInt(n: number): bigint {
  return n < SMALL_INTS.length ? SMALL_INTS[n]! : BigInt(n);
}

const NOT_APPLICABLE = -2;

function getTierBasis(st: QuoteState, w: LineWork, basis: 'quantity' | 'termMonths'): number {
  return basis === 'quantity' ? w.quantity : Number(st.activation.line!.termMonths);
}

function adviseNearThreshold(st: QuoteState, w: LineWork, rule: CompiledRule, next: number | null): void {
  if (next === null) return;
  const toGo = next - w.quantity;
  const limit = Math.max(1, Math.ceil((w.quantity * st.nearPercent) / 100));
  if (toGo > 0 && toGo <= limit) {
    st.advisories.push({ code: 'near_threshold', lineId: w.id, ruleId: rule.id, quantity: w.quantity, nextThreshold: next, unitsToGo: toGo });
  }
}

/** Band index (−1 when not a tier) if the action can apply to this line, else NOT_APPLICABLE with the skip recorded. */
function getApplicability(st: QuoteState, w: LineWork, c: Candidate): number {
  const a = c.rule.action;
  switch (a.type) {
    case 'setPrice':
    case 'amountDiscount':
    case 'bundlePrice':
      if (a.amounts[st.currency] === undefined) {
        w.steps.push(skippedOutcome(c.rule, 'currency_missing', null));
        recordCurrencyMissing(st, c.rule);
        return NOT_APPLICABLE;
      }
      if (a.type === 'bundlePrice' && !w.product?.input.bundle) {
        w.steps.push(skippedOutcome(c.rule, 'not_a_bundle', null));
        return NOT_APPLICABLE;
      }
      return -1;
    case 'tiers': {
      const table = a.table;
      if (table.valueKind !== 'percent' && table.bands[0]!.amounts[st.currency] === undefined) {
        w.steps.push(skippedOutcome(c.rule, 'currency_missing', null));
        recordCurrencyMissing(st, c.rule);
        return NOT_APPLICABLE;
      }
      const basis = getTierBasis(st, w, table.basis);
      const band = findBandIndex(table, basis);
      if (band < 0) {
        w.steps.push(skippedOutcome(c.rule, 'outside_band', null));
        if (table.basis === 'quantity') adviseNearThreshold(st, w, c.rule, table.bands[0]!.from);
        return NOT_APPLICABLE;
      }
      return band;
    }
    default:
      return -1;
  }
}

// Exact arithmetic on the running price: scaled integers when both operands and the result fit
// (fixed.ts), else decimal.js. Both give the same Decimal value (results below 2^53 have at most 16
// digits, so decimal.js's 40-digit precision never rounds them).

/** a + sign × b. */
function fastAdd(a: Dec, b: Dec, sign: 1 | -1): Dec | null {
  const ka = getDecimalPlaces(a);
  const kb = getDecimalPlaces(b);
  const k = ka > kb ? ka : kb;
  if (!(k <= FAST_MAX_PLACES)) return null;
  const x = toScaled(a, k);
  const y = toScaled(b, k);
  const r = sign === 1 ? x + y : x - y;
  return Math.abs(r) <= Number.MAX_SAFE_INTEGER ? fromScaled(r, k) : null;
}

/** a × b where b is also given as bScaled × 10^−kb (NaN: not representable), without reading b on the fast path. */
function timesScaled(a: Dec, b: Dec, bScaled: number, kb: number): Dec {
  if (isFastPathOn) {
    const ka = getDecimalPlaces(a);
    if (ka + kb <= FAST_MAX_PLACES) {
      const p = toScaled(a, ka) * bScaled;
      if (Math.abs(p) <= Number.MAX_SAFE_INTEGER) return fromScaled(p, ka + kb);
    }
  }
  return a.times(b);
}

function times(a: Dec, b: Dec): Dec {
  if (!isFastPathOn) return a.times(b);
  const kb = getDecimalPlaces(b);
  return timesScaled(a, b, kb <= FAST_MAX_PLACES ? toScaled(b, kb) : NaN, kb);
}

function plus(a: Dec, b: Dec): Dec {
  return (isFastPathOn ? fastAdd(a, b, 1) : null) ?? a.plus(b);
}

function minus(a: Dec, b: Dec): Dec {
  return (isFastPathOn ? fastAdd(a, b, -1) : null) ?? a.minus(b);
}

// The running unit price is the exact fraction w.unit / w.den (den null = 1). Block and slab tables
// spread a total over q units; dividing there and multiplying back by q later can land a line on
// the wrong side of a half cent, so the division happens once, at the line total.

function setRunningPrice(w: LineWork, num: Dec, den: Dec | null): void {
  w.unit = num;
  w.den = den;
  w.shown = null;
}

/** The running unit price as one Decimal, for explanations and display (divided once per change). */
function getShownUnit(w: LineWork): Dec {
  if (w.den === null) return w.unit;
  return (w.shown ??= w.unit.dividedBy(w.den));
}

/** Sign of num/den − limit, without dividing. */
function compareToLimit(num: Dec, den: Dec | null, limit: Dec): number {
  return compareDecimals(num, den === null ? limit : times(limit, den));
}

/** Sign of a/aDen − b/bDen, without dividing. */
function compareFractions(a: Dec, aDen: Dec | null, b: Dec, bDen: Dec | null): number {
  return compareDecimals(bDen === null ? a : times(a, bDen), aDen === null ? b : times(b, aDen));
}

/** Apply `value / per` (per null = 1) as a set price, a discount fraction, or an amount off per unit. */
function applyToRunningPrice(w: LineWork, op: 'set' | 'percent' | 'amount', value: Dec, per: Dec | null): void {
  const num = w.unit;
  const den = w.den;
  if (op === 'set') setRunningPrice(w, value, per);
  else if (op === 'percent') {
    if (per === null) setRunningPrice(w, times(num, minus(ONE, value)), den);
    else setRunningPrice(w, num.times(per.minus(value)), den === null ? per : den.times(per));
  } else if (per === null) setRunningPrice(w, minus(num, den === null ? value : value.times(den)), den);
  else setRunningPrice(w, num.times(per).minus(den === null ? value : value.times(den)), den === null ? per : den.times(per));
}

/** Apply one rule on its own to the running unit price (exclusive winner, replace, or a compound link). */
function applyRule(st: QuoteState, w: LineWork, c: Candidate, band: number): void {
  const rule = c.rule;
  const a = rule.action;
  const before = getShownUnit(w);
  let op: 'set' | 'percent' | 'amount' = 'set';
  let operand: Dec;
  switch (a.type) {
    case 'setPrice':
    case 'bundlePrice':
      operand = a.amounts[st.currency]!;
      setRunningPrice(w, operand, null);
      break;
    case 'percentDiscount':
      op = 'percent';
      operand = a.fraction;
      setRunningPrice(w, timesScaled(w.unit, a.multiplier, a.multiplierScaled, a.multiplierPlaces), w.den);
      break;
    case 'amountDiscount':
      op = 'amount';
      operand = a.amounts[st.currency]!;
      applyToRunningPrice(w, 'amount', operand, null);
      break;
    case 'tiers': {
      const table = a.table;
      const basis = getTierBasis(st, w, table.basis);
      const effect = computeTierEffect(table, band, basis, w.unit, w.den, st.currency);
      op = effect.op;
      operand = effect.per === null ? effect.value : effect.value.dividedBy(effect.per);
      applyToRunningPrice(w, effect.op, effect.value, effect.per);
      if (table.basis === 'quantity') {
        const cliff = findTierCliff(table, basis, before, st.currency);
        if (cliff) {
          st.advisories.push({
            code: 'tier_cliff',
            lineId: w.id,
            ruleId: rule.id,
            quantity: basis,
            atQuantity: cliff.atQuantity,
            totalNow: Money.of(cliff.totalNow, st.currency).round(),
            totalThen: Money.of(cliff.totalThen, st.currency).round(),
          });
        }
        adviseNearThreshold(st, w, rule, findNextThreshold(table, basis));
      }
      break;
    }
    default:
      return;
  }
  if (op === 'set') w.hasPrice = true;
  w.steps.push({ type: 'applied', ruleId: rule.id, phase: rule.phase, action: a.type, combine: rule.combine, op, operand, bandIndex: band, before, after: getShownUnit(w) });
}

interface Contribution {
  c: Candidate;
  band: number;
  /** value / per (per null = 1) is the fraction or the amount per unit. */
  value: Dec;
  per: Dec | null;
}

/** What an additive adjust rule contributes, typed percent or amount. */
function getAdditiveContribution(st: QuoteState, w: LineWork, c: Candidate, band: number): { kind: 'percent' | 'amount'; contribution: Contribution } {
  const a = c.rule.action;
  if (a.type === 'percentDiscount') return { kind: 'percent', contribution: { c, band, value: a.fraction, per: null } };
  if (a.type === 'amountDiscount') return { kind: 'amount', contribution: { c, band, value: a.amounts[st.currency]!, per: null } };
  if (a.type === 'tiers') {
    const basis = getTierBasis(st, w, a.table.basis);
    const effect = computeTierEffect(a.table, band, basis, w.unit, w.den, st.currency);
    if (a.table.basis === 'quantity') adviseNearThreshold(st, w, c.rule, findNextThreshold(a.table, basis));
    return { kind: effect.op === 'amount' ? 'amount' : 'percent', contribution: { c, band, value: effect.value, per: effect.per } };
  }
  return { kind: 'percent', contribution: { c, band, value: ZERO, per: null } };
}

/** Sum the group's contributions into one step: Σ fractions (or Σ amounts) applied once. */
function applyAdditiveGroup(w: LineWork, phase: PricingPhase, kind: 'percent' | 'amount', members: Contribution[]): void {
  let per: Dec | null = null;
  for (const m of members) if (m.per !== null) per = m.per;
  let total = ZERO;
  // Slab contributions are Σ/q; bring plain ones over the same q so the sum stays one fraction.
  for (const m of members) total = plus(total, per === null || m.per !== null ? m.value : m.value.times(per));
  const before = getShownUnit(w);
  applyToRunningPrice(w, kind, total, per);
  const after = getShownUnit(w);
  for (const m of members) {
    const r = m.c.rule;
    const operand = m.per === null ? m.value : m.value.dividedBy(m.per);
    w.steps.push({ type: 'applied', ruleId: r.id, phase: r.phase, action: r.action.type, combine: r.combine, op: kind, operand, bandIndex: m.band, before, after });
  }
  w.steps.push({ type: 'combined', phase, kind, ruleIds: members.map((m) => m.c.rule.id), total: per === null ? total : total.dividedBy(per), before, after });
}

/** Scratch written by index, never truncated (see matchedRules). */
const phaseMatched: Candidate[] = [];
const phaseBands: number[] = [];

/**
 * "rule shadowed by `by`": immutable, so the candidate's last one is reused by the next line that
 * shares the candidate and the winner. Made from the candidate alone: a line passes over most of
 * its rules this way, and reading each rule (long out of the CPU's cache) cost more than the step.
 */
function getShadowedStep(c: Candidate, phase: PricingPhase, by: string): RuleShadowed {
  const last = c.shadowed;
  if (last !== null && last.by === by && last.phase === phase) return last;
  return (c.shadowed = { type: 'shadowed', ruleId: c.ruleId, phase, by });
}

/**
 * One phase. Matching rules are ranked (priority, specificity, newest, id). If the top-ranked one
 * is exclusive it alone applies. Otherwise, in this order: the best-ranked non-exclusive price-setting
 * rule (set price, price tier, bundle price), then all additive percentages summed into one step,
 * then all additive amounts summed into one step, then compound rules one after another in rank
 * order. Exclusive rules below a non-exclusive top are shadowed by the top rule; other price-setting
 * rules by the one that set the price.
 *
 * A rule that can no longer apply whatever its condition says (below an exclusive winner, an
 * exclusive rule below a non-exclusive top, a second price-setting rule) is reported as shadowed
 * without evaluating its condition: the outcome is the same and most lines stop at their first match.
 */
function runPhase(st: QuoteState, w: LineWork, phaseIndex: number, list: readonly Candidate[]): void {
  const phase = PRICING_PHASES[phaseIndex]!;
  const entering = w.unit;
  const enteringDen = w.den;
  let i = 0;
  let top: Candidate | null = null;
  let topBand = -1;
  for (; i < list.length; i++) {
    const c = list[i]!;
    if (!isConditionMet(st, w, c)) continue;
    topBand = getApplicability(st, w, c);
    if (topBand === NOT_APPLICABLE) continue;
    top = c;
    break;
  }
  if (top === null) return;
  const topId = top.ruleId;
  if (top.rule.combine === 'exclusive') {
    applyRule(st, w, top, topBand);
    for (i++; i < list.length; i++) w.steps.push(getShadowedStep(list[i]!, phase, topId));
    clampToLimits(w, phase, entering, enteringDen);
    return;
  }
  // Scratch lists reused by every phase of every line (the engine is synchronous and runPhase does
  // not nest): a new pair per phase was a tenth of a line's allocation.
  const matched = phaseMatched;
  const bands = phaseBands;
  matched[0] = top;
  bands[0] = topBand;
  let matchedCount = 1;
  let replace: Candidate | null = top.rule.role === 'replace' ? top : null;
  let replaceBand = replace ? topBand : -1;
  for (i++; i < list.length; i++) {
    const c = list[i]!;
    const r = c.rule;
    if (r.combine === 'exclusive') {
      w.steps.push(getShadowedStep(c, phase, topId));
      continue;
    }
    if (r.role === 'replace' && replace !== null) {
      w.steps.push(getShadowedStep(c, phase, replace.ruleId));
      continue;
    }
    if (!isConditionMet(st, w, c)) continue;
    const band = getApplicability(st, w, c);
    if (band === NOT_APPLICABLE) continue;
    if (r.role === 'replace') {
      replace = c;
      replaceBand = band;
    } else {
      matched[matchedCount] = c;
      bands[matchedCount++] = band;
    }
  }
  if (replace !== null) applyRule(st, w, replace, replaceBand);
  let percents: Contribution[] | null = null;
  let amounts: Contribution[] | null = null;
  for (let k = 0; k < matchedCount; k++) {
    const c = matched[k]!;
    if (c.rule.combine !== 'additive' || c.rule.role !== 'adjust') continue;
    const { kind, contribution } = getAdditiveContribution(st, w, c, bands[k]!);
    if (kind === 'percent') (percents ??= []).push(contribution);
    else (amounts ??= []).push(contribution);
  }
  if (percents) applyAdditiveGroup(w, phase, 'percent', percents);
  if (amounts) applyAdditiveGroup(w, phase, 'amount', amounts);
  for (let k = 0; k < matchedCount; k++) {
    const c = matched[k]!;
    if (c.rule.combine === 'compound' && c.rule.role === 'adjust') applyRule(st, w, c, bands[k]!);
  }
  clampToLimits(w, phase, entering, enteringDen);
}

/**
 * Rule results never go below the floor (or zero), nor above the ceiling; if the price entering the
 * phase was already past a limit (a manual override), rules may not push it further out.
 */
function clampToLimits(w: LineWork, phase: PricingPhase, entering: Dec, enteringDen: Dec | null): void {
  const ceiling = w.ceiling;
  if (ceiling !== null && compareToLimit(w.unit, w.den, ceiling) > 0) {
    const before = getShownUnit(w);
    const wasDen = w.den;
    const wasUnit = w.unit;
    if (compareToLimit(entering, enteringDen, ceiling) <= 0) setRunningPrice(w, ceiling, null);
    else if (compareFractions(w.unit, w.den, entering, enteringDen) > 0) setRunningPrice(w, entering, enteringDen);
    if (w.unit !== wasUnit || w.den !== wasDen) w.steps.push({ type: 'clamp', phase, bound: 'ceiling', limit: ceiling, before, after: getShownUnit(w) });
  }
  const floor = w.floor ?? ZERO;
  if (compareToLimit(w.unit, w.den, floor) < 0) {
    const before = getShownUnit(w);
    const wasDen = w.den;
    const wasUnit = w.unit;
    if (compareToLimit(entering, enteringDen, floor) >= 0) setRunningPrice(w, floor, null);
    else if (compareFractions(w.unit, w.den, entering, enteringDen) < 0) setRunningPrice(w, entering, enteringDen);
    if (w.unit !== wasUnit || w.den !== wasDen) w.steps.push({ type: 'clamp', phase, bound: 'floor', limit: floor, before, after: getShownUnit(w) });
  }
}

function addIssue(w: LineWork, code: LineIssueCode, message: string): void {
  w.issues.push({ code, message });
}

function applyManual(w: LineWork): void {
  const { manualUnitPrice, manualDiscountPercent } = w.input;
  if (manualUnitPrice === undefined && manualDiscountPercent === undefined) return;
  if (manualUnitPrice !== undefined && manualDiscountPercent !== undefined) {
    addIssue(w, 'invalid_manual', 'give a manual price or a manual discount, not both');
    return;
  }
  const before = getShownUnit(w);
  if (manualUnitPrice !== undefined) {
    if (!isDecimalString(manualUnitPrice) || manualUnitPrice.startsWith('-')) {
      addIssue(w, 'invalid_manual', 'manualUnitPrice must be a non-negative decimal string');
      return;
    }
    const operand = new Dec(manualUnitPrice);
    setRunningPrice(w, operand, null);
    w.hasPrice = true;
    w.steps.push({ type: 'manual', kind: 'price', operand, before, after: operand });
    return;
  }
  if (!isDecimalString(manualDiscountPercent) || Number(manualDiscountPercent) > 100) {
    addIssue(w, 'invalid_manual', 'manualDiscountPercent must be a decimal string of at most 100');
    return;
  }
  const operand = new Dec(manualDiscountPercent!);
  setRunningPrice(w, w.unit.times(ONE.minus(operand.dividedBy(HUNDRED))), w.den);
  w.steps.push({ type: 'manual', kind: 'percent', operand, before, after: getShownUnit(w) });
}

/** Floors and ceilings from the product and from every matching constraint rule (highest floor, lowest ceiling). */
function resolveLimits(st: QuoteState, w: LineWork, plan: ProductPlan): void {
  let floor = plan.floor;
  if (plan.marginFloor && (floor === null || plan.marginFloor.greaterThan(floor))) floor = plan.marginFloor;
  let ceiling = plan.ceiling;
  for (const c of plan.constraints) {
    if (!isConditionMet(st, w, c)) continue;
    const a = c.rule.action;
    if (a.type === 'floor') {
      let value: Dec | null = null;
      if (a.amounts) {
        const amount = a.amounts[st.currency];
        if (amount === undefined && !a.minMargin) {
          w.steps.push(skippedOutcome(c.rule, 'currency_missing', null));
          recordCurrencyMissing(st, c.rule);
          continue;
        }
        if (amount !== undefined) value = amount;
      }
      if (a.minMargin) {
        if (!plan.costUnit) {
          if (value === null) {
            w.steps.push(skippedOutcome(c.rule, 'cost_missing', null));
            continue;
          }
        } else {
          const marginFloor = plan.costUnit.dividedBy(ONE.minus(a.minMargin));
          if (value === null || marginFloor.greaterThan(value)) value = marginFloor;
        }
      }
      if (value === null) continue;
      w.steps.push({ type: 'applied', ruleId: c.rule.id, phase: c.rule.phase, action: 'floor', combine: c.rule.combine, op: 'floor', operand: value, bandIndex: -1, before: null, after: null });
      if (floor === null || value.greaterThan(floor)) floor = value;
    } else if (a.type === 'ceiling') {
      const value = a.amounts[st.currency];
      if (value === undefined) {
        w.steps.push(skippedOutcome(c.rule, 'currency_missing', null));
        recordCurrencyMissing(st, c.rule);
        continue;
      }
      w.steps.push({ type: 'applied', ruleId: c.rule.id, phase: c.rule.phase, action: 'ceiling', combine: c.rule.combine, op: 'ceiling', operand: value, bandIndex: -1, before: null, after: null });
      if (ceiling === null || value.lessThan(ceiling)) ceiling = value;
    }
  }
  if (floor !== null && ceiling !== null && floor.greaterThan(ceiling)) {
    // Protecting margin wins over a promised maximum; the quote service sees the conflict.
    st.advisories.push({ code: 'floor_above_ceiling', lineId: w.id, floor, ceiling });
  }
  w.floor = floor;
  w.ceiling = ceiling;
}

/** The line's quantity as a Decimal (decimal.js would convert a number on every operation). */
function getQuantityDec(w: LineWork): Dec {
  return (w.quantityDec ??= w.quantity === 0 ? ZERO : new Dec(w.quantity));
}

/** The children and free lines of a line that has none (most): shared, frozen, replaced on the first push. */
const NO_LINES: LineWork[] = Object.freeze([]) as unknown as LineWork[];

function createLineWork(st: QuoteState, input: PricingLineInput, found: IndexedProduct | undefined = st.catalog.products.get(input.productId)): LineWork {
  const product = found ?? null;
  const w: LineWork = {
    input,
    id: input.id,
    product,
    role: 'standard',
    parent: null,
    children: NO_LINES,
    quantity: Number.isSafeInteger(input.quantity) && input.quantity >= 0 ? input.quantity : 0,
    quantityDec: null,
    listUnit: null,
    unit: ZERO,
    den: null,
    shown: null,
    allocated: null,
    netUnrounded: ZERO,
    exchangeRate: null,
    floor: null,
    ceiling: null,
    costUnit: null,
    taxFraction: product?.taxFraction ?? ZERO,
    taxPercent: product?.input.taxPercent ?? '0',
    steps: [],
    dismissed: [],
    issues: [],
    isPriced: false,
    hasPrice: false,
    belowFloor: null,
    aboveCeiling: null,
    freeOf: null,
    frees: NO_LINES,
  };
  if (!product) addIssue(w, 'unknown_product', `product ${input.productId} is not in the catalog`);
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 0) addIssue(w, 'invalid_quantity', 'quantity must be an integer ≥ 0');
  if (input.taxPercent !== undefined) {
    if (isDecimalString(input.taxPercent) && !input.taxPercent.startsWith('-')) {
      w.taxPercent = input.taxPercent;
      w.taxFraction = new Dec(input.taxPercent).dividedBy(HUNDRED);
    } else addIssue(w, 'invalid_tax', 'taxPercent must be a non-negative decimal string');
  }
  return w;
}

interface ListPrice {
  /** In the quote currency; null when the price book does not list the product or it is unusable. */
  unit: Dec | null;
  rate: Dec | null;
  issue: LineIssue | null;
}

/**
 * The price book's price of a product (as getListedPrice), kept on the product for the same price
 * list object: the product is at hand when its line is priced, where the parsed list's map is a
 * lookup into memory long out of the CPU's cache.
 */
function getBookPrice(prices: Readonly<Record<string, string>>, product: IndexedProduct): Dec | null | undefined {
  if (product.bookPrices === prices) return product.bookPrice;
  const price = getListedPrice(prices, product.id);
  product.bookPrices = prices;
  product.bookPrice = price;
  const places = price ? getDecimalPlaces(price) : NaN;
  product.bookPlaces = places;
  product.bookScaled = places <= FAST_MAX_PLACES ? toScaled(price!, places) : NaN;
  return price;
}

/** The list unit price in the quote currency, converted from the price book's currency. */
function resolveListUnit(st: QuoteState, product: IndexedProduct): ListPrice {
  const book = st.request.priceBook;
  const productId = product.id;
  const listed = getBookPrice(book.prices, product);
  if (listed === undefined) return { unit: null, rate: null, issue: null };
  if (listed === null) {
    return { unit: null, rate: null, issue: { code: 'invalid_price', message: `the price book price of ${productId} is not a valid amount` } };
  }
  if (book.currency === st.currency) return { unit: listed, rate: null, issue: null };
  const rate = st.rates.get(book.currency);
  if (!rate) {
    return { unit: null, rate: null, issue: { code: 'missing_exchange_rate', message: `no exchange rate from ${book.currency} to ${st.currency}` } };
  }
  st.ratesUsed[book.currency] = st.request.exchangeRates![book.currency]!;
  return { unit: listed.times(rate), rate, issue: null };
}

interface ContractHit {
  unit: Dec;
  accountId: string;
  fromCurrency: string | null;
  rate: Dec | null;
}

function findContractPrice(st: QuoteState, w: LineWork): ContractHit | null | 'error' {
  for (const list of st.request.contractPrices ?? []) {
    const price = getListedPrice(list.prices, w.input.productId);
    if (price === undefined) continue;
    if (price === null) {
      addIssue(w, 'invalid_price', `the contract price of ${w.input.productId} for ${list.accountId} is not a valid amount`);
      return 'error';
    }
    if (list.currency === st.currency) return { unit: price, accountId: list.accountId, fromCurrency: null, rate: null };
    const rate = st.rates.get(list.currency);
    if (!rate) {
      addIssue(w, 'missing_exchange_rate', `no exchange rate from ${list.currency} to ${st.currency}`);
      return 'error';
    }
    st.ratesUsed[list.currency] = st.request.exchangeRates![list.currency]!;
    return { unit: price.times(rate), accountId: list.accountId, fromCurrency: list.currency, rate };
  }
  return null;
}

/**
 * The full waterfall for one line. `bundleBase` is set for a components-priced bundle header:
 * its base is the sum of its components and its BASE rules are skipped.
 */
function priceLine(st: QuoteState, w: LineWork, bundleBase: Dec | null): void {
  const product = w.product!;
  const list = resolveListUnit(st, product);
  if (list.issue) {
    w.issues.push(list.issue);
    return;
  }
  w.listUnit = list.unit;
  w.exchangeRate = list.rate;
  let baseLocked: SkipReason | null = null;
  if (bundleBase !== null) {
    // bundleBase is the sum of the component totals: per bundle unit that is bundleBase / quantity.
    setRunningPrice(w, bundleBase, w.quantity === 1 ? null : getQuantityDec(w));
    baseLocked = 'bundle_sum';
    w.steps.push({ type: 'base', source: 'bundleSum', listUnit: w.listUnit, unit: getShownUnit(w), accountId: null, isInherited: false, fromCurrency: null, exchangeRate: null });
  } else {
    const contract = findContractPrice(st, w);
    if (contract === 'error') return;
    if (contract) {
      setRunningPrice(w, contract.unit, null);
      baseLocked = 'contract_price';
      w.steps.push({
        type: 'base',
        source: 'contract',
        listUnit: w.listUnit,
        unit: contract.unit,
        accountId: contract.accountId,
        isInherited: contract.accountId !== st.request.customer.id,
        fromCurrency: contract.fromCurrency,
        exchangeRate: contract.rate,
      });
      // Without a price book entry the contract price is the only list there is.
      w.listUnit ??= contract.unit;
    } else if (w.listUnit !== null) {
      setRunningPrice(w, w.listUnit, null);
      w.steps.push({
        type: 'base',
        source: 'priceBook',
        listUnit: w.listUnit,
        unit: w.listUnit,
        accountId: null,
        isInherited: false,
        fromCurrency: w.exchangeRate ? st.request.priceBook.currency : null,
        exchangeRate: w.exchangeRate,
      });
    } else {
      // No list price: only a BASE rule (set price, price tier) can give the line a price.
      setRunningPrice(w, ZERO, null);
      w.steps.push({ type: 'base', source: 'none', listUnit: null, unit: ZERO, accountId: null, isInherited: false, fromCurrency: null, exchangeRate: null });
    }
  }
  const plan = getProductPlan(st, product);
  w.dismissed = plan.dismissed;
  w.costUnit = plan.costUnit;
  const term = Number.isSafeInteger(w.input.termMonths) ? BigInt(w.input.termMonths!) : st.quoteTerm;
  st.activation.line = new CelLine(toCelInt(w.quantity), term, product.cel);
  resolveLimits(st, w, plan);
  w.hasPrice = w.steps[0]!.type === 'base' && w.steps[0]!.source !== 'none';
  for (let ph = 0; ph < 4; ph++) {
    const candidates = plan.byPhase[ph as 0 | 1 | 2 | 3];
    if (ph === 0 && baseLocked !== null) {
      for (const c of candidates) w.steps.push(skippedOutcome(c.rule, baseLocked, null));
    } else if (candidates.length > 0) runPhase(st, w, ph, candidates);
    if (ph === MANUAL_PHASE) applyManual(w);
  }
  if (!w.hasPrice) {
    addIssue(w, 'no_price', `no price for ${w.input.productId} in price book ${st.request.priceBook.id ?? ''}`.trim());
    return;
  }
  if (w.floor !== null && compareToLimit(w.unit, w.den, w.floor) < 0) {
    w.belowFloor = w.floor;
    w.steps.push({ type: 'limitFlag', bound: 'floor', limit: w.floor, unit: getShownUnit(w) });
    st.advisories.push({ code: 'below_floor', lineId: w.id, floor: w.floor, unit: getShownUnit(w) });
  }
  if (w.ceiling !== null && compareToLimit(w.unit, w.den, w.ceiling) > 0) {
    w.aboveCeiling = w.ceiling;
    w.steps.push({ type: 'limitFlag', bound: 'ceiling', limit: w.ceiling, unit: getShownUnit(w) });
    st.advisories.push({ code: 'above_ceiling', lineId: w.id, ceiling: w.ceiling, unit: getShownUnit(w) });
  }
  grantFreeItems(st, w, plan);
  // The one division of the waterfall, if any: the exact line total before its single rounding.
  if (w.den === null) w.netUnrounded = (isFastPathOn ? multiplyByQuantity(w.unit, w.quantity) : null) ?? w.unit.times(getQuantityDec(w));
  else w.netUnrounded = w.unit.times(getQuantityDec(w)).dividedBy(w.den);
  w.isPriced = true;
}

function grantFreeItems(st: QuoteState, w: LineWork, plan: ProductPlan): void {
  for (const c of plan.grants) {
    if (!isConditionMet(st, w, c)) continue;
    const a = c.rule.action;
    if (a.type !== 'freeItem') continue;
    const product = st.catalog.products.get(a.productId);
    if (!product) {
      w.steps.push(skippedOutcome(c.rule, 'unknown_product', null));
      continue;
    }
    const quantity = a.perQuantity ? Math.floor(w.quantity / a.perQuantity) * a.quantity : a.quantity;
    if (quantity <= 0) {
      w.steps.push(skippedOutcome(c.rule, 'outside_band', null));
      continue;
    }
    w.steps.push({ type: 'applied', ruleId: c.rule.id, phase: c.rule.phase, action: 'freeItem', combine: c.rule.combine, op: 'freeItem', operand: new Dec(quantity), bandIndex: -1, before: null, after: null });
    const free = createLineWork(st, { id: `${w.id}~free~${c.rule.id}`, productId: a.productId, quantity });
    free.role = 'free';
    free.freeOf = { ruleId: c.rule.id, triggerLineId: w.id };
    free.taxFraction = ZERO;
    // The list price of a free line is informational (it shows what was given away).
    free.listUnit = resolveListUnit(st, product).unit;
    free.costUnit = getProductPlan(st, product).costUnit;
    free.steps.push({ type: 'base', source: 'free', listUnit: free.listUnit, unit: ZERO, accountId: null, isInherited: false, fromCurrency: null, exchangeRate: null });
    free.isPriced = true;
    if (w.frees === NO_LINES) w.frees = [];
    w.frees.push(free);
  }
}

// ---------------------------------------------------------------------------------------------
// Bundles

function getBundleComponentDef(header: LineWork, productId: string) {
  return header.product?.input.bundle?.components.find((c) => c.productId === productId);
}

function linkBundles(st: QuoteState, works: LineWork[]): void {
  const byId = new Map<string, LineWork>();
  for (let i = 0; i < works.length; i++) {
    const w = works[i]!;
    if (byId.has(w.id)) addIssue(w, 'duplicate_line_id', `line id ${w.id} is used twice`);
    else byId.set(w.id, w);
  }
  for (let i = 0; i < works.length; i++) {
    const w = works[i]!;
    const parentId = w.input.parentLineId;
    if (parentId === undefined) continue;
    const parent = byId.get(parentId);
    if (!parent || parent === w || !parent.product?.input.bundle || parent.input.parentLineId !== undefined) {
      st.advisories.push({ code: 'orphan_component', lineId: w.id, parentLineId: parentId });
      continue;
    }
    w.parent = parent;
    if (parent.children === NO_LINES) parent.children = [];
    parent.children.push(w);
    parent.role = 'bundleHeader';
    const def = getBundleComponentDef(parent, w.input.productId);
    if (def?.isBundled) {
      w.role = 'bundledOption';
      const expected = def.quantity * parent.quantity;
      if (w.quantity !== expected) {
        st.advisories.push({ code: 'bundle_quantity_fixed', lineId: w.id, expected, given: w.quantity });
        w.quantity = expected;
        w.quantityDec = null;
      }
    } else w.role = 'bundleComponent';
  }
}

function markBundleUnpriced(header: LineWork): void {
  for (const c of header.children) {
    c.isPriced = false;
    if (c.issues.length === 0) addIssue(c, 'bundle_unpriced', `bundle line ${header.id} could not be priced`);
  }
}

function priceBundle(st: QuoteState, header: LineWork): void {
  const mode = header.product!.input.bundle!.pricing;
  const components = header.children.filter((c) => c.role === 'bundleComponent' && c.issues.length === 0);
  for (const option of header.children) {
    if (option.role !== 'bundledOption' || option.issues.length > 0) continue;
    option.steps.push({ type: 'base', source: 'bundledOption', listUnit: null, unit: ZERO, accountId: null, isInherited: false, fromCurrency: null, exchangeRate: null });
    option.costUnit = option.product ? getProductPlan(st, option.product).costUnit : null;
    option.isPriced = true;
  }
  if (mode === 'components') {
    let sum = ZERO;
    for (const c of components) {
      priceLine(st, c, null);
      if (c.isPriced) sum = sum.plus(c.netUnrounded);
    }
    if (header.quantity === 0) addIssue(header, 'invalid_quantity', 'a components-priced bundle needs a quantity ≥ 1');
    else priceLine(st, header, sum);
  } else {
    priceLine(st, header, null);
    for (const c of components) {
      // Components of a fixed bundle are not sold on their own price; their list only weights the split.
      // Components in `components` have no issues, so their product is known.
      c.listUnit = resolveListUnit(st, c.product!).unit;
      c.costUnit = c.product ? getProductPlan(st, c.product).costUnit : null;
      c.steps.push({ type: 'base', source: 'bundleIncluded', listUnit: c.listUnit, unit: ZERO, accountId: null, isInherited: false, fromCurrency: null, exchangeRate: null });
      c.netUnrounded = c.listUnit ? c.listUnit.times(c.quantity) : ZERO;
      c.isPriced = true;
    }
  }
  if (!header.isPriced) {
    markBundleUnpriced(header);
    return;
  }
  const priced = components.filter((c) => c.isPriced);
  if (priced.length === 0) return;
  const headerNet = roundMinor(header.netUnrounded, st.places);
  let weights = priced.map((c) => c.netUnrounded);
  if (weights.every((x) => x.isZero())) weights = priced.map((c) => new Dec(c.quantity));
  const shares = Money.of(headerNet, st.currency).allocate(weights);
  priced.forEach((c, i) => {
    const share = shares[i]!.amount;
    c.allocated = share;
    setRunningPrice(c, share, c.quantity > 1 ? getQuantityDec(c) : null);
    c.netUnrounded = share;
    c.steps.push({ type: 'allocated', bundleLineId: header.id, weight: weights[i]!, share });
  });
}

// ---------------------------------------------------------------------------------------------
// Results

function roundMinor(d: Dec, places: number): Dec {
  return d.decimalPlaces() <= places ? d : d.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
}

/** unit × quantity exactly in scaled integers, or null when it does not fit (the caller multiplies Decimals). */
function multiplyByQuantity(unit: Dec, quantity: number): Dec | null {
  const k = getDecimalPlaces(unit);
  if (!(k <= FAST_MAX_PLACES)) return null;
  const u = toScaled(unit, k);
  const p = u * quantity;
  if (Number.isNaN(u) || !(Math.abs(p) <= Number.MAX_SAFE_INTEGER)) return null;
  return quantity === 1 ? unit : fromScaled(p, k);
}

/**
 * round half-up(a × b) at `places` as a count of minor units, in scaled integers: the amount a line
 * hands over without making a Decimal (see LineAmount). NaN when an operand or the product does not fit.
 */
function multiplyRoundedScaled(a: Dec, b: Dec, places: number): number {
  const ka = getDecimalPlaces(a);
  const kb = getDecimalPlaces(b);
  if (!(ka <= FAST_MAX_PLACES && kb <= FAST_MAX_PLACES)) return NaN;
  const x = toScaled(a, ka);
  const y = toScaled(b, kb);
  const shift = ka + kb - places;
  // Exact product with fewer decimals than the currency: no rounding, as roundMinor.
  if (shift < 0) return toPlaces(x * y, ka + kb, places);
  return mulRoundHalfUp(x, y, shift);
}

/** roundMinor(a × b, places): in minor units when it fits the fast path, else a Decimal. */
function multiplyAndRound(a: Dec, b: Dec, places: number): LineAmount {
  if (isFastPathOn) {
    const n = multiplyRoundedScaled(a, b, places);
    if (!Number.isNaN(n)) return n;
  }
  return roundMinor(a.times(b), places);
}

/**
 * roundMinor(a × quantity, places) for a line's quantity (a safe integer ≥ 0): multiplyAndRound
 * without making the quantity a Decimal unless the fast path does not fit.
 */
function multiplyQuantityAndRound(a: Dec, w: LineWork, places: number): LineAmount {
  if (!isFastPathOn) return roundMinor(a.times(getQuantityDec(w)), places);
  const ka = getDecimalPlaces(a);
  return multiplyScaledByQuantity(a, ka <= FAST_MAX_PLACES ? toScaled(a, ka) : NaN, ka, w, places);
}

/** multiplyQuantityAndRound for `a` also given as x × 10^−ka (x NaN when it does not fit), without reading `a` on the fast path. */
function multiplyScaledByQuantity(a: Dec, x: number, ka: number, w: LineWork, places: number): LineAmount {
  if (isFastPathOn) {
    const quantity = w.quantity;
    // NaN (x did not fit) falls through both branches.
    const n = ka < places ? toPlaces(x * quantity, ka, places) : mulRoundHalfUp(x, quantity, ka - places);
    if (!Number.isNaN(n)) return n;
  }
  return roundMinor(a.times(getQuantityDec(w)), places);
}

/** The list amount of a priced line: from the product's price-book memo's scaled price when the list price is that one. */
function getListAmount(w: LineWork, listUnit: Dec, places: number): LineAmount {
  const product = w.product;
  if (product !== null && listUnit === product.bookPrice) return multiplyScaledByQuantity(listUnit, product.bookScaled, product.bookPlaces, w, places);
  return multiplyQuantityAndRound(listUnit, w, places);
}

function toPricedLine(st: QuoteState, w: LineWork): PricedLine {
  const places = st.places;
  const isPriced = w.isPriced && w.issues.length === 0;
  let net = ZERO;
  let netUnit = ZERO;
  if (isPriced) {
    netUnit = getShownUnit(w);
    if (w.allocated !== null) net = w.allocated;
    else {
      net = (isFastPathOn ? roundScaled(w.netUnrounded, places) : null) ?? roundMinor(w.netUnrounded, places);
      if (w.role !== 'free' && w.role !== 'bundledOption') {
        w.steps.push({ type: 'round', unrounded: w.netUnrounded, rounded: net, places });
      }
    }
  }
  const listUnit = w.role === 'bundledOption' ? null : w.listUnit;
  return new PricedLine({
    lineId: w.id,
    productId: w.input.productId,
    quantity: w.quantity,
    role: w.role,
    parentLineId: w.parent ? w.parent.id : null,
    isCounted: w.role !== 'bundleHeader',
    status: isPriced ? 'priced' : 'error',
    currency: st.currency,
    listUnit,
    netUnit,
    netUnrounded: isPriced ? (w.allocated ?? w.netUnrounded) : ZERO,
    places,
    listAmount: isPriced && listUnit !== null ? getListAmount(w, listUnit, places) : ZERO,
    netAmount: net,
    netScaled: toScaled(net, places),
    costAmount: w.costUnit !== null && isPriced ? multiplyQuantityAndRound(w.costUnit, w, places) : null,
    taxAmount: isPriced && !w.taxFraction.isZero() && !net.isZero() ? multiplyAndRound(net, w.taxFraction, places) : ZERO,
    taxPercent: w.role === 'free' ? '0' : w.taxPercent,
    exchangeRate: w.exchangeRate ? w.exchangeRate.toFixed() : null,
    floor: w.floor,
    ceiling: w.ceiling,
    belowFloor: w.belowFloor ? { floor: w.belowFloor } : null,
    aboveCeiling: w.aboveCeiling ? { ceiling: w.aboveCeiling } : null,
    freeOf: w.freeOf,
    explanation: { steps: w.steps, dismissed: w.dismissed },
    issues: w.issues,
  });
}

/** roundMinor through the fast path: null when it does not fit. */
function roundScaled(d: Dec, places: number): Dec | null {
  const k = getDecimalPlaces(d);
  if (k <= places) return d;
  if (!(k <= FAST_MAX_PLACES)) return null;
  const x = toScaled(d, k);
  if (Number.isNaN(x)) return null;
  return fromScaled(mulRoundHalfUp(x, 1, k - places), places);
}

/** Dec.sum in chunks, so a very long quote never exceeds the engine's argument-count limit. */
function sumAmounts(amounts: Dec[]): Dec {
  if (amounts.length <= 4096) return Dec.sum(...amounts);
  const partials: Dec[] = [];
  for (let i = 0; i < amounts.length; i += 4096) partials.push(Dec.sum(...amounts.slice(i, i + 4096)));
  return Dec.sum(...partials);
}

interface AmountSums {
  list: Dec;
  net: Dec;
  tax: Dec;
  cost: Dec;
  isCostComplete: boolean;
}

/** Scratch for sumAmountsScaled (the engine is synchronous). */
const lineScaled: ScaledAmounts = { list: 0, net: 0, tax: 0, cost: null };

/** The four sums in scaled integers (the terms are amounts rounded to the currency); null when one does not fit. */
function sumAmountsScaled(lines: readonly PricedLine[], places: number): AmountSums | null {
  let list = 0;
  let net = 0;
  let tax = 0;
  let cost = 0;
  let isCostComplete = true;
  const amounts = lineScaled;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.isCounted) continue;
    l.readScaledAmounts(amounts);
    list += amounts.list;
    net += amounts.net;
    tax += amounts.tax;
    if (amounts.cost !== null) cost += amounts.cost;
    else isCostComplete = false;
  }
  // NaN propagates; a sum past 2^53 may have been rounded, so it is refused as a whole.
  const max = Number.MAX_SAFE_INTEGER;
  if (!(Math.abs(list) <= max && Math.abs(net) <= max && Math.abs(tax) <= max && Math.abs(cost) <= max)) return null;
  return { list: fromScaled(list, places), net: fromScaled(net, places), tax: fromScaled(tax, places), cost: fromScaled(cost, places), isCostComplete };
}

function sumAmountsExact(lines: readonly PricedLine[]): AmountSums {
  // Dec.sum adds without rounding between terms (faster than a chain of plus); the terms are rounded amounts.
  const lists: Dec[] = [ZERO];
  const nets: Dec[] = [ZERO];
  const taxes: Dec[] = [ZERO];
  const costs: Dec[] = [ZERO];
  let isCostComplete = true;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.isCounted) continue;
    if (!l.listAmount.isZero()) lists.push(l.listAmount);
    if (!l.netAmount.isZero()) nets.push(l.netAmount);
    if (!l.taxAmount.isZero()) taxes.push(l.taxAmount);
    if (l.costAmount !== null) costs.push(l.costAmount);
    else isCostComplete = false;
  }
  return { list: sumAmounts(lists), net: sumAmounts(nets), tax: sumAmounts(taxes), cost: sumAmounts(costs), isCostComplete };
}

function computeTotals(st: QuoteState, lines: readonly PricedLine[]): PricingTotals {
  const { list, net, tax, cost, isCostComplete } = (isFastPathOn ? sumAmountsScaled(lines, st.places) : null) ?? sumAmountsExact(lines);
  const margin = net.minus(cost);
  const cur = st.currency;
  return {
    list: Money.of(list, cur),
    net: Money.of(net, cur),
    discount: Money.of(list.minus(net), cur),
    discountPercent: formatPercent(list.minus(net), list),
    cost: Money.of(cost, cur),
    isCostComplete,
    margin: Money.of(margin, cur),
    marginPercent: formatPercent(margin, net),
    tax: Money.of(tax, cur),
    grandTotal: Money.of(net.plus(tax), cur),
  };
}

/**
 * Price a quote. Never throws for bad data: unknown products, missing prices or rates, invalid
 * manual input come back as line issues (status "error"); rule evaluation failures come back as
 * skipped steps plus advisories.
 */
export function computeQuotePricing(ruleSet: CompiledRuleSet, catalog: CatalogIndex, request: PricingRequest): PricingResult {
  const issues: QuoteIssue[] = [];
  const st = createQuoteState(ruleSet, catalog, request, issues);
  try {
    return priceQuote(st, issues);
  } finally {
    forgetMemos(st);
  }
}

function priceQuote(st: QuoteState, issues: QuoteIssue[]): PricingResult {
  const { request, ruleSet } = st;
  const works = request.lines.map((line, i) => createLineWork(st, line, st.lineProducts[i]));
  linkBundles(st, works);
  // A standard line is final once priced: it becomes its PricedLine at once, while what it reads
  // (its price, cost and steps) is still in the CPU's cache. Bundle lines wait for their bundle.
  // A finished line's work is dropped unless it has free lines to come, so that it dies young
  // instead of being copied by every garbage collection during a long quote.
  const pending: (LineWork | null)[] = works;
  const finished: (PricedLine | null)[] = [];
  for (let i = 0; i < works.length; i++) {
    const w = works[i]!;
    let line: PricedLine | null = null;
    if (w.issues.length === 0 && w.role === 'standard') {
      priceLine(st, w, null);
      line = toPricedLine(st, w);
      if (w.frees === NO_LINES) pending[i] = null;
    }
    finished.push(line);
  }
  for (let i = 0; i < pending.length; i++) {
    const w = pending[i] ?? null;
    if (w === null || w.role !== 'bundleHeader') continue;
    if (w.issues.length === 0) priceBundle(st, w);
    else markBundleUnpriced(w);
  }
  const lines: PricedLine[] = [];
  for (let i = 0; i < pending.length; i++) {
    const w = pending[i] ?? null;
    lines.push(finished[i] ?? toPricedLine(st, w!));
    if (w !== null) for (let k = 0; k < w.frees.length; k++) lines.push(toPricedLine(st, w.frees[k]!));
  }
  const hasErrors = issues.length > 0 || lines.some((l) => l.status === 'error');
  return {
    currency: st.currency,
    pricingDate: st.date,
    lines,
    totals: computeTotals(st, lines),
    advisories: st.advisories,
    issues,
    exchangeRatesUsed: st.ratesUsed,
    ruleSetRevision: ruleSet.revision,
    hasErrors,
  };
}

/**
 * "Why did (or didn't) rule R touch this line?" Reads the line's explanation; a rule the index
 * never offered the line (another product, group or customer scope) is reported as out of scope.
 * Null when the rule is not in the set or the line is not in the result.
 */
export function getRuleOutcome(result: PricingResult, ruleSet: CompiledRuleSet, lineId: string, ruleId: string): RuleOutcome | null {
  const rule = ruleSet.getRule(ruleId);
  const line = result.lines.find((l) => l.lineId === lineId);
  if (!rule || !line) return null;
  for (const step of line.explanation.steps) {
    if ((step.type === 'applied' || step.type === 'skipped' || step.type === 'shadowed') && step.ruleId === ruleId) return step;
  }
  for (const group of line.explanation.dismissed) for (const step of group) if (step.ruleId === ruleId) return step;
  return { type: 'skipped', ruleId, phase: rule.phase, reason: 'out_of_scope', error: null };
}
