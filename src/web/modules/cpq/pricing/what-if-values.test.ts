import { describe, expect, it } from 'vitest';
import { pickPriceBook, toWhatIfBody, type WhatIfFormValues } from './what-if-values.ts';

const book = { id: 'b1', currency: 'CNY' };
const base: WhatIfFormValues = { priceBookId: 'b1', customerMode: 'sample', lines: [{ productId: 'p1', quantity: 120 }], includeDraft: true };

describe('toWhatIfBody', () => {
  it('prices a sample customer with the draft of the rule being edited', () => {
    const built = toWhatIfBody({ ...base, customerKind: ' government ', lines: [...base.lines, { productId: null, quantity: 3 }] }, book, 'r1');
    expect(built).toEqual({
      ok: true,
      body: { priceBookId: 'b1', currency: 'CNY', customer: { kind: 'government' }, draftRuleIds: ['r1'], lines: [{ id: 'L1', productId: 'p1', quantity: 120 }] },
    });
  });

  it('leaves the draft out when asked, or when the rule has none', () => {
    const off = toWhatIfBody({ ...base, includeDraft: false }, book, 'r1');
    const none = toWhatIfBody(base, book, null);
    expect(off.ok && off.body.draftRuleIds).toEqual([]);
    expect(none.ok && none.body.draftRuleIds).toEqual([]);
  });

  it('sends the account, term and manual discount when given', () => {
    const built = toWhatIfBody(
      { ...base, customerMode: 'account', accountId: 'a1', termMonths: 36, pricingDate: '2026-06-30', lines: [{ productId: 'p1', quantity: 2, termMonths: 24, manualDiscountPercent: '5' }] },
      book,
      null,
    );
    expect(built.ok && built.body).toMatchObject({ accountId: 'a1', termMonths: 36, pricingDate: '2026-06-30', lines: [{ id: 'L1', productId: 'p1', quantity: 2, termMonths: 24, manualDiscountPercent: '5' }] });
  });

  it('says why it cannot run yet', () => {
    expect(toWhatIfBody(base, undefined, null)).toEqual({ ok: false, reason: 'no_price_book' });
    expect(toWhatIfBody({ ...base, lines: [{ productId: undefined }] }, book, null)).toEqual({ ok: false, reason: 'no_lines' });
    expect(toWhatIfBody({ ...base, customerMode: 'account' }, book, null)).toEqual({ ok: false, reason: 'no_account' });
  });
});

describe('pickPriceBook', () => {
  const books = [
    { id: 'us', currency: 'USD', isActive: true, validFrom: '2026-01-01', validTo: '2026-12-31' },
    { id: 'old', currency: 'CNY', isActive: true, validFrom: '2025-01-01', validTo: '2025-12-31' },
    { id: 'cn', currency: 'CNY', isActive: true, validFrom: '2026-01-01', validTo: null },
    { id: 'off', currency: 'CNY', isActive: false, validFrom: '2026-01-01', validTo: null },
  ];
  it('takes an active book valid on the date, in the preferred currency first', () => {
    expect(pickPriceBook(books, '2026-03-01')?.id).toBe('cn');
    expect(pickPriceBook(books, '2026-03-01', 'USD')?.id).toBe('us');
    expect(pickPriceBook(books, '2025-03-01', 'USD')?.id).toBe('old');
    expect(pickPriceBook(books, '2024-03-01')).toBeUndefined();
  });
});
