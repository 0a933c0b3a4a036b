import { describe, expect, it } from 'vitest';
import { describeBands, listTierRowIssues, nextBandStart, toTierRows, toTierTable } from './tier-bands.ts';

describe('listTierRowIssues', () => {
  it('accepts ascending bands with prices in the currency precision', () => {
    expect(listTierRowIssues('range', [{ fromQty: 10, unitPrice: '3200' }, { fromQty: 50, unitPrice: '2800.5' }], 'CNY')).toEqual([]);
  });

  it('names the row and field of each problem', () => {
    const issues = listTierRowIssues(
      'slab',
      [
        { fromQty: 10, unitPrice: '3200' },
        // not after 10
        { fromQty: 10, unitPrice: '3000' },
        // no start yet, negative price
        { fromQty: null, unitPrice: '-1' },
        // CNY has 2 places, unit prices may carry 4 more: 7 is too many
        { fromQty: 100, unitPrice: '1.1234567' },
      ],
      'CNY',
    );
    expect(issues).toEqual([
      { row: 1, field: 'fromQty', key: 'tiers_not_ascending' },
      { row: 2, field: 'fromQty', key: 'positive_integer' },
      { row: 2, field: 'unitPrice', key: 'not_negative' },
      { row: 3, field: 'unitPrice', key: 'currency_places' },
    ]);
  });

  it('reports an empty table and a band from 0', () => {
    expect(listTierRowIssues('block', [], 'USD')).toEqual([{ row: -1, field: 'bands', key: 'tiers_empty' }]);
    expect(listTierRowIssues('block', [{ fromQty: 0, unitPrice: '1' }], 'USD')).toEqual([{ row: 0, field: 'fromQty', key: 'positive_integer' }]);
  });
});

describe('table conversions', () => {
  it('round-trips a stored table and trims typed prices', () => {
    const table = { mode: 'range' as const, bands: [{ fromQty: 10, unitPrice: '3200' }] };
    expect(toTierTable('range', toTierRows(table))).toEqual(table);
    expect(toTierTable('block', [{ fromQty: 5, unitPrice: ' 99 ' }])).toEqual({ mode: 'block', bands: [{ fromQty: 5, unitPrice: '99' }] });
    expect(toTierRows(null)).toEqual([]);
  });
});

describe('describeBands', () => {
  it('shows the list price below the first band and an open last band', () => {
    expect(describeBands([{ fromQty: 50, unitPrice: '2800' }, { fromQty: 10, unitPrice: '3200' }], '3600')).toEqual([
      { from: 1, to: 9, unitPrice: '3600' },
      { from: 10, to: 49, unitPrice: '3200' },
      { from: 50, to: null, unitPrice: '2800' },
    ]);
  });

  it('leaves out half-typed rows and needs no list row when the first band starts at 1', () => {
    expect(describeBands([{ fromQty: 1, unitPrice: '5' }, { fromQty: null, unitPrice: '4' }], '9')).toEqual([{ from: 1, to: null, unitPrice: '5' }]);
  });

  it('suggests the next band start', () => {
    expect(nextBandStart([])).toBe(10);
    expect(nextBandStart([{ fromQty: 10, unitPrice: '1' }, { fromQty: 50, unitPrice: '1' }])).toBe(100);
  });
});
