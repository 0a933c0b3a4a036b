import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec, Money } from '../../../shared/money.ts';
import { QuoteLineInput } from './contract.ts';
import { type TotalsLine, canAcceptVersion, computeQuoteTotals, getEditBlock, getRevisionBlock, getRevisionDates, toChineseCapitals } from './quote.ts';

const line = (list: string, net: string, tax: string, cost: string | null, isCounted = true): TotalsLine => ({
  isCounted,
  list: new Dec(list),
  net: new Dec(net),
  tax: new Dec(tax),
  cost: cost === null ? null : new Dec(cost),
});

describe('quote totals', () => {
  it('sums the rounded lines, leaves bundle headers out, and derives discount and margin from the sums', () => {
    const t = computeQuoteTotals(
      [
        line('1000.00', '900.00', '117.00', '500.00'),
        line('333.33', '300.00', '18.00', null),
        // A bundle header: its components carry the money.
        line('5000.00', '5000.00', '650.00', '1.00', false),
      ],
      'CNY',
    );
    expect(t.list.toJSON()).toEqual({ amount: '1333.33', currency: 'CNY' });
    expect(t.net.toJSON()).toEqual({ amount: '1200.00', currency: 'CNY' });
    expect(t.discount.toJSON()).toEqual({ amount: '133.33', currency: 'CNY' });
    // 133.33 / 1333.33 = 0.0999977… → 10.00 %
    expect(t.discountPercent).toBe('10.00');
    // 117.00 + 18.00
    expect(t.tax.toJSON()).toEqual({ amount: '135.00', currency: 'CNY' });
    // 1200.00 + 135.00
    expect(t.grandTotal.toJSON()).toEqual({ amount: '1335.00', currency: 'CNY' });
    // Margin only over the line with a cost: 900.00 − 500.00 = 400.00; 400 / 900 = 44.44 %
    expect(t.margin.toJSON()).toEqual({ amount: '400.00', currency: 'CNY' });
    expect(t.marginPercent).toBe('44.44');
    expect(t.isCostComplete).toBe(false);
  });

  it('weights the discount by amount, not by line', () => {
    // 10 % off 1 000 and 50 % off 100: (1 100 − 950) / 1 100 = 13.64 %, not the 30 % average of the lines.
    const t = computeQuoteTotals([line('1000.00', '900.00', '0', '0'), line('100.00', '50.00', '0', '0')], 'CNY');
    expect(t.discountPercent).toBe('13.64');
    expect(t.isCostComplete).toBe(true);
  });

  it('has no discount percentage for a quote without list amounts', () => {
    expect(computeQuoteTotals([], 'CNY').discountPercent).toBeNull();
    expect(computeQuoteTotals([], 'CNY').grandTotal.isZero()).toBe(true);
  });

  it('grand total is exactly Σ rounded net + Σ rounded tax of the counted lines', () => {
    const cents = fc.integer({ min: 0, max: 10_000_000 }).map((n) => new Dec(n).dividedBy(100));
    const arbLine = fc.record({ list: cents, net: cents, tax: cents, isCounted: fc.boolean() }).map((l) => ({ ...l, cost: null }));
    fc.assert(
      fc.property(fc.array(arbLine, { maxLength: 30 }), (lines) => {
        const t = computeQuoteTotals(lines, 'CNY');
        const counted = lines.filter((l) => l.isCounted);
        const net = counted.reduce((s, l) => s.plus(l.net), new Dec(0));
        const tax = counted.reduce((s, l) => s.plus(l.tax), new Dec(0));
        expect(t.net.amount.equals(net)).toBe(true);
        expect(t.grandTotal.amount.equals(net.plus(tax))).toBe(true);
        expect(t.grandTotal.isRounded()).toBe(true);
      }),
    );
  });
});

describe('version rules', () => {
  it('only a draft is edited in place; sent, approved and rejected need a new version; accepted and superseded are closed', () => {
    expect(getEditBlock('draft')).toBeNull();
    expect(getEditBlock('sent')).toBe('needs_new_version');
    expect(getEditBlock('approved')).toBe('needs_new_version');
    expect(getEditBlock('rejected')).toBe('needs_new_version');
    expect(getEditBlock('in_approval')).toBe('in_approval');
    expect(getEditBlock('accepted')).toBe('closed');
    expect(getEditBlock('superseded')).toBe('closed');
  });

  it('a new version starts from a sent, approved or rejected latest version only', () => {
    expect(getRevisionBlock('draft')).toBe('draft_exists');
    expect(getRevisionBlock('sent')).toBeNull();
    expect(getRevisionBlock('approved')).toBeNull();
    expect(getRevisionBlock('rejected')).toBeNull();
    expect(getRevisionBlock('in_approval')).toBe('in_approval');
    expect(getRevisionBlock('accepted')).toBe('closed');
  });

  it('a revision within the validity keeps the pricing date; after valid-until it is re-priced at today for the same span', () => {
    const previous = { pricingDate: '2026-03-01', validUntil: '2026-03-31' };
    expect(getRevisionDates(previous, '2026-03-31')).toEqual({ pricingDate: '2026-03-01', validUntil: '2026-03-31', isRepriced: false });
    // 30 days of validity (1 → 31 March), counted again from 2 April.
    expect(getRevisionDates(previous, '2026-04-02')).toEqual({ pricingDate: '2026-04-02', validUntil: '2026-05-02', isRepriced: true });
  });

  it('one accepted version per deal', () => {
    expect(canAcceptVersion('q1', [{ id: 'q1', acceptedVersionId: null }, { id: 'q2', acceptedVersionId: null }])).toBe(true);
    expect(canAcceptVersion('q1', [{ id: 'q1', acceptedVersionId: null }, { id: 'q2', acceptedVersionId: 'v9' }])).toBe(false);
  });
});

describe('amount in Chinese capitals', () => {
  it('writes 人民币大写 for CNY and nothing for other currencies', () => {
    expect(toChineseCapitals(Money.of('1234.50', 'CNY'))).toBe('壹仟贰佰叁拾肆元伍角');
    expect(toChineseCapitals(Money.of('10005.5', 'CNY'))).toBe('壹万零伍元伍角');
    expect(toChineseCapitals(Money.of('100', 'CNY'))).toBe('壹佰元整');
    expect(toChineseCapitals(Money.of('0', 'CNY'))).toBe('零元整');
    expect(toChineseCapitals(Money.of('100', 'USD'))).toBeNull();
  });
});

describe('line input', () => {
  it('refuses a zero or negative quantity and a manual price together with a manual discount', () => {
    const productId = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
    expect(QuoteLineInput.safeParse({ productId, quantity: 1 }).success).toBe(true);
    for (const quantity of [0, -3, 1.5]) {
      const r = QuoteLineInput.safeParse({ productId, quantity });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(['quantity']);
    }
    const both = QuoteLineInput.safeParse({ productId, quantity: 1, manualUnitPrice: '10', manualDiscountPercent: '5' });
    expect(both.error?.issues.map((i) => i.message)).toEqual(['v:manual_price_or_discount']);
    expect(QuoteLineInput.safeParse({ productId, quantity: 1, manualUnitPrice: '-1' }).success).toBe(false);
  });
});
