import nzh from 'nzh/cn';
import { type Currency, Dec, Money } from '../../../shared/money.ts';
import { formatPercent } from '../pricing/priced-line.ts';
import type { QuoteVersionStatus } from './contract.ts';

/**
 * The rules of a quote that need no database: which versions may be edited, what a revision is
 * priced at, the totals of a priced version, and the amount in Chinese capitals. Money is exact:
 * every line's net and tax were rounded once by the engine; the totals are sums of those rounded
 * amounts, and the discount and margin percentages are derived from them for display only.
 */

export const DEFAULT_VALIDITY_DAYS = 30;

/** Why a version cannot be changed in place, or null when it can (only drafts can; one in approval is recalled first). */
export function getEditBlock(status: QuoteVersionStatus): 'needs_new_version' | 'in_approval' | 'closed' | null {
  if (status === 'draft') return null;
  if (status === 'in_approval') return 'in_approval';
  if (status === 'sent' || status === 'approved' || status === 'rejected') return 'needs_new_version';
  return 'closed';
}

/**
 * May a new version be started from the latest one? A draft is edited instead; one in approval is
 * recalled first; an accepted or superseded quote is done.
 */
export function getRevisionBlock(latest: QuoteVersionStatus): 'draft_exists' | 'in_approval' | 'closed' | null {
  if (latest === 'draft') return 'draft_exists';
  if (latest === 'in_approval') return 'in_approval';
  if (latest === 'accepted' || latest === 'superseded') return 'closed';
  return null;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * The dates of the next version. Within the previous version's validity the revision keeps its
 * pricing date (the customer was promised those prices); after valid-until it is re-priced at
 * today and stays valid for as long as the previous version was.
 */
export function getRevisionDates(previous: { pricingDate: string; validUntil: string }, today: string): { pricingDate: string; validUntil: string; isRepriced: boolean } {
  if (today <= previous.validUntil) return { pricingDate: previous.pricingDate, validUntil: previous.validUntil, isRepriced: false };
  const span = Math.max(1, daysBetween(previous.pricingDate, previous.validUntil));
  return { pricingDate: today, validUntil: addDays(today, span), isRepriced: true };
}

/** One accepted version per deal: may this quote's version be accepted, given the deal's quotes? */
export function canAcceptVersion(quoteId: string, quotesOfDeal: readonly { id: string; acceptedVersionId: string | null }[]): boolean {
  return quotesOfDeal.every((q) => q.acceptedVersionId === null || q.id === quoteId);
}

export interface TotalsLine {
  isCounted: boolean;
  list: Dec;
  net: Dec;
  tax: Dec;
  cost: Dec | null;
}

export interface QuoteTotalsValue {
  list: Money;
  net: Money;
  discount: Money;
  discountPercent: string | null;
  cost: Money;
  isCostComplete: boolean;
  margin: Money;
  marginPercent: string | null;
  tax: Money;
  grandTotal: Money;
}

/**
 * Totals of a priced version from its rounded line amounts. Bundle headers are not counted (their
 * components carry the money). The discount is amount-weighted, 1 − Σnet / Σlist; the margin is
 * Σnet − Σcost over the lines with a cost (isCostComplete says whether every line had one).
 */
export function computeQuoteTotals(lines: readonly TotalsLine[], currency: Currency): QuoteTotalsValue {
  let list = new Dec(0);
  let net = new Dec(0);
  let tax = new Dec(0);
  let cost = new Dec(0);
  let costedNet = new Dec(0);
  let isCostComplete = true;
  for (const l of lines) {
    if (!l.isCounted) continue;
    list = list.plus(l.list);
    net = net.plus(l.net);
    tax = tax.plus(l.tax);
    if (l.cost === null) isCostComplete = false;
    else {
      cost = cost.plus(l.cost);
      costedNet = costedNet.plus(l.net);
    }
  }
  const margin = costedNet.minus(cost);
  return {
    list: Money.of(list, currency),
    net: Money.of(net, currency),
    discount: Money.of(list.minus(net), currency),
    discountPercent: formatPercent(list.minus(net), list),
    cost: Money.of(cost, currency),
    isCostComplete,
    margin: Money.of(margin, currency),
    marginPercent: formatPercent(margin, costedNet),
    tax: Money.of(tax, currency),
    grandTotal: Money.of(net.plus(tax), currency),
  };
}

/** 人民币大写 of an amount ("1234.50" → 壹仟贰佰叁拾肆元伍角); null for other currencies or negative amounts. */
export function toChineseCapitals(amount: Money): string | null {
  if (amount.currency !== 'CNY' || amount.isNegative()) return null;
  if (amount.isZero()) return '零元整';
  // Written without trailing zeros: nzh then closes whole yuan with 整, as cheques and invoices require.
  const words = nzh.toMoney(amount.round().amount.toFixed(), { outSymbol: false });
  return words.endsWith('元') ? `${words}整` : words;
}
