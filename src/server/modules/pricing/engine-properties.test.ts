import fc from 'fast-check';
import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { Dec } from '../../../shared/money.ts';
import { createCatalogIndex } from './catalog.ts';
import { compileRules } from './compile.ts';
import { computeQuotePricing } from './engine.ts';
import { formatExplanationStep, listExplanationSteps } from './explanation.ts';
import type { CustomerScope, PricingRule, ProductScope, RuleAction, TierBand } from './pricing-rule.ts';
import type { PricingLineInput, PricingRequest, PricingResult } from './pricing-types.ts';

/** Properties over random small rule sets, quotes and bundles. */

const catalog = createCatalogIndex({
  groups: [{ id: 'g0' }, { id: 'g1', parentId: 'g0' }, { id: 'g2', parentId: 'g0' }],
  products: [
    { id: 'P1', sku: 'P1', groupId: 'g1', kind: 'goods', taxPercent: '13', cost: { CNY: '40' }, floorPrice: { CNY: '30' } },
    { id: 'P2', sku: 'P2', groupId: 'g2', kind: 'service', taxPercent: '6' },
    { id: 'P3', sku: 'P3', groupId: 'g2', kind: 'goods', parentProductId: 'P1' },
    { id: 'BF', sku: 'BF', groupId: 'g0', kind: 'goods', bundle: { pricing: 'fixed', components: [{ productId: 'P1', quantity: 1 }, { productId: 'P2', quantity: 2 }] } },
    { id: 'BC', sku: 'BC', groupId: 'g0', kind: 'goods', bundle: { pricing: 'components', components: [{ productId: 'P1', quantity: 1 }, { productId: 'P3', quantity: 1 }] } },
  ],
});
const PRICES = { P1: '99.99', P2: '33.335', P3: '120.10', BF: '250.00', BC: '1.00' };

const decimal = (min: number, max: number, places: number) =>
  fc.integer({ min: min * 10 ** places, max: max * 10 ** places }).map((n) => new Dec(n).dividedBy(10 ** places).toFixed());

const productScope: fc.Arbitrary<ProductScope> = fc.oneof(
  fc.constant({ kind: 'all' as const }),
  fc.constantFrom('P1', 'P2', 'P3', 'BF', 'BC').map((productId) => ({ kind: 'product' as const, productId })),
  fc.constantFrom('g0', 'g1', 'g2').map((groupId) => ({ kind: 'group' as const, groupId })),
);
const customerScope: fc.Arbitrary<CustomerScope | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant({ kind: 'account' as const, accountId: 'A' }),
  fc.constantFrom('cg', 'other').map((groupId) => ({ kind: 'customerGroup' as const, groupId })),
);
const bands = (kind: 'price' | 'percent' | 'amount'): fc.Arbitrary<TierBand[]> =>
  fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 4 }).chain((steps) => {
    let from = 1;
    const starts = steps.map((s, i) => (i === 0 ? 1 : (from += s)));
    const value = kind === 'percent' ? decimal(0, 40, 1) : kind === 'price' ? decimal(1, 200, 2) : decimal(0, 10, 2);
    return fc.tuple(...starts.map(() => value)).map((values) =>
      starts.map((fromQty, i) => (kind === 'percent' ? { fromQty, percent: values[i]! } : { fromQty, amounts: { CNY: values[i]! } })),
    );
  });
const action: fc.Arbitrary<RuleAction> = fc.oneof(
  decimal(0, 40, 2).map((percent) => ({ type: 'percentDiscount' as const, percent })),
  decimal(0, 20, 2).map((a) => ({ type: 'amountDiscount' as const, amounts: { CNY: a } })),
  decimal(1, 300, 3).map((a) => ({ type: 'setPrice' as const, amounts: { CNY: a } })),
  fc.constantFrom('range', 'slab').chain((mode) =>
    fc.constantFrom('price', 'percent', 'amount').chain((valueKind) =>
      bands(valueKind).map((b) => ({ type: 'tiers' as const, basis: 'quantity' as const, mode, valueKind, bands: b })),
    ),
  ),
  bands('price').map((b) => ({ type: 'tiers' as const, basis: 'quantity' as const, mode: 'block' as const, valueKind: 'price' as const, bands: b })),
  decimal(10, 80, 2).map((a) => ({ type: 'floor' as const, amounts: { CNY: a } })),
  fc.constant({ type: 'freeItem' as const, productId: 'P2', quantity: 1, perQuantity: 7 }),
);
const rule: fc.Arbitrary<Omit<PricingRule, 'id'>> = fc.record({
  version: fc.integer({ min: 1, max: 3 }),
  name: fc.constant('r'),
  scope: fc.record({ product: productScope, customer: customerScope }).map((s) => (s.customer ? s : { product: s.product })),
  condition: fc.constantFrom(undefined, 'line.quantity >= 5', 'customer.region == "east"', 'quote.qtyByGroup["g0"] > 3 && line.product.kind == "goods"'),
  action,
  phase: fc.constantFrom('BASE', 'SYSTEM', 'MANUAL', 'CHANNEL'),
  priority: fc.integer({ min: 0, max: 3 }),
  combine: fc.constantFrom('exclusive', 'additive', 'compound'),
}).map((r) => {
  const out: Omit<PricingRule, 'id'> = { ...r };
  if (r.condition === undefined) delete out.condition;
  return out;
});
const rules = fc.array(rule, { maxLength: 14 }).map((list) => list.map((r, i) => ({ ...r, id: `R${i}` }) as PricingRule));

const plainLine = fc.record({
  productId: fc.constantFrom('P1', 'P2', 'P3'),
  quantity: fc.integer({ min: 0, max: 120 }),
  manual: fc.option(decimal(0, 30, 1), { nil: undefined }),
});
const lines = fc.tuple(fc.array(plainLine, { minLength: 1, maxLength: 8 }), fc.boolean(), fc.boolean()).map(([plain, withFixed, withSum]) => {
  const out: PricingLineInput[] = plain.map((l, i) => ({
    id: `L${i}`,
    productId: l.productId,
    quantity: l.quantity,
    ...(l.manual !== undefined ? { manualDiscountPercent: l.manual } : {}),
  }));
  if (withFixed) {
    out.push({ id: 'F', productId: 'BF', quantity: 2 }, { id: 'F1', productId: 'P1', quantity: 2, parentLineId: 'F' }, { id: 'F2', productId: 'P2', quantity: 4, parentLineId: 'F' });
  }
  if (withSum) {
    out.push({ id: 'S', productId: 'BC', quantity: 1 }, { id: 'S1', productId: 'P1', quantity: 3, parentLineId: 'S' }, { id: 'S2', productId: 'P3', quantity: 1, parentLineId: 'S' });
  }
  return out;
});

function request(lineInputs: PricingLineInput[]): PricingRequest {
  return {
    customer: { id: 'A', groupAncestors: ['cg'], region: 'east' },
    quote: { currency: 'CNY', pricingDate: '2025-05-01' },
    priceBook: { currency: 'CNY', prices: PRICES },
    lines: lineInputs,
  };
}

function describeResult(result: PricingResult): string {
  return JSON.stringify({
    lines: result.lines.map((l) => ({ ...l.toJSON(), steps: listExplanationSteps(l.explanation).map((s) => formatExplanationStep(s)) })),
    totals: result.totals,
    advisories: result.advisories,
  });
}

describe('pricing engine properties', () => {
  it('is deterministic: the order rules are given in changes nothing', () => {
    fc.assert(
      fc.property(
        rules.chain((rs) => fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length, maxLength: rs.length }))),
        lines,
        ([ordered, shuffled], lineInputs) => {
          const a = computeQuotePricing(compileRules(ordered), catalog, request(lineInputs));
          const b = computeQuotePricing(compileRules(shuffled), catalog, request(lineInputs));
          expect(describeResult(b)).toBe(describeResult(a));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a set built by publishing rules one by one (upsert, remove) prices like one compiled at once', () => {
    fc.assert(
      fc.property(
        rules.chain((rs) => fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length, maxLength: rs.length }))),
        lines,
        ([ordered, shuffled], lineInputs) => {
          const incremental = compileRules([]);
          for (const r of shuffled) incremental.upsertRule({ ...r, priority: r.priority + 7 });
          for (const r of shuffled) incremental.upsertRule(r);
          incremental.upsertRule({ ...ordered[0]!, id: 'TEMP' } as PricingRule);
          incremental.removeRule('TEMP');
          const a = computeQuotePricing(compileRules(ordered), catalog, request(lineInputs));
          const b = computeQuotePricing(incremental, catalog, request(lineInputs));
          expect(describeResult(b)).toBe(describeResult(a));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rounds once: every line net is round(unrounded net unit × quantity); the total is the sum of rounded lines', () => {
    fc.assert(
      fc.property(rules, lines, (rs, lineInputs) => {
        const set = compileRules(rs);
        expect(set.errors).toEqual([]);
        const result = computeQuotePricing(set, catalog, request(lineInputs));
        let sum = new Dec(0);
        for (const l of result.lines) {
          expect(l.netAmount.decimalPlaces()).toBeLessThanOrEqual(2);
          if (l.isCounted) sum = sum.plus(l.netAmount);
          if (l.status === 'priced') {
            // One rounding, of the exact line total…
            expect(l.netAmount.equals(l.netUnrounded.toDecimalPlaces(2, Decimal.ROUND_HALF_UP))).toBe(true);
            // …which is the unrounded unit price × quantity (to the last of 40 digits when the unit is a fraction).
            if (l.role !== 'bundleComponent') {
              expect(l.netUnit.times(l.quantity).minus(l.netUnrounded).abs().lessThanOrEqualTo('1e-30')).toBe(true);
            }
          }
        }
        expect(result.totals.net.amount.equals(sum)).toBe(true);
        expect(result.totals.grandTotal.amount.equals(sum.plus(result.totals.tax.amount))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('allocates bundle nets to components so they sum exactly to the bundle', () => {
    fc.assert(
      fc.property(rules, lines, (rs, lineInputs) => {
        const result = computeQuotePricing(compileRules(rs), catalog, request(lineInputs));
        for (const header of result.lines.filter((l) => l.role === 'bundleHeader' && l.status === 'priced')) {
          const parts = result.lines.filter((l) => l.parentLineId === header.lineId && l.role === 'bundleComponent');
          const sum = parts.reduce((s, l) => s.plus(l.netAmount), new Dec(0));
          expect(sum.equals(header.netAmount)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('never goes below zero and never throws on random input', () => {
    fc.assert(
      fc.property(rules, lines, (rs, lineInputs) => {
        const result = computeQuotePricing(compileRules(rs), catalog, request(lineInputs));
        for (const l of result.lines) expect(l.netAmount.isNegative()).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});

describe('per-quote memos on the catalog', () => {
  it('are cleared when a quote is priced, and never carry one quote into the next', async () => {
    const { createPricingFixture, createQuoteRequest, createRandom, SMALL_SIZE } = await import('./pricing-fixtures.ts');
    const fixture = createPricingFixture({ ...SMALL_SIZE, products: 200, rules: 600, customerGroups: 40, customers: 20 }, 5);
    const ruleSet = compileRules(fixture.rules);
    const catalog = createCatalogIndex(fixture.catalog);
    const random = createRandom(3);
    const a = createQuoteRequest(fixture, random, 60);
    const b = { ...createQuoteRequest(fixture, random, 60), lines: a.lines }; // same lines, another customer
    const held = () => {
      let n = 0;
      for (const p of catalog.products.values()) {
        for (const holder of [p, p.chain, ...p.indexKeys]) if (holder.memoOwner !== null || holder.memoValue !== undefined) n++;
      }
      return n;
    };
    const first = JSON.stringify(computeQuotePricing(ruleSet, catalog, a));
    expect(held()).toBe(0);
    computeQuotePricing(ruleSet, catalog, b);
    expect(held()).toBe(0);
    expect(JSON.stringify(computeQuotePricing(ruleSet, catalog, a))).toBe(first);
  });
});
