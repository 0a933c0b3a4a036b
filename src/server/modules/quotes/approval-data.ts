import { eq } from 'drizzle-orm';
import { CURRENCIES, type Currency } from '../../../shared/money.ts';
import type { DbOrTx } from '../../platform/db.ts';
import type { MetricValues } from './approval-contract.ts';
import { type ApprovalPolicy, type MetricValue, type QuoteMetrics, type QuoteSummary, formatMetric } from './approval-policy.ts';
import type { QuotePricedLine } from './contract.ts';
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
