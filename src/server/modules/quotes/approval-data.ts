import { eq } from 'drizzle-orm';
import { CURRENCIES, type Currency } from '../../../shared/money.ts';
import { findRatesOn } from '../../platform/currency-rates.ts';
import type { DbOrTx } from '../../platform/db.ts';
import { AppError, PlatformErrors } from '../../platform/errors.ts';
import type { MetricValues } from './approval-contract.ts';
import {
  ApprovalError,
  type ApprovalPolicy,
  type ApprovalStep,
  type MetricValue,
  type QuoteMetrics,
  type QuoteSummary,
  formatMetric,
  quoteMetrics,
  requiredApprovals,
} from './approval-policy.ts';
import type { QuotePricedLine } from './contract.ts';
import { QuoteErrors } from './errors.ts';
import { approvalPolicies } from './schema.ts';

/**
 * What the quote service and the approval service share about approvals: the company policy as
 * stored, and a priced version as the policy's metrics see it.
 */

export const POLICY_KEY = 'company';

export interface StoredPolicy {
  policy: ApprovalPolicy;
  version: number;
  updatedBy: string | null;
  updatedAt: Date;
}

/** The company's policy (the migration creates it empty: nothing needs approval until rules are set). */
export async function loadApprovalPolicy(db: DbOrTx): Promise<StoredPolicy> {
  const [row] = await db.select().from(approvalPolicies).where(eq(approvalPolicies.key, POLICY_KEY));
  if (!row) return { policy: { rules: [] }, version: 0, updatedBy: null, updatedAt: new Date(0) };
  return { policy: { rules: row.rules }, version: row.version, updatedBy: row.updatedBy, updatedAt: row.updatedAt };
}

/** Run a pure approval rule, turning its refusal into the API's problem. */
export function decide<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ApprovalError)) throw err;
    if (err.condition === 'comment_required') {
      throw new AppError(PlatformErrors.validation, { params: { count: 1 }, errors: [{ path: 'comment', message: 'v:required' }], cause: err });
    }
    throw new AppError(QuoteErrors[err.condition], { params: { ...err.params }, cause: err });
  }
}

/**
 * The steps the company's policy asks of priced lines now, with the metrics they were judged on.
 * An amount rule in another currency than the quote's compares through both currencies' rates on
 * the pricing date (kept in the summary); without a rate it is 422 `quotes.no_exchange_rate`.
 */
export async function evaluatePolicy(
  db: DbOrTx,
  currency: Currency,
  priced: readonly QuotePricedLine[],
  pricingDate: string,
): Promise<{ stored: StoredPolicy; summary: QuoteSummary; metrics: QuoteMetrics; steps: ApprovalStep[] }> {
  const stored = await loadApprovalPolicy(db);
  const summary = await summarizeWithRates(db, stored.policy, currency, priced, pricingDate);
  const metrics = quoteMetrics(summary);
  return { stored, summary, metrics, steps: decide(() => requiredApprovals(stored.policy, metrics)) };
}

/**
 * summarizeForApproval with the rates the policy's amount rules in other currencies need (none are
 * read when every amount rule is in the quote's currency).
 */
export async function summarizeWithRates(
  db: DbOrTx,
  policy: ApprovalPolicy,
  currency: Currency,
  priced: readonly QuotePricedLine[],
  pricingDate: string,
): Promise<QuoteSummary> {
  const others = policy.rules.flatMap((r) => (r.metric === 'total_amount' && r.currency !== undefined && r.currency !== currency ? [r.currency as Currency] : []));
  const summary = summarizeForApproval(currency, priced);
  return others.length === 0 ? summary : { ...summary, rates: await findRatesOn(db, [currency, ...others], pricingDate) };
}

/** The counted lines of a priced version, as the approval metrics read them. */
export function summarizeForApproval(currency: Currency, priced: readonly QuotePricedLine[]): QuoteSummary {
  return {
    currency,
    lines: priced
      .filter((l) => l.isCounted)
      .map((l) => ({
        lineId: l.lineId,
        listAmount: l.listUnit === null ? null : l.list.amount,
        netAmount: l.net.amount,
        costAmount: l.cost?.amount ?? null,
        belowFloor: l.belowFloor,
      })),
  };
}

function percentOf(value: MetricValue): string | null {
  return value === null || value.kind !== 'ratio' ? null : formatMetric(value);
}

/** The metrics for display: percents exact to 6 places at most, the total in the currency's minor unit. */
export function toMetricValues(metrics: QuoteMetrics, currency: Currency): MetricValues {
  const total = metrics.total_amount;
  const floors = metrics.below_floor_lines;
  return {
    quoteDiscountPercent: percentOf(metrics.quote_discount),
    maxLineDiscountPercent: percentOf(metrics.max_line_discount),
    belowFloorLines: floors !== null && floors.kind === 'count' ? floors.value.toNumber() : 0,
    marginPercent: percentOf(metrics.margin_pct),
    totalAmount: {
      amount: total !== null && total.kind === 'amount' ? total.value.toFixed(CURRENCIES[currency]) : (0).toFixed(CURRENCIES[currency]),
      currency,
    },
  };
}
