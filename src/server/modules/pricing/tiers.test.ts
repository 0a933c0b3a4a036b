import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec } from '../../../shared/money.ts';
import type { RuleAction, TierMode, TierValueKind } from './pricing-rule.ts';
import { compileTierTable, computeTierEffect, computeTierTotal, findBandIndex, findNextThreshold, findTierCliff } from './tiers.ts';

function table(mode: TierMode, valueKind: TierValueKind, values: string[], starts = [1, 11, 51]) {
  const action: Extract<RuleAction, { type: 'tiers' }> = {
    type: 'tiers',
    basis: 'quantity',
    mode,
    valueKind,
    bands: starts.map((fromQty, i) => (valueKind === 'percent' ? { fromQty, percent: values[i]! } : { fromQty, amounts: { CNY: values[i]! } })),
  };
  return compileTierTable(action);
}

const HUNDRED = new Dec(100);

describe('tier tables', () => {
  const prices = table('range', 'price', ['100', '90', '80']);

  it('finds the band a quantity reaches; below the first threshold is outside', () => {
    expect([0, 1, 10, 11, 50, 51, 1000].map((q) => findBandIndex(prices, q))).toEqual([-1, 0, 0, 1, 1, 2, 2]);
    expect(findBandIndex(table('range', 'price', ['5'], [5]), 4)).toBe(-1);
  });

  it('slab, range and block on bands 1–10 @100, 11–50 @90, 51+ @80 at quantity 60', () => {
    // slab: 10×100 + 40×90 + 10×80 = 5,400; range: 60×80 = 4,800.
    expect(computeTierTotal(table('slab', 'price', ['100', '90', '80']), 60, HUNDRED, 'CNY')?.toFixed()).toBe('5400');
    expect(computeTierTotal(prices, 60, HUNDRED, 'CNY')?.toFixed()).toBe('4800');
    // block: the line costs the band's flat price whatever the quantity inside the band.
    const blocks = table('block', 'price', ['1000', '4000', '5000']);
    expect(computeTierTotal(blocks, 60, HUNDRED, 'CNY')?.toFixed()).toBe('5000');
    expect(computeTierTotal(blocks, 11, HUNDRED, 'CNY')?.toFixed()).toBe('4000');
  });

  it('slab units below a first threshold above 1 keep the incoming price', () => {
    // from 5: units 1–4 at the incoming 100, units 5–6 at 50 → (400 + 100) / 6
    const late = table('slab', 'price', ['50'], [5]);
    const effect = computeTierEffect(late, 0, 6, HUNDRED, null, 'CNY');
    expect([effect.op, effect.value.toFixed(), effect.per?.toFixed()]).toEqual(['set', '500', '6']);
  });

  it('adjust tables give an effective fraction or amount (slab: unit-weighted)', () => {
    const pct = table('slab', 'percent', ['0', '10', '20']);
    // (10×0 + 40×0.10 + 10×0.20) / 60 = 6 / 60, kept as a fraction
    const slab = computeTierEffect(pct, 2, 60, HUNDRED, null, 'CNY');
    expect([slab.op, slab.value.toFixed(), slab.per?.toFixed()]).toEqual(['percent', '6', '60']);
    const amt = table('range', 'amount', ['0', '5', '8']);
    const range = computeTierEffect(amt, 1, 20, HUNDRED, null, 'CNY');
    expect([range.op, range.value.toFixed(), range.per]).toEqual(['amount', '5', null]);
    const block = computeTierEffect(table('block', 'price', ['1000', '4000', '5000']), 2, 60, HUNDRED, null, 'CNY');
    expect([block.op, block.value.toFixed(), block.per?.toFixed()]).toEqual(['set', '5000', '60']);
  });

  it('detects a range cliff (50×90 = 4,500 > 51×80 = 4,080) but never on slabs', () => {
    expect(findTierCliff(prices, 50, HUNDRED, 'CNY')).toMatchObject({ atQuantity: 51 });
    expect(findTierCliff(prices, 51, HUNDRED, 'CNY')).toBeNull();
    expect(findTierCliff(table('slab', 'price', ['100', '90', '80']), 50, HUNDRED, 'CNY')).toBeNull();
    // 45 × 90 = 4,050 < 4,080: no cliff yet
    expect(findTierCliff(prices, 45, HUNDRED, 'CNY')).toBeNull();
  });

  it('finds the next threshold', () => {
    expect(findNextThreshold(prices, 48)).toBe(51);
    expect(findNextThreshold(prices, 51)).toBeNull();
  });

  it('slab totals never decrease as the quantity grows (non-negative band prices)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 5, maxLength: 5 }),
        fc.integer({ min: 1, max: 300 }),
        (cents, gaps, q) => {
          let from = 1;
          const starts = cents.map((_, i) => (i === 0 ? 1 : (from += gaps[i]!)));
          const slab = table('slab', 'price', cents.map((c) => new Dec(c).dividedBy(100).toFixed()), starts);
          const now = computeTierTotal(slab, q, HUNDRED, 'CNY');
          const next = computeTierTotal(slab, q + 1, HUNDRED, 'CNY');
          expect(now).not.toBeNull();
          expect(next!.greaterThanOrEqualTo(now!)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
