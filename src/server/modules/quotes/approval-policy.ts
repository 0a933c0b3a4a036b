import { z } from 'zod';
import { CURRENCIES, DECIMAL_PATTERN, Dec, isCurrency, type Currency } from '../../../shared/money.ts';

/**
 * Quote approvals as pure rules: the policy (data), the metrics of a quote, the steps a quote
 * needs, who may act on each step, the approval state machine, and smart re-approval.
 *
 * No database, no clock (`at` / `today` are parameters), no HTTP. The service loads the seller's
 * management chain, the deal desk and finance role holders and the active delegations, and calls
 * these functions inside its transaction.
 *
 * Exactness: every comparison is done by cross-multiplication on decimals, never by dividing and
 * never on floats, so "18.5 % > 15 %" and "15.00 % is not > 15 %" are decided on exact values.
 */

// ── Levels and policy ──────────────────────────────────────────────────────────────────────────

/** The seller's management chain, lowest first. A higher chain level includes the lower ones first. */
export const CHAIN_LEVELS = ['manager', 'director', 'bg_head'] as const;
export type ChainLevel = (typeof CHAIN_LEVELS)[number];

/** Role levels: anyone holding the role may act. They follow the chain, in this order. */
export const ROLE_LEVELS = ['deal_desk', 'finance'] as const;
export type RoleLevel = (typeof ROLE_LEVELS)[number];

/** Every level in step order: the chain lowest first, then deal desk, then finance. */
export const APPROVAL_LEVELS = [...CHAIN_LEVELS, ...ROLE_LEVELS] as const;
export type ApprovalLevel = (typeof APPROVAL_LEVELS)[number];

export const APPROVAL_METRICS = [
  'quote_discount',
  'max_line_discount',
  'below_floor_lines',
  'margin_pct',
  'total_amount',
] as const;
export type ApprovalMetric = (typeof APPROVAL_METRICS)[number];

/** Percent metrics are compared in percent (threshold "15" means 15 %). */
const PERCENT_METRICS: ReadonlySet<ApprovalMetric> = new Set(['quote_discount', 'max_line_discount', 'margin_pct']);

export const APPROVAL_OPS = ['gt', 'lt'] as const;
export type ApprovalOp = (typeof APPROVAL_OPS)[number];

export function isChainLevel(level: ApprovalLevel): level is ChainLevel {
  return (CHAIN_LEVELS as readonly string[]).includes(level);
}

/** Position of a level in step order (manager 0 … finance 4). */
export function levelRank(level: ApprovalLevel): number {
  return APPROVAL_LEVELS.indexOf(level);
}

const MAX_DIGITS = 30;

/**
 * One rule: when `metric op threshold` holds (strictly), the quote needs `level`.
 * Percent metrics take a percent ("15", "15.5"); `below_floor_lines` a whole count; `total_amount`
 * an amount in `currency` (required for it, refused for the others).
 */
export const ApprovalRule = z
  .strictObject({
    id: z.string().min(1).max(64),
    metric: z.enum(APPROVAL_METRICS),
    op: z.enum(APPROVAL_OPS),
    threshold: z
      .string()
      .regex(DECIMAL_PATTERN, { message: 'v:decimal_string' })
      .refine((s) => s.replace(/^-/, '').replace('.', '').length <= MAX_DIGITS, { message: 'v:too_many_digits' }),
    currency: z.string().refine(isCurrency, { message: 'v:unknown_currency' }).optional(),
    level: z.enum(APPROVAL_LEVELS),
  })
  .superRefine((rule, ctx) => {
    if (rule.metric === 'total_amount') {
      if (rule.currency === undefined) {
        ctx.addIssue({ code: 'custom', path: ['currency'], message: 'v:required' });
      } else if (isCurrency(rule.currency) && DECIMAL_PATTERN.test(rule.threshold)) {
        const places = rule.threshold.split('.')[1]?.length ?? 0;
        if (places > CURRENCIES[rule.currency]) {
          ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'v:currency_places' });
        }
      }
    } else if (rule.currency !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['currency'], message: 'v:unknown_field' });
    }
    if (rule.metric === 'below_floor_lines' && !/^(0|[1-9]\d*)$/.test(rule.threshold)) {
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'v:integer' });
    }
  })
  .meta({ id: 'ApprovalRule', description: 'When metric op threshold holds (strictly), the quote needs the level.' });
export type ApprovalRule = z.infer<typeof ApprovalRule>;

/** A policy is an ordered list of rules; the order is kept in explanations. Rule ids are unique. */
export const ApprovalPolicy = z
  .strictObject({
    rules: z.array(ApprovalRule).max(200),
  })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.rules.forEach((rule, i) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: 'v:code_taken' });
      seen.add(rule.id);
    });
  })
  .meta({ id: 'ApprovalPolicy', description: 'Ordered approval rules: thresholds on quote metrics → required level.' });
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;

// ── Errors ─────────────────────────────────────────────────────────────────────────────────────

/**
 * Conditions the pure rules refuse. The service maps them to `AppError('quotes.<condition>')`:
 * `not_an_approver` and `not_submitter` are 403; `comment_required` is 400 (path `comment`);
 * `not_pending`, `step_not_current`, `version_mismatch` are 409; `no_approver` and
 * `no_exchange_rate` are 422.
 */
export type ApprovalErrorCondition =
  | 'not_an_approver'
  | 'not_submitter'
  | 'comment_required'
  | 'not_pending'
  | 'step_not_current'
  | 'version_mismatch'
  | 'no_approver'
  | 'no_exchange_rate';

export class ApprovalError extends Error {
  constructor(
    readonly condition: ApprovalErrorCondition,
    readonly params: Readonly<Record<string, string | number>> = {},
  ) {
    super(`quotes.${condition}${Object.keys(params).length ? ` ${JSON.stringify(params)}` : ''}`);
    this.name = 'ApprovalError';
  }

  /** The catalogue code, `quotes.<condition>`. */
  get code(): `quotes.${ApprovalErrorCondition}` {
    return `quotes.${this.condition}`;
  }
}

// ── Metrics ────────────────────────────────────────────────────────────────────────────────────

// Cross-multiplying two 30-digit amounts needs 60 digits; money.ts's Dec keeps 40. This clone
// only adds and multiplies (never divides), so every value it produces is exact.
const Exact = Dec.clone({ precision: 200 });
type Exact = InstanceType<typeof Exact>;
const ZERO = new Exact(0);
const HUNDRED = new Exact(100);

/** One counted line of a priced quote, as decimal strings in the quote currency. */
export interface QuoteLineSummary {
  lineId: string;
  /** Extended list amount (list unit × quantity); null when the item has no list price. */
  listAmount: string | null;
  /** Extended net amount after every discount. */
  netAmount: string;
  /** Extended cost; null when unknown. */
  costAmount: string | null;
  /** The net unit price is below the product's floor. */
  belowFloor: boolean;
}

/** Units of the company currency for one unit of each currency (the company currency is '1'). */
export type ExchangeRates = Readonly<Partial<Record<Currency, string>>>;

export interface QuoteSummary {
  currency: Currency;
  /** Counted lines only (bundle headers excluded by the caller, as the pricing totals do). */
  lines: readonly QuoteLineSummary[];
  /**
   * Rates as of the pricing date for the quote's currency and those of amount rules in other
   * currencies, so `total_amount` can be compared across currencies; kept with what an approval
   * was judged on.
   */
  rates?: ExchangeRates;
}

/**
 * An exact ratio `numerator / denominator` with a positive denominator. Percent metrics are
 * `ratio × 100`; we keep the ratio so comparisons never divide.
 */
export interface Ratio {
  numerator: Dec;
  denominator: Dec;
}

/**
 * A metric's exact value. `null` means it cannot be computed (margin with an unknown cost or zero
 * revenue; a discount where net exists but list is zero): rules on a null metric trigger
 * ("unknown" is never waved through).
 */
export type MetricValue =
  | { kind: 'ratio'; ratio: Ratio }
  | { kind: 'count'; value: Dec }
  | { kind: 'amount'; value: Dec; currency: Currency; rates: ExchangeRates }
  | null;

export type QuoteMetrics = Record<ApprovalMetric, MetricValue>;

function dec(s: string): Exact {
  if (!DECIMAL_PATTERN.test(s)) throw new RangeError(`not a decimal amount: ${JSON.stringify(s)}`);
  return new Exact(s);
}

/**
 * 1 − net/list as a ratio (list − net) / list, with the denominator made positive; 0 when both
 * are zero, null when only list is (no basis to measure a discount against).
 */
function discountRatio(list: Exact, net: Exact): Ratio | null {
  if (list.isZero()) return net.isZero() ? { numerator: ZERO, denominator: new Exact(1) } : null;
  if (list.isNegative()) return { numerator: net.minus(list), denominator: list.negated() };
  return { numerator: list.minus(net), denominator: list };
}

/** Compare two ratios exactly (denominators are positive). */
function compareRatios(a: Ratio, b: Ratio): -1 | 0 | 1 {
  return a.numerator.times(b.denominator).comparedTo(b.numerator.times(a.denominator)) as -1 | 0 | 1;
}

/** A line's discount ratio, or null when it has no list price basis. */
export function lineDiscount(line: QuoteLineSummary): Ratio | null {
  if (line.listAmount === null) return null;
  const list = dec(line.listAmount);
  if (list.isZero()) return null;
  return discountRatio(list, dec(line.netAmount));
}

/**
 * The exact metrics of a quote:
 * - quote_discount = 1 − Σnet/Σlist over lines with a list price (amount-weighted), in percent;
 * - max_line_discount = the largest line discount (0 for no discounted lines), in percent;
 * - below_floor_lines = how many lines are below their floor;
 * - margin_pct = (Σnet − Σcost)/Σnet, in percent; null if any line's cost is unknown or Σnet ≤ 0;
 * - total_amount = Σnet of all lines, in the quote currency.
 */
export function quoteMetrics(quote: QuoteSummary): QuoteMetrics {
  let listSum = ZERO;
  let netOfListed = ZERO;
  let netSum = ZERO;
  let costSum = ZERO;
  let costKnown = true;
  let belowFloor = 0;
  let maxLine: Ratio = { numerator: ZERO, denominator: new Exact(1) };
  for (const line of quote.lines) {
    const net = dec(line.netAmount);
    netSum = netSum.plus(net);
    if (line.listAmount !== null) {
      listSum = listSum.plus(dec(line.listAmount));
      netOfListed = netOfListed.plus(net);
    }
    if (line.costAmount === null) costKnown = false;
    else costSum = costSum.plus(dec(line.costAmount));
    if (line.belowFloor) belowFloor++;
    const d = lineDiscount(line);
    if (d && compareRatios(d, maxLine) > 0) maxLine = d;
  }
  const quoteDiscount = discountRatio(listSum, netOfListed);
  const margin: Ratio | null =
    costKnown && netSum.isPositive() && !netSum.isZero() ? { numerator: netSum.minus(costSum), denominator: netSum } : null;
  return {
    quote_discount: quoteDiscount ? { kind: 'ratio', ratio: quoteDiscount } : null,
    max_line_discount: { kind: 'ratio', ratio: maxLine },
    below_floor_lines: { kind: 'count', value: new Exact(belowFloor) },
    margin_pct: margin ? { kind: 'ratio', ratio: margin } : null,
    total_amount: { kind: 'amount', value: netSum, currency: quote.currency, rates: quote.rates ?? {} },
  };
}

/**
 * An amount rule in another currency than the quote's: the quote's rate and the rule currency's
 * (both into the company currency), or `no_exchange_rate` when either is missing.
 */
function crossRates(value: Extract<MetricValue, { kind: 'amount' }>, rule: ApprovalRule): { quote: Exact; rule: Exact } {
  const ruleCurrency = rule.currency as Currency;
  const quoteRate = value.rates[value.currency];
  const ruleRate = value.rates[ruleCurrency];
  if (quoteRate === undefined || ruleRate === undefined || !DECIMAL_PATTERN.test(quoteRate) || !DECIMAL_PATTERN.test(ruleRate)) {
    const missing = quoteRate === undefined ? value.currency : ruleCurrency;
    throw new ApprovalError('no_exchange_rate', { ruleId: rule.id, currency: missing, rule: ruleCurrency, quote: value.currency });
  }
  return { quote: dec(quoteRate), rule: dec(ruleRate) };
}

/**
 * Compare a metric with a threshold exactly: ratio metrics as percent (numerator × 100 vs
 * threshold × denominator); an amount in another currency than the rule's through both rates into
 * the company currency (total × quote rate vs threshold × rule rate: no division, no rounding).
 * Throws `no_exchange_rate` when a rate is missing.
 */
function compareToThreshold(value: Exclude<MetricValue, null>, rule: ApprovalRule): -1 | 0 | 1 {
  const t = dec(rule.threshold);
  switch (value.kind) {
    case 'ratio':
      return value.ratio.numerator.times(HUNDRED).comparedTo(t.times(value.ratio.denominator)) as -1 | 0 | 1;
    case 'count':
      return value.value.comparedTo(t) as -1 | 0 | 1;
    case 'amount': {
      if (rule.currency === value.currency) return value.value.comparedTo(t) as -1 | 0 | 1;
      const rates = crossRates(value, rule);
      return value.value.times(rates.quote).comparedTo(t.times(rates.rule)) as -1 | 0 | 1;
    }
  }
}

/** Compare two values of the same metric; null (unknown) ranks as the worst of either direction. */
function compareValues(a: Exclude<MetricValue, null>, b: Exclude<MetricValue, null>): -1 | 0 | 1 {
  if (a.kind === 'ratio' && b.kind === 'ratio') return compareRatios(a.ratio, b.ratio);
  if (a.kind !== 'ratio' && b.kind !== 'ratio') return a.value.comparedTo(b.value) as -1 | 0 | 1;
  throw new RangeError('metric kinds differ');
}

/**
 * A metric for display and storage: percents to at most 6 decimals (exact when it terminates
 * sooner: "18.5"), counts and amounts as exact decimal strings; "unknown" for null.
 */
export function formatMetric(value: MetricValue): string {
  if (value === null) return 'unknown';
  if (value.kind === 'ratio') {
    const pct = new Dec(value.ratio.numerator.times(HUNDRED)).dividedBy(new Dec(value.ratio.denominator));
    return pct.toDecimalPlaces(6, Dec.ROUND_HALF_UP).toFixed();
  }
  return value.value.toFixed();
}

// ── Required approvals ─────────────────────────────────────────────────────────────────────────

/** Why a rule fired: the exact compared values, for the approver's screen and the audit row. */
export interface RuleTrigger {
  ruleId: string;
  metric: ApprovalMetric;
  op: ApprovalOp;
  threshold: string;
  currency: Currency | null;
  /**
   * The metric's value (`formatMetric`); a total in another currency converted into the rule's
   * (`currency`); "unknown" when it could not be computed.
   */
  actual: string;
  /** e.g. "quote_discount 18.5% > 15%" or "margin_pct unknown < 20% (unknown counts as crossing)". */
  text: string;
}

export interface ApprovalStep {
  level: ApprovalLevel;
  /** Rules that asked for this level directly (empty for a chain level included by a higher one). */
  triggers: RuleTrigger[];
  /** Included only because a higher chain level was required. */
  implied: boolean;
}

function describe(rule: ApprovalRule, value: MetricValue): string {
  const unit = PERCENT_METRICS.has(rule.metric) ? '%' : rule.metric === 'total_amount' ? ` ${rule.currency ?? ''}` : '';
  const sign = rule.op === 'gt' ? '>' : '<';
  if (value === null) return `${rule.metric} unknown ${sign} ${rule.threshold}${unit} (unknown counts as crossing)`;
  if (value.kind === 'amount' && rule.currency !== value.currency) {
    const rates = crossRates(value, rule);
    return `${rule.metric} ${formatMetric(value)} ${value.currency} ≈ ${actualOf(rule, value)}${unit} (rates into the company currency: ${value.currency} ${rates.quote.toFixed()}, ${rule.currency} ${rates.rule.toFixed()}) ${sign} ${rule.threshold}${unit}`;
  }
  return `${rule.metric} ${formatMetric(value)}${unit} ${sign} ${rule.threshold}${unit}`;
}

/**
 * The metric's value as the rule reads it: a total in another currency converted into the rule's,
 * to its minor unit, for display (whether the rule fires was decided on exact values).
 */
function actualOf(rule: ApprovalRule, value: MetricValue): string {
  if (value === null || value.kind !== 'amount' || rule.currency === value.currency) return formatMetric(value);
  const rates = crossRates(value, rule);
  const ruleCurrency = rule.currency as Currency;
  return new Exact(value.value).times(rates.quote).dividedBy(rates.rule).toFixed(CURRENCIES[ruleCurrency], Dec.ROUND_HALF_UP);
}

/** Does the rule fire? Strict: equal to the threshold never fires; an unknown value always does. */
export function ruleFires(rule: ApprovalRule, metrics: QuoteMetrics): boolean {
  const value = metrics[rule.metric];
  if (value === null) return true;
  const c = compareToThreshold(value, rule);
  return rule.op === 'gt' ? c > 0 : c < 0;
}

/**
 * The steps a quote needs, in order: chain levels lowest first (requiring a higher chain level
 * includes every lower one before it), then deal desk, then finance. Each step carries the rules
 * that asked for it, in policy order. No step means no approval needed.
 */
export function requiredApprovals(policy: ApprovalPolicy, metrics: QuoteMetrics): ApprovalStep[] {
  const triggers = new Map<ApprovalLevel, RuleTrigger[]>();
  for (const rule of policy.rules) {
    if (!ruleFires(rule, metrics)) continue;
    const value = metrics[rule.metric];
    const list = triggers.get(rule.level) ?? [];
    list.push({
      ruleId: rule.id,
      metric: rule.metric,
      op: rule.op,
      threshold: rule.threshold,
      currency: rule.metric === 'total_amount' ? ((rule.currency as Currency | undefined) ?? null) : null,
      actual: actualOf(rule, value),
      text: describe(rule, value),
    });
    triggers.set(rule.level, list);
  }
  const topChain = Math.max(-1, ...CHAIN_LEVELS.map((l, i) => (triggers.has(l) ? i : -1)));
  const steps: ApprovalStep[] = [];
  for (let i = 0; i <= topChain; i++) {
    const level = CHAIN_LEVELS[i]!;
    const own = triggers.get(level) ?? [];
    steps.push({ level, triggers: own, implied: own.length === 0 });
  }
  for (const level of ROLE_LEVELS) {
    const own = triggers.get(level);
    if (own) steps.push({ level, triggers: own, implied: false });
  }
  return steps;
}

// ── Approvers ──────────────────────────────────────────────────────────────────────────────────

/** The seller's management chain as of today, from the org chart (user ids). */
export interface ManagementChain {
  manager?: string | null;
  director?: string | null;
  bgHead?: string | null;
}

export type RoleHolders = Record<RoleLevel, readonly string[]>;

/** `from` is away; `to` acts for them from `fromDate` to `toDate` inclusive (YYYY-MM-DD). */
export interface Delegation {
  from: string;
  to: string;
  fromDate: string;
  toDate: string;
}

export interface ResolvedStep extends ApprovalStep {
  /**
   * The level whose holder acts. Equals `level` unless the chain lacked that level and the step
   * escalated to the next higher chain level that has someone.
   */
  actingLevel: ApprovalLevel;
  /** The approvers by position (chain person, or every role holder), submitter excluded. */
  approvers: string[];
  /** Delegates acting for an approver whose delegation covers `today`. */
  delegates: string[];
  /** approvers ∪ delegates, in that order, without duplicates. Empty: nobody can approve. */
  eligible: string[];
  /** Levels folded into this step (same person, or missing and covered by this one). */
  covers: ApprovalLevel[];
}

export interface SkippedStep {
  level: ApprovalLevel;
  reason: 'missing_in_chain' | 'same_approver';
  /** The step that covers it. */
  coveredBy: ApprovalLevel;
}

export interface ResolvedApprovals {
  steps: ResolvedStep[];
  skipped: SkippedStep[];
}

const CHAIN_KEY: Record<ChainLevel, keyof ManagementChain> = { manager: 'manager', director: 'director', bg_head: 'bgHead' };

export function isDelegationActive(d: Delegation, today: string): boolean {
  return d.fromDate <= today && today <= d.toDate;
}

/**
 * Who may act on each step today.
 *
 * Missing chain levels (a decision, not an accident): a missing level *below* another required
 * chain level is skipped ('missing_in_chain') because the higher approver signs anyway; a missing
 * *top* required level escalates to the nearest higher level that has someone (a director's
 * approval goes to the BG head in a group without directors). With nobody above either, the
 * step stays with no eligible approver and `submitApproval` refuses it ('no_approver').
 * When two consecutive chain steps resolve to the same person, the lower is folded into the
 * higher ('same_approver'), so nobody approves twice in a row.
 *
 * Delegation: one hop. While a delegation covers `today` (inclusive both ends) the delegate is
 * eligible alongside the approver. The submitter is never eligible, even as a delegate.
 */
export function resolveApprovers(input: {
  steps: readonly ApprovalStep[];
  chain: ManagementChain;
  roleHolders: RoleHolders;
  delegations: readonly Delegation[];
  today: string;
  submitterId?: string;
}): ResolvedApprovals {
  const { chain, roleHolders, delegations, today, submitterId } = input;
  const active = delegations.filter((d) => isDelegationActive(d, today));
  const notSubmitter = (id: string) => id !== submitterId;
  const withDelegates = (
    step: ApprovalStep,
    actingLevel: ApprovalLevel,
    people: readonly string[],
    covers: ApprovalLevel[],
  ): ResolvedStep => {
    const approvers = [...new Set(people)].filter(notSubmitter);
    const delegates = [
      ...new Set(active.filter((d) => people.includes(d.from)).map((d) => d.to)),
    ].filter((id) => notSubmitter(id) && !approvers.includes(id));
    return { ...step, actingLevel, approvers, delegates, eligible: [...approvers, ...delegates], covers };
  };

  const chainSteps = input.steps.filter((s) => isChainLevel(s.level));
  const roleSteps = input.steps.filter((s) => !isChainLevel(s.level));
  const resolved: ResolvedStep[] = [];
  const reasonOf = new Map<ApprovalLevel, SkippedStep['reason']>();
  // Levels waiting to be folded into the next chain step that resolves.
  let folded: { levels: ApprovalLevel[]; triggers: RuleTrigger[] } = { levels: [], triggers: [] };

  chainSteps.forEach((step, idx) => {
    const level = step.level as ChainLevel;
    const isTop = idx === chainSteps.length - 1;
    const person = chain[CHAIN_KEY[level]] ?? null;
    if (person === null && !isTop) {
      reasonOf.set(level, 'missing_in_chain');
      folded = { levels: [...folded.levels, level], triggers: [...folded.triggers, ...step.triggers] };
      return;
    }
    let actingLevel: ChainLevel = level;
    let actor = person;
    if (actor === null) {
      reasonOf.set(level, 'missing_in_chain');
      for (let i = CHAIN_LEVELS.indexOf(level) + 1; i < CHAIN_LEVELS.length && actor === null; i++) {
        actor = chain[CHAIN_KEY[CHAIN_LEVELS[i]!]] ?? null;
        actingLevel = CHAIN_LEVELS[i]!;
      }
      if (actor === null) actingLevel = level;
    }
    const previous = resolved.at(-1);
    if (actor !== null && previous && previous.approvers.length === 1 && previous.approvers[0] === actor) {
      // The same person one level up: fold the lower step into this one.
      resolved.pop();
      reasonOf.set(previous.level, 'same_approver');
      folded = { levels: [...previous.covers, ...folded.levels], triggers: [...previous.triggers, ...folded.triggers] };
    }
    const triggers = [...folded.triggers, ...step.triggers];
    const merged: ApprovalStep = { level, triggers, implied: triggers.length === 0 };
    resolved.push(withDelegates(merged, actingLevel, actor === null ? [] : [actor], [...folded.levels, level]));
    folded = { levels: [], triggers: [] };
  });

  const skipped: SkippedStep[] = [];
  for (const step of resolved) {
    for (const c of step.covers) {
      const reason = reasonOf.get(c);
      if (c !== step.level && reason) skipped.push({ level: c, reason, coveredBy: step.level });
    }
  }

  for (const step of roleSteps) {
    const level = step.level as RoleLevel;
    resolved.push(withDelegates(step, level, roleHolders[level] ?? [], [level]));
  }
  return { steps: resolved, skipped };
}

// ── State machine ──────────────────────────────────────────────────────────────────────────────

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'recalled';
export type StepStatus = 'waiting' | 'pending' | 'approved' | 'rejected';
export type DecisionKind = 'submitted' | 'approved' | 'rejected' | 'recalled' | 'carried';

/** One recorded decision: who, when, against which version. */
export interface ApprovalDecision {
  userId: string;
  /** ISO instant. */
  at: string;
  versionId: string;
  decision: DecisionKind;
  /** The step's level (null for submit and recall). */
  level: ApprovalLevel | null;
  comment: string | null;
  /** For 'carried': the version whose approval still stands. */
  carriedFromVersionId?: string;
}

export interface ApprovalStepState extends ResolvedStep {
  status: StepStatus;
}

export interface ApprovalState {
  versionId: string;
  submittedBy: string;
  status: ApprovalStatus;
  steps: ApprovalStepState[];
  /** Index of the step being decided; null once nothing is pending. */
  current: number | null;
  decisions: ApprovalDecision[];
}

/** An approval of an earlier version that stands for this one (see `carryOverApprovals`). */
export interface CarriedApproval {
  level: ApprovalLevel;
  userId: string;
  fromVersionId: string;
}

function advance(state: ApprovalState): ApprovalState {
  const next = state.steps.findIndex((s) => s.status !== 'approved');
  if (next === -1) return { ...state, status: 'approved', current: null };
  const steps = state.steps.map((s, i) => (i === next ? { ...s, status: 'pending' as const } : s));
  return { ...state, steps, current: next };
}

/**
 * Submit a version for approval. Steps start 'waiting'; the first not-carried step is 'pending'.
 * No steps (or all carried) approves at once. A step nobody can approve refuses the submit.
 */
export function submitApproval(input: {
  versionId: string;
  submittedBy: string;
  at: string;
  steps: readonly ResolvedStep[];
  carried?: readonly CarriedApproval[];
}): ApprovalState {
  const blocked = input.steps.find((s) => s.eligible.length === 0);
  if (blocked) throw new ApprovalError('no_approver', { level: blocked.level });
  const carried = input.carried ?? [];
  const decisions: ApprovalDecision[] = [
    { userId: input.submittedBy, at: input.at, versionId: input.versionId, decision: 'submitted', level: null, comment: null },
  ];
  const steps = input.steps.map((s): ApprovalStepState => {
    const c = carried.find((x) => x.level === s.level);
    if (!c) return { ...s, status: 'waiting' };
    decisions.push({
      userId: c.userId,
      at: input.at,
      versionId: input.versionId,
      decision: 'carried',
      level: s.level,
      comment: null,
      carriedFromVersionId: c.fromVersionId,
    });
    return { ...s, status: 'approved' };
  });
  return advance({
    versionId: input.versionId,
    submittedBy: input.submittedBy,
    status: 'pending',
    steps,
    current: null,
    decisions,
  });
}

/** May this user act on the current step? */
export function canAct(state: ApprovalState, userId: string): boolean {
  if (state.status !== 'pending' || state.current === null) return false;
  return state.steps[state.current]!.eligible.includes(userId);
}

function assertActor(
  state: ApprovalState,
  act: { userId: string; versionId: string; level?: ApprovalLevel },
): ApprovalStepState {
  if (state.status !== 'pending' || state.current === null) throw new ApprovalError('not_pending', { status: state.status });
  const step = state.steps[state.current]!;
  if (!step.eligible.includes(act.userId)) throw new ApprovalError('not_an_approver', { level: step.level });
  if (act.level !== undefined && act.level !== step.level) {
    throw new ApprovalError('step_not_current', { level: act.level, current: step.level });
  }
  if (act.versionId !== state.versionId) {
    throw new ApprovalError('version_mismatch', { versionId: act.versionId, current: state.versionId });
  }
  return step;
}

/**
 * Approve the current step. Only an eligible user of that step ('not_an_approver' otherwise),
 * against the version under approval ('version_mismatch': they looked at another one). Passing
 * `level` guards against a stale screen approving the wrong step.
 */
export function approve(
  state: ApprovalState,
  act: { userId: string; at: string; versionId: string; level?: ApprovalLevel; comment?: string | null },
): ApprovalState {
  const step = assertActor(state, act);
  const idx = state.current!;
  const steps = state.steps.map((s, i) => (i === idx ? { ...s, status: 'approved' as const } : s));
  const comment = act.comment?.trim() ? act.comment.trim() : null;
  return advance({
    ...state,
    steps,
    decisions: [
      ...state.decisions,
      { userId: act.userId, at: act.at, versionId: act.versionId, decision: 'approved', level: step.level, comment },
    ],
  });
}

/** Reject the current step, which ends the request. A non-blank comment is mandatory. */
export function reject(
  state: ApprovalState,
  act: { userId: string; at: string; versionId: string; level?: ApprovalLevel; comment: string | null | undefined },
): ApprovalState {
  const step = assertActor(state, act);
  const comment = act.comment?.trim() ?? '';
  if (comment === '') throw new ApprovalError('comment_required');
  const idx = state.current!;
  return {
    ...state,
    status: 'rejected',
    current: null,
    steps: state.steps.map((s, i) => (i === idx ? { ...s, status: 'rejected' as const } : s)),
    decisions: [
      ...state.decisions,
      { userId: act.userId, at: act.at, versionId: act.versionId, decision: 'rejected', level: step.level, comment },
    ],
  };
}

/** The submitter withdraws a pending request (to edit it). Approvals given so far lapse with it. */
export function recall(state: ApprovalState, act: { userId: string; at: string; comment?: string | null }): ApprovalState {
  if (act.userId !== state.submittedBy) throw new ApprovalError('not_submitter');
  if (state.status !== 'pending') throw new ApprovalError('not_pending', { status: state.status });
  return {
    ...state,
    status: 'recalled',
    current: null,
    decisions: [
      ...state.decisions,
      {
        userId: act.userId,
        at: act.at,
        versionId: state.versionId,
        decision: 'recalled',
        level: null,
        comment: act.comment?.trim() ? act.comment.trim() : null,
      },
    ],
  };
}

// ── Smart re-approval ──────────────────────────────────────────────────────────────────────────

/**
 * What an approver saw when they approved: the version, their step's level, the rules relevant
 * to it, and the priced lines (from which every metric is recomputed exactly).
 */
export interface ApprovalView {
  userId: string;
  level: ApprovalLevel;
  versionId: string;
  summary: QuoteSummary;
  /** Policy rules at the step's level or a level it covers (chain levels at or below it). */
  rules: ApprovalRule[];
}

/** The rules an approver at `step` answers for. A chain step answers for the chain up to its level. */
export function relevantRules(policy: ApprovalPolicy, step: Pick<ResolvedStep, 'level' | 'covers'>): ApprovalRule[] {
  return policy.rules.filter((r) => {
    if (step.covers.includes(r.level)) return true;
    if (isChainLevel(step.level) && isChainLevel(r.level)) return levelRank(r.level) <= levelRank(step.level);
    return r.level === step.level;
  });
}

/** Capture the view to store beside an approval decision. */
export function captureApprovalView(input: {
  userId: string;
  versionId: string;
  step: Pick<ResolvedStep, 'level' | 'covers'>;
  policy: ApprovalPolicy;
  summary: QuoteSummary;
}): ApprovalView {
  return {
    userId: input.userId,
    level: input.step.level,
    versionId: input.versionId,
    summary: { currency: input.summary.currency, lines: input.summary.lines.map((l) => ({ ...l })) },
    rules: relevantRules(input.policy, input.step),
  };
}

export type MetricDirection = 'not_higher' | 'not_lower';

/**
 * "No worse" per metric, whatever the policy says: a discount or a below-floor count must not
 * grow; margin and total must not fall (a smaller deal at the same discount is not what was
 * approved). The rules relevant to the approver add to this (see `metricWorse`): a rule they
 * approved across adds its own direction, so a `total_amount gt` rule they crossed makes a larger
 * total worse too (the total must then stay equal); a relevant rule newly crossed is worse.
 */
export const NO_WORSE: Record<ApprovalMetric, MetricDirection> = {
  quote_discount: 'not_higher',
  max_line_discount: 'not_higher',
  below_floor_lines: 'not_higher',
  margin_pct: 'not_lower',
  total_amount: 'not_lower',
};

export interface MetricChange {
  metric: ApprovalMetric;
  before: string;
  after: string;
  worse: boolean;
}

export type LineField = 'netAmount' | 'listAmount' | 'costAmount' | 'discount' | 'belowFloor';

export interface LineFieldChange {
  field: LineField;
  before: string | null;
  after: string | null;
  worse: boolean;
}

export interface LineChange {
  lineId: string;
  kind: 'added' | 'removed' | 'changed';
  fields: LineFieldChange[];
  worse: boolean;
}

export interface ApprovalDiff {
  metrics: MetricChange[];
  lines: LineChange[];
}

export interface ReapprovalOutcome {
  userId: string;
  level: ApprovalLevel;
  /** The approval holds for the new version. */
  stands: boolean;
  /** Human-readable reasons it does not (empty when it stands). */
  reasons: string[];
  /** Everything that changed since the view, for the approver's screen. */
  diff: ApprovalDiff;
}

/** ruleFires, with an amount that cannot be compared (no rate) counted as crossing. */
function firesOrUnknown(rule: ApprovalRule, metrics: QuoteMetrics): boolean {
  try {
    return ruleFires(rule, metrics);
  } catch (e) {
    if (e instanceof ApprovalError && e.condition === 'no_exchange_rate') return true;
    throw e;
  }
}

/**
 * Is the metric worse now? Unknown after a known value is worse; a known value after unknown is
 * not. Otherwise: against its `NO_WORSE` direction; against the direction of each relevant rule
 * the view crossed (no further beyond that threshold); and any relevant rule the view did not
 * cross but the new version does is worse outright (the approver never saw that threshold crossed).
 */
function metricWorse(
  metric: ApprovalMetric,
  view: { before: QuoteMetrics; after: QuoteMetrics; rules: readonly ApprovalRule[] },
): boolean {
  const before = view.before[metric];
  const after = view.after[metric];
  if (after === null) return before !== null;
  const rules = view.rules.filter((r) => r.metric === metric);
  if (rules.some((r) => !firesOrUnknown(r, view.before) && firesOrUnknown(r, view.after))) return true;
  if (before === null) return false;
  if (before.kind === 'amount' && after.kind === 'amount' && before.currency !== after.currency) return true;
  const dirs = new Set<MetricDirection>([NO_WORSE[metric]]);
  for (const r of rules) if (firesOrUnknown(r, view.before)) dirs.add(r.op === 'gt' ? 'not_higher' : 'not_lower');
  const c = compareValues(after, before);
  return (dirs.has('not_higher') && c > 0) || (dirs.has('not_lower') && c < 0);
}

function sameValue(a: MetricValue, b: MetricValue): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind === 'amount' && b.kind === 'amount' && a.currency !== b.currency) return false;
  return compareValues(a, b) === 0;
}

function ratioText(r: Ratio | null): string | null {
  return r === null ? null : formatMetric({ kind: 'ratio', ratio: r });
}

function maxLineDiscount(summary: QuoteSummary): Ratio | null {
  const m = quoteMetrics(summary).max_line_discount;
  return m && m.kind === 'ratio' ? m.ratio : null;
}

/**
 * Diff a line set against the view, and judge each line. A line kept must not get a higher
 * discount, fall below its floor, or earn less (net amount lower); a line added must not be below
 * its floor nor discounted more than the deepest line the approver saw. Removing a line is not
 * judged here: its effect shows in the totals (total not lower).
 */
function diffLines(before: QuoteSummary, after: QuoteSummary): LineChange[] {
  const old = new Map(before.lines.map((l) => [l.lineId, l]));
  const now = new Map(after.lines.map((l) => [l.lineId, l]));
  const deepest = maxLineDiscount(before);
  const changes: LineChange[] = [];
  for (const line of after.lines) {
    const prev = old.get(line.lineId);
    const d = lineDiscount(line);
    if (!prev) {
      const tooDeep = d !== null && deepest !== null && compareRatios(d, deepest) > 0;
      const fields: LineFieldChange[] = [
        { field: 'listAmount', before: null, after: line.listAmount, worse: false },
        { field: 'netAmount', before: null, after: line.netAmount, worse: false },
        { field: 'discount', before: null, after: ratioText(d), worse: tooDeep },
        { field: 'belowFloor', before: null, after: String(line.belowFloor), worse: line.belowFloor },
      ];
      changes.push({ lineId: line.lineId, kind: 'added', fields, worse: fields.some((f) => f.worse) });
      continue;
    }
    const fields: LineFieldChange[] = [];
    const pd = lineDiscount(prev);
    if ((pd === null) !== (d === null) || (pd && d && compareRatios(pd, d) !== 0)) {
      const worse = d !== null && (pd === null || compareRatios(d, pd) > 0);
      fields.push({ field: 'discount', before: ratioText(pd), after: ratioText(d), worse });
    }
    if (!new Exact(prev.netAmount).equals(new Exact(line.netAmount))) {
      fields.push({
        field: 'netAmount',
        before: prev.netAmount,
        after: line.netAmount,
        worse: new Exact(line.netAmount).lessThan(new Exact(prev.netAmount)),
      });
    }
    const eqNullable = (a: string | null, b: string | null) =>
      a === null || b === null ? a === b : new Exact(a).equals(new Exact(b));
    if (!eqNullable(prev.listAmount, line.listAmount)) {
      fields.push({ field: 'listAmount', before: prev.listAmount, after: line.listAmount, worse: false });
    }
    if (!eqNullable(prev.costAmount, line.costAmount)) {
      // Cost feeds margin; the margin check judges it.
      fields.push({ field: 'costAmount', before: prev.costAmount, after: line.costAmount, worse: false });
    }
    if (prev.belowFloor !== line.belowFloor) {
      fields.push({ field: 'belowFloor', before: String(prev.belowFloor), after: String(line.belowFloor), worse: line.belowFloor });
    }
    if (fields.length) changes.push({ lineId: line.lineId, kind: 'changed', fields, worse: fields.some((f) => f.worse) });
  }
  for (const line of before.lines) {
    if (now.has(line.lineId)) continue;
    changes.push({
      lineId: line.lineId,
      kind: 'removed',
      fields: [
        { field: 'listAmount', before: line.listAmount, after: null, worse: false },
        { field: 'netAmount', before: line.netAmount, after: null, worse: false },
      ],
      worse: false,
    });
  }
  return changes;
}

/** What changed since the view, metric by metric and line by line (for the approver's screen). */
export function diffSinceApproval(view: ApprovalView, summary: QuoteSummary): ApprovalDiff {
  const before = quoteMetrics(view.summary);
  const after = quoteMetrics(summary);
  const metrics: MetricChange[] = [];
  for (const metric of APPROVAL_METRICS) {
    if (sameValue(before[metric], after[metric])) continue;
    metrics.push({
      metric,
      before: formatMetric(before[metric]),
      after: formatMetric(after[metric]),
      worse: metricWorse(metric, { before, after, rules: view.rules }),
    });
  }
  return { metrics, lines: diffLines(view.summary, summary) };
}

/**
 * Smart re-approval: does an approval given on `view` stand for a new version priced as
 * `summary`? It stands when every value the approver saw is no worse: each metric in its
 * `NO_WORSE` direction (plus the direction of each relevant rule), and each line as `diffLines`
 * judges it. The quote currency must not change.
 */
export function checkReapproval(view: ApprovalView, summary: QuoteSummary): ReapprovalOutcome {
  const diff = diffSinceApproval(view, summary);
  const reasons: string[] = [];
  if (view.summary.currency !== summary.currency) reasons.push(`currency ${view.summary.currency} → ${summary.currency}`);
  for (const m of diff.metrics) if (m.worse) reasons.push(`${m.metric} ${m.before} → ${m.after}`);
  for (const l of diff.lines) {
    for (const f of l.fields) if (f.worse) reasons.push(`line ${l.lineId} ${f.field} ${f.before ?? '—'} → ${f.after ?? '—'}`);
  }
  return { userId: view.userId, level: view.level, stands: reasons.length === 0, reasons, diff };
}

/**
 * Which approvals of the previous version stand for a new one. The exact rule the service uses
 * when it prices a new version (an edit of a priced field) of a quote that had approvals:
 *
 * 1. A copy into another quote never inherits (`isCopy` → nothing carries).
 * 2. Only steps the new version still requires can carry, matched by level.
 * 3. The previous approver's view must pass `checkReapproval` against the new version.
 * 4. The previous approver must still be eligible for that step today (the chain, role or
 *    delegation may have changed).
 *
 * Everything else starts pending again. Pass the result to `submitApproval({ carried })`, which
 * records each as a 'carried' decision against the new version.
 */
export function carryOverApprovals(input: {
  isCopy: boolean;
  views: readonly ApprovalView[];
  steps: readonly ResolvedStep[];
  summary: QuoteSummary;
}): { carried: CarriedApproval[]; outcomes: ReapprovalOutcome[] } {
  if (input.isCopy) return { carried: [], outcomes: [] };
  const carried: CarriedApproval[] = [];
  const outcomes: ReapprovalOutcome[] = [];
  for (const step of input.steps) {
    const view = input.views.find((v) => v.level === step.level);
    if (!view) continue;
    const outcome = checkReapproval(view, input.summary);
    if (outcome.stands && !step.eligible.includes(view.userId)) {
      outcome.stands = false;
      outcome.reasons.push(`${view.userId} is no longer an approver for ${step.level}`);
    }
    outcomes.push(outcome);
    if (outcome.stands) carried.push({ level: step.level, userId: view.userId, fromVersionId: view.versionId });
  }
  return { carried, outcomes };
}
