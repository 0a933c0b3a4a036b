import { describe, expect, it } from 'vitest';
import { QuoteLineInput, UpdateQuoteVersionBody } from '../../../../server/modules/quotes/contract.ts';
import { type LineFormValue, fromLineInput, linesOfVersion, newLine, nextLineId, routeProblemErrors, toLineInputs, toPreviewBody, toUpdateBody } from './quote-line-form.ts';

const P1 = '0190a3c2-7a5e-7c1e-9d2b-0a1b2c3d4e5f';
const P2 = '0190a3c2-7a5e-7c1e-9d2b-0a1b2c3d4e60';

const row = (over: Partial<LineFormValue>): LineFormValue => ({ id: 'L1', productId: P1, quantity: 2, priceMode: 'list', ...over });

describe('line form mapping', () => {
  it('sends only the manual field of the chosen price mode, trimmed, and leaves blanks out', () => {
    const { lines } = toLineInputs([
      row({ id: 'L1', priceMode: 'discount', manualDiscountPercent: ' 12.5 ', manualUnitPrice: '900', notes: '  ' }),
      row({ id: 'L2', priceMode: 'price', manualDiscountPercent: '12.5', manualUnitPrice: '900', termMonths: 24, notes: ' 首年 ' }),
      row({ id: 'L3', priceMode: 'list', manualDiscountPercent: '5', termMonths: null }),
    ]);
    expect(lines).toEqual([
      { id: 'L1', productId: P1, quantity: 2, manualDiscountPercent: '12.5' },
      { id: 'L2', productId: P1, quantity: 2, termMonths: 24, manualUnitPrice: '900', notes: '首年' },
      { id: 'L3', productId: P1, quantity: 2 },
    ]);
    // Every mapped line is one the contract accepts (never a discount and a price together).
    for (const l of lines) expect(QuoteLineInput.safeParse(l).success).toBe(true);
  });

  it('skips incomplete rows and remembers which form row each body line came from', () => {
    const mapped = toLineInputs([row({ id: 'L1', productId: null }), row({ id: 'L2' }), row({ id: 'L3', quantity: 0 }), row({ id: 'L4', productId: P2 })]);
    expect(mapped.lines.map((l) => l.id)).toEqual(['L2', 'L4']);
    expect(mapped.formIndex).toEqual([1, 3]);
    expect(mapped.hasMalformed).toBe(false);
    expect(toLineInputs([row({ priceMode: 'price', manualUnitPrice: '12,5' })]).hasMalformed).toBe(true);
  });

  it('reads saved lines back into the form, in the mode they were priced', () => {
    expect(fromLineInput({ id: 'L7', productId: P1, quantity: 3, manualUnitPrice: '100' }, 'L1')).toEqual({
      id: 'L7',
      productId: P1,
      quantity: 3,
      termMonths: null,
      priceMode: 'price',
      manualDiscountPercent: undefined,
      manualUnitPrice: '100',
      notes: '',
    });
    expect(linesOfVersion({ lines: [{ productId: P1, quantity: 1 }, { productId: P2, quantity: 1, manualDiscountPercent: '3' }] }).map((l) => [l.id, l.priceMode])).toEqual([
      ['L1', 'list'],
      ['L2', 'discount'],
    ]);
  });

  it('new rows take the next L<n> id after every id in use', () => {
    expect(nextLineId([])).toBe('L1');
    expect(nextLineId(['L1', 'L9', 'custom-3', 'L2'])).toBe('L10');
    expect(newLine([{ id: 'L1' }, { id: 'L2' }]).id).toBe('L3');
  });

  it('builds a draft PATCH and a preview body the contracts accept', () => {
    const header = { pricingDate: '2026-11-25', validUntil: '2026-12-25', termMonths: null, terms: '' };
    const body = toUpdateBody(header, [row({}), row({ id: 'L2', productId: null })], 4);
    expect(body).toEqual({ version: 4, pricingDate: '2026-11-25', validUntil: '2026-12-25', termMonths: null, terms: '', lines: [{ id: 'L1', productId: P1, quantity: 2 }] });
    expect(UpdateQuoteVersionBody.safeParse(body).success).toBe(true);
    const preview = toPreviewBody({ opportunityId: P2, priceBookId: P1, currency: 'CNY' }, { ...header, termMonths: 12 }, [row({})]);
    expect(preview).toEqual({ opportunityId: P2, priceBookId: P1, currency: 'CNY', pricingDate: '2026-11-25', validUntil: '2026-12-25', termMonths: 12, lines: [{ id: 'L1', productId: P1, quantity: 2 }] });
  });
});

describe('routeProblemErrors', () => {
  it('puts line errors on their form rows, header errors on header fields, and keeps the rest', () => {
    const routed = routeProblemErrors(
      [
        { path: 'body.lines.1.manualUnitPrice', message: 'below floor' },
        { path: 'lines.0.quantity', message: 'bad qty' },
        { path: 'validUntil', message: 'before pricing date' },
        { path: 'lines.9.quantity', message: 'unknown row' },
        { path: '', message: 'general' },
      ],
      [0, 3],
      ['pricingDate', 'validUntil'],
    );
    expect(routed.lines).toEqual([
      { row: 3, field: 'manualUnitPrice', message: 'below floor' },
      { row: 0, field: 'quantity', message: 'bad qty' },
    ]);
    expect(routed.header).toEqual([{ field: 'validUntil', message: 'before pricing date' }]);
    expect(routed.other).toEqual([
      { path: 'lines.9.quantity', message: 'unknown row' },
      { path: '', message: 'general' },
    ]);
  });
});
