import { type Currency, Dec, Money } from '../../../shared/money.ts';
import type { BillingInstallment, BillingPlanInput } from './contract.ts';

/**
 * The billing schedule of a contract, pure: no database, no clock. The schedule is a list of
 * installments whose amounts sum EXACTLY to the contract's grand total: the total is split by
 * weights (the milestone percentages, the months of each subscription period, the amounts still
 * open) with the largest-remainder method at the currency's minor unit (Money.allocate), so no
 * cent is lost or invented; ties go to the earlier installment.
 *
 *   one_time      one installment, due on its date or on the contract's start date
 *   milestone     one per milestone, by percent (each > 0, summing to exactly 100); a milestone
 *                 without a date falls due when it is accepted (dueDate null)
 *   subscription  one per period over the term, due at the period's start; a term the period
 *                 does not divide ends with a shorter period, billed for its months
 *
 * Dates are local calendar dates (YYYY-MM-DD). Adding months keeps the day of the month where it
 * exists and takes the month's last day otherwise (01-31 + 1 month = 02-28), always counted from
 * the start date so periods never drift.
 */

export interface BillingIssue {
  /** Relative to the billing plan, e.g. `milestones.2.percent`; the caller prefixes where the plan sits. */
  path: string;
  /** A `v:` key of the validation catalogue. */
  message: string;
}

/** A billing plan that cannot be scheduled; the service maps it to `contracts.invalid_billing_plan` (422). */
export class BillingPlanError extends Error {
  constructor(readonly issues: readonly BillingIssue[]) {
    super(`invalid billing plan: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'BillingPlanError';
  }
}

/** The new total is below what already fell due before an amendment's effective date. */
export class BelowBilledError extends Error {
  constructor(
    readonly billed: Money,
    readonly total: Money,
  ) {
    super(`total ${total.toString()} is below the ${billed.toString()} already due`);
    this.name = 'BelowBilledError';
  }
}

// ── Dates ───────────────────────────────────────────────────────────────────────────────────────

function parts(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return [y, m, d];
}

function format(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** `date` plus `months` calendar months, clamped to the target month's last day. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = parts(date);
  const index = y * 12 + (m - 1) + months;
  const ty = Math.floor(index / 12);
  const tm = (index % 12) + 1;
  return format(ty, tm, Math.min(d, daysInMonth(ty, tm)));
}

/** The last day of a term of `termMonths` starting on `startDate`: start + term − 1 day. */
export function getTermEndDate(startDate: string, termMonths: number): string {
  return addDays(addMonths(startDate, termMonths), -1);
}

/** The whole months from `startDate` to `endDate` (inclusive), or null when the end is not a whole number of months after the start. */
export function getTermMonths(startDate: string, endDate: string): number | null {
  const [sy, sm] = parts(startDate);
  const [ey, em] = parts(endDate);
  const approx = (ey - sy) * 12 + (em - sm);
  for (const t of [approx, approx + 1]) if (t >= 1 && getTermEndDate(startDate, t) === endDate) return t;
  return null;
}

export interface SubscriptionPeriod {
  start: string;
  end: string;
  months: number;
}

/** The billing periods of a term: each `periodMonths` long, the last one shorter when the period does not divide the term. */
export function listSubscriptionPeriods(startDate: string, termMonths: number, periodMonths: number): SubscriptionPeriod[] {
  if (!Number.isInteger(termMonths) || termMonths < 1) throw new RangeError(`term must be a positive number of months: ${termMonths}`);
  if (!Number.isInteger(periodMonths) || periodMonths < 1) throw new RangeError(`period must be a positive number of months: ${periodMonths}`);
  const out: SubscriptionPeriod[] = [];
  for (let from = 0; from < termMonths; from += periodMonths) {
    const to = Math.min(from + periodMonths, termMonths);
    out.push({ start: addMonths(startDate, from), end: addDays(addMonths(startDate, to), -1), months: to - from });
  }
  return out;
}

// ── Plans ───────────────────────────────────────────────────────────────────────────────────────

/** Why a plan cannot be scheduled (empty when it can). A subscription needs a term. */
export function listBillingPlanIssues(plan: BillingPlanInput, termMonths: number | null): BillingIssue[] {
  if (plan.type === 'subscription') {
    return termMonths !== null && termMonths >= 1 ? [] : [{ path: 'type', message: 'v:billing_term_required' }];
  }
  if (plan.type !== 'milestone') return [];
  const issues: BillingIssue[] = [];
  let sum = new Dec(0);
  plan.milestones.forEach((m, i) => {
    const p = new Dec(m.percent);
    if (p.lte(0)) issues.push({ path: `milestones.${i}.percent`, message: 'v:billing_percent_positive' });
    sum = sum.plus(p);
  });
  if (issues.length === 0 && !sum.equals(100)) issues.push({ path: 'milestones', message: 'v:billing_percents_total' });
  return issues;
}

/** Display percentage of an installment: amount / total × 100, 2 places half-up; null on a zero total. */
function percentOf(amount: Money, total: Money): string | null {
  if (total.isZero()) return null;
  return amount.amount.times(100).dividedBy(total.amount).toDecimalPlaces(2, Dec.ROUND_HALF_UP).toFixed(2);
}

type Draft = Omit<BillingInstallment, 'seq' | 'percent' | 'amount'>;

/** Number the installments, split the total over them by weight, derive the display percentages. */
function finish(drafts: readonly Draft[], weights: readonly Dec[], amountTotal: Money, percentTotal: Money, firstSeq = 1): BillingInstallment[] {
  const amounts = amountTotal.allocate(weights);
  return drafts.map((d, i) => ({
    seq: firstSeq + i,
    ...d,
    percent: percentOf(amounts[i]!, percentTotal),
    amount: { amount: amounts[i]!.toFixedString(), currency: amounts[i]!.currency },
  }));
}

const ONE_TIME_LABEL = { zh: '一次性付款', en: 'One-time payment' };

function periodLabel(n: number): BillingInstallment['label'] {
  return { zh: `第 ${n} 期`, en: `Period ${n}` };
}

export interface ScheduleInput {
  plan: BillingPlanInput;
  /** The contract's grand total (already rounded to the minor unit). */
  total: Money;
  /** The contract's start date: the one-time due date by default and the first subscription period's start. */
  startDate: string;
  /** The subscription term: the quote version's term, or the longest line term. */
  termMonths: number | null;
}

/** The schedule of a newly signed contract. Throws BillingPlanError when the plan cannot be scheduled. */
export function buildBillingSchedule(input: ScheduleInput): BillingInstallment[] {
  const issues = listBillingPlanIssues(input.plan, input.termMonths);
  if (issues.length > 0) throw new BillingPlanError(issues);
  const { plan, total } = input;
  const [drafts, weights] = planDrafts(plan, input.startDate, input.termMonths);
  return finish(drafts, weights, total, total);
}

function planDrafts(plan: BillingPlanInput, startDate: string, termMonths: number | null): [Draft[], Dec[]] {
  switch (plan.type) {
    case 'one_time':
      return [[{ kind: 'one_time', label: ONE_TIME_LABEL, dueDate: plan.dueDate ?? startDate, periodStart: null, periodEnd: null }], [new Dec(1)]];
    case 'milestone':
      return [
        plan.milestones.map((m) => ({ kind: 'milestone', label: { zh: m.name, en: m.name }, dueDate: m.dueDate ?? null, periodStart: null, periodEnd: null })),
        plan.milestones.map((m) => new Dec(m.percent)),
      ];
    case 'subscription': {
      const periods = listSubscriptionPeriods(startDate, termMonths!, plan.periodMonths);
      return [
        periods.map((p, i) => ({ kind: 'period', label: periodLabel(i + 1), dueDate: p.start, periodStart: p.start, periodEnd: p.end })),
        periods.map((p) => new Dec(p.months)),
      ];
    }
  }
}

// ── Amendments ──────────────────────────────────────────────────────────────────────────────────

export interface RescheduleInput {
  current: readonly BillingInstallment[];
  /** A new plan, or undefined to keep the current installments and re-split what is still open. */
  plan: BillingPlanInput | undefined;
  /** The amended grand total. */
  total: Money;
  effectiveDate: string;
  startDate: string;
  termMonths: number | null;
  /** The amendment's number, for the label of an adjustment installment. */
  amendmentNumber: number;
}

/** Has this installment already fallen due before the effective date? Undated milestones have not. */
export function isDueBefore(i: Pick<BillingInstallment, 'dueDate'>, effectiveDate: string): boolean {
  return i.dueDate !== null && i.dueDate < effectiveDate;
}

/**
 * The schedule after an amendment. The rule:
 *  1. Installments due before the effective date are kept exactly as they were (amount, dates,
 *     label): they have been or are being invoiced, and an amendment does not rewrite the past.
 *  2. The rest of the total (amended total − kept) is re-split:
 *     - with a new plan: over the new plan's installments, from the effective date on (a
 *       subscription's periods starting before it are dropped: they were billed under the old
 *       terms); a one-time installment falls due on its date or the effective date;
 *     - without one: over the installments still open, in proportion to their current amounts
 *       (equally when those are all zero);
 *     - when no installment is left to carry a non-zero rest, one adjustment installment due on
 *       the effective date; a rest of zero leaves no open installments (nothing to bill).
 *  3. The remainder may not be negative: a total below what already fell due is a credit note,
 *     not a schedule (BelowBilledError).
 * Installments are renumbered 1…n, kept ones first; percentages are re-derived on the new total.
 */
export function rebuildBillingSchedule(input: RescheduleInput): BillingInstallment[] {
  const { total, effectiveDate } = input;
  const currency = total.currency;
  const kept = input.current.filter((i) => isDueBefore(i, effectiveDate));
  const billed = Money.sum(
    kept.map((i) => moneyOf(i.amount, currency)),
    currency,
  );
  const remainder = total.minus(billed);
  if (remainder.isNegative()) throw new BelowBilledError(billed, total);

  let drafts: Draft[];
  let weights: Dec[];
  if (input.plan) {
    const issues = listBillingPlanIssues(input.plan, input.termMonths);
    if (issues.length > 0) throw new BillingPlanError(issues);
    const from = effectiveDate > input.startDate ? effectiveDate : input.startDate;
    if (input.plan.type === 'subscription') {
      // Periods are counted from the contract's start; those begun before the effective date stay with the old terms.
      const [all, allWeights] = planDrafts(input.plan, input.startDate, input.termMonths);
      const open = all.map((d, i) => ({ d, w: allWeights[i]! })).filter(({ d }) => d.dueDate! >= effectiveDate);
      drafts = open.map((o) => o.d);
      weights = open.map((o) => o.w);
    } else {
      [drafts, weights] = planDrafts(input.plan, from, input.termMonths);
    }
  } else {
    const open = input.current.filter((i) => !isDueBefore(i, effectiveDate));
    drafts = open.map(({ seq: _s, percent: _p, amount: _a, ...d }) => d);
    const amounts = open.map((i) => new Dec(i.amount.amount));
    weights = amounts.some((a) => !a.isZero()) ? amounts : amounts.map(() => new Dec(1));
  }
  if (drafts.length === 0 && !remainder.isZero()) {
    drafts = [
      {
        kind: 'adjustment',
        label: { zh: `变更 #${input.amendmentNumber} 调整`, en: `Amendment #${input.amendmentNumber} adjustment` },
        dueDate: effectiveDate,
        periodStart: null,
        periodEnd: null,
      },
    ];
    weights = [new Dec(1)];
  }
  const keptOut: BillingInstallment[] = kept.map((i, k) => ({ ...i, seq: k + 1, percent: percentOf(moneyOf(i.amount, currency), total) }));
  // Nothing left to bill: no zero-amount installments.
  if (drafts.length === 0 || remainder.isZero()) return keptOut;
  return [...keptOut, ...finish(drafts, weights, remainder, total, kept.length + 1)];
}

function moneyOf(m: { amount: string; currency: string }, currency: Currency): Money {
  return Money.of(m.amount, currency);
}

/** The sum of a schedule's amounts (equals the contract's grand total by construction). */
export function sumSchedule(billing: readonly BillingInstallment[], currency: Currency): Money {
  return Money.sum(
    billing.map((i) => moneyOf(i.amount, currency)),
    currency,
  );
}
