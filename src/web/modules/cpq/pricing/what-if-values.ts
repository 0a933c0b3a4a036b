import type { WhatIfInput } from './pricing-api.ts';

/**
 * The what-if tester's inputs: a price book (its currency is the quote's), a real account or a
 * sample customer (kind, region), a few product lines, and whether the rule being edited runs
 * with its draft instead of its published version.
 */
export interface WhatIfLineRow {
  productId?: string | null | undefined;
  quantity?: number | null | undefined;
  termMonths?: number | null | undefined;
  manualDiscountPercent?: string | undefined;
}

export interface WhatIfFormValues {
  priceBookId?: string | undefined;
  customerMode: 'account' | 'sample';
  accountId?: string | null | undefined;
  customerKind?: string | undefined;
  region?: string | undefined;
  pricingDate?: string | null | undefined;
  termMonths?: number | null | undefined;
  lines: WhatIfLineRow[];
  includeDraft: boolean;
}

export type WhatIfBuild = { ok: true; body: WhatIfInput } | { ok: false; reason: 'no_price_book' | 'no_lines' | 'no_account' };

/** The request body, or why it cannot be sent yet. Lines without a product are left out. */
export function toWhatIfBody(v: WhatIfFormValues, book: { id: string; currency: string } | undefined, draftRuleId: string | null): WhatIfBuild {
  if (!book || !v.priceBookId) return { ok: false, reason: 'no_price_book' };
  if (v.customerMode === 'account' && !v.accountId) return { ok: false, reason: 'no_account' };
  const lines = v.lines
    .filter((l): l is WhatIfLineRow & { productId: string } => !!l.productId)
    .map((l, i) => ({
      id: `L${i + 1}`,
      productId: l.productId,
      quantity: l.quantity ?? 1,
      ...(l.termMonths ? { termMonths: l.termMonths } : {}),
      ...(l.manualDiscountPercent?.trim() ? { manualDiscountPercent: l.manualDiscountPercent.trim() } : {}),
    }));
  if (lines.length === 0) return { ok: false, reason: 'no_lines' };
  const customer = {
    ...(v.customerKind?.trim() ? { kind: v.customerKind.trim() } : {}),
    ...(v.region?.trim() ? { region: v.region.trim() } : {}),
  };
  return {
    ok: true,
    body: {
      priceBookId: book.id,
      currency: book.currency as WhatIfInput['currency'],
      ...(v.pricingDate ? { pricingDate: v.pricingDate } : {}),
      ...(v.termMonths ? { termMonths: v.termMonths } : {}),
      ...(v.customerMode === 'account' && v.accountId ? { accountId: v.accountId } : {}),
      ...(Object.keys(customer).length > 0 ? { customer } : {}),
      draftRuleIds: v.includeDraft && draftRuleId ? [draftRuleId] : [],
      lines,
    },
  };
}

/** The book to price with on a date: an active book valid then, preferring the currency asked for. */
export function pickPriceBook<B extends { id: string; currency: string; isActive: boolean; validFrom: string; validTo: string | null }>(
  books: readonly B[],
  onDate: string,
  currency = 'CNY',
): B | undefined {
  const valid = books.filter((b) => b.isActive && b.validFrom <= onDate && (b.validTo === null || onDate <= b.validTo));
  return valid.find((b) => b.currency === currency) ?? valid[0];
}
