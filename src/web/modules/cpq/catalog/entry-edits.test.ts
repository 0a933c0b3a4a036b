import { describe, expect, it } from 'vitest';
import type { PriceBookEntry } from '../../../../server/modules/catalog/contract.ts';
import { entryIssuesByProduct, toPatchBody, withEdit } from './entry-edits.ts';

const stored: PriceBookEntry = { productId: 'p1', sku: 'CLOUD-STORAGE', nameZh: '云存储', unitPrice: '3600', tiers: null, updatedAt: '2026-11-01T00:00:00.000Z' };

describe('entry edits', () => {
  it('keeps a changed price, drops an edit back to the stored row', () => {
    const one = withEdit(new Map(), stored, 'p1', { unitPrice: '3500', tiers: null });
    expect(one.get('p1')).toEqual({ unitPrice: '3500', tiers: null });
    expect(withEdit(one, stored, 'p1', { unitPrice: '3600', tiers: null }).size).toBe(0);
    // Removing a row that is not in the book is no edit at all.
    expect(withEdit(new Map(), undefined, 'p9', { unitPrice: null, tiers: null }).size).toBe(0);
  });

  it('sends the edited rows with the version and currency; a removal carries no tiers', () => {
    let edits = withEdit(new Map(), stored, 'p1', { unitPrice: ' 3500 ', tiers: { mode: 'range', bands: [{ fromQty: 10, unitPrice: '3200' }] } });
    edits = withEdit(edits, { ...stored, productId: 'p2' }, 'p2', { unitPrice: null, tiers: { mode: 'range', bands: [] } });
    const { body, order } = toPatchBody(7, 'CNY', edits);
    expect(order).toEqual(['p1', 'p2']);
    expect(body).toEqual({
      version: 7,
      currency: 'CNY',
      entries: [
        { productId: 'p1', unitPrice: '3500', tiers: { mode: 'range', bands: [{ fromQty: 10, unitPrice: '3200' }] } },
        { productId: 'p2', unitPrice: null, tiers: null },
      ],
    });
  });

  it('maps a 422 back onto the products sent', () => {
    const issues = entryIssuesByProduct(
      [
        { path: 'entries.1.tiers.bands.1.fromQty', message: 'must ascend' },
        { path: 'entries.0.unitPrice', message: 'too many places' },
        { path: 'version', message: 'x' },
      ],
      ['p1', 'p2'],
    );
    expect(Object.fromEntries(issues)).toEqual({ p2: ['tiers.bands.1.fromQty: must ascend'], p1: ['unitPrice: too many places'] });
  });
});
