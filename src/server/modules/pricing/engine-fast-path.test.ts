import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Dec } from '../../../shared/money.ts';
import { createCatalogIndex } from './catalog.ts';
import { compileRules } from './compile.ts';
import { computeQuotePricing, setPricingFastPath } from './engine.ts';
import { formatExplanationStep, listExplanationSteps } from './explanation.ts';
import { createPricingFixture, createQuoteRequest, createRandom, type FixtureSize } from './pricing-fixtures.ts';
import type { PricingRequest, PricingResult } from './pricing-types.ts';

/**
 * Differential test of the fixed-point fast path (fixed.ts): every result — amounts, unit prices,
 * explanations, advisories, totals, down to each Decimal's sign, exponent and digits — must be the
 * same with the fast path on as with the decimal.js-only reference path. Random rule sets from the
 * benchmark's generator (every action, tier mode, condition kind and scope), random quotes, and
 * random prices, quantities, manual prices and exchange rates chosen to cross the fast path's
 * limits (many decimals, amounts past 2^53) so that its fallbacks are exercised too.
 */

const TINY: FixtureSize = { products: 60, rules: 400, customerGroups: 12, customers: 8, groupShape: [2, 2, 3] };

/** A canonical, comparable form of any result value; Decimals down to their internal form. */
function canon(value: unknown, seen = new Set<unknown>()): unknown {
  if (value instanceof Dec) {
    const { s, e, d } = value as unknown as { s: number; e: number; d: number[] };
    return `dec(${s}|${e}|${d.join(',')})`;
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[cycle]';
  seen.add(value);
  const out = Array.isArray(value)
    ? value.map((v) => canon(v, seen))
    : Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, canon((value as Record<string, unknown>)[k], seen)]),
      );
  seen.delete(value);
  return out;
}

function describeResult(result: PricingResult): unknown {
  return {
    raw: canon(result),
    // Amounts a line makes into Decimals on first read (getters, not own properties).
    amounts: result.lines.map((l) => canon([l.listAmount, l.netAmount, l.costAmount, l.taxAmount])),
    json: JSON.parse(JSON.stringify(result.lines)),
    totals: canon(result.totals),
    text: result.lines.map((l) => listExplanationSteps(l.explanation).map((s) => formatExplanationStep(s, 'en'))),
  };
}

function priceBothWays(ruleSet: ReturnType<typeof compileRules>, catalog: ReturnType<typeof createCatalogIndex>, request: PricingRequest) {
  setPricingFastPath(false);
  const reference = describeResult(computeQuotePricing(ruleSet, catalog, request));
  setPricingFastPath(true);
  const fast = describeResult(computeQuotePricing(ruleSet, catalog, request));
  return { reference, fast };
}

/** Amounts that sit on either side of the fast path's limits. */
const awkwardAmount = fc.oneof(
  fc.integer({ min: 0, max: 10_000_000 }).map((n) => (n / 100).toFixed(2)),
  fc.integer({ min: 0, max: 10_000_000 }).map((n) => new Dec(n).dividedBy(1e6).toFixed()),
  fc.tuple(fc.integer({ min: 1, max: 999_999 }), fc.integer({ min: 8, max: 20 })).map(([n, places]) => new Dec(n).dividedBy(new Dec(10).pow(places)).plus(1).toFixed()),
  fc.bigInt({ min: 10n ** 14n, max: 10n ** 22n }).map((n) => `${n}.${String(n % 97n).padStart(2, '0')}`),
);

const tweak = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  lines: fc.integer({ min: 1, max: 40 }),
  prices: fc.array(fc.tuple(fc.nat(), awkwardAmount), { maxLength: 12 }),
  quantities: fc.array(fc.tuple(fc.nat(), fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1_000_000, max: 2_000_000_000 }))), { maxLength: 6 }),
  manualPrices: fc.array(fc.tuple(fc.nat(), awkwardAmount), { maxLength: 6 }),
  manualDiscounts: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 1_000_000 }).map((n) => new Dec(n).dividedBy(10_000).toFixed())), { maxLength: 6 }),
  taxes: fc.array(fc.tuple(fc.nat(), fc.constantFrom('0', '6', '9', '13', '13.125', '7.3333333333333')), { maxLength: 6 }),
  usdBook: fc.option(fc.constantFrom('7.1234', '7.12345678901234567', '0.000001', '123456789.123'), { nil: undefined }),
});

describe('the fixed-point fast path', () => {
  afterEach(() => setPricingFastPath(true));

  it('gives the very same results as the decimal.js reference path on random rules and lines', () => {
    const fixtures = [createPricingFixture(TINY, 11), createPricingFixture(TINY, 12), createPricingFixture(TINY, 13)];
    const compiled = fixtures.map((f) => ({ fixture: f, ruleSet: compileRules(f.rules), catalog: createCatalogIndex(f.catalog) }));
    let fastLines = 0;
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2), tweak, (which, t) => {
        const { fixture, ruleSet, catalog } = compiled[which]!;
        const request = createQuoteRequest(fixture, createRandom(t.seed), t.lines);
        const prices = { ...fixture.priceBook.prices };
        const ids = Object.keys(prices);
        for (const [i, amount] of t.prices) prices[ids[i % ids.length]!] = amount;
        request.priceBook = { ...fixture.priceBook, prices, ...(t.usdBook ? { currency: 'USD' as const } : {}) };
        if (t.usdBook) request.exchangeRates = { USD: t.usdBook };
        const lines = request.lines.map((l) => ({ ...l }));
        for (const [i, q] of t.quantities) if (lines[i % lines.length]!.parentLineId === undefined) lines[i % lines.length]!.quantity = q;
        for (const [i, p] of t.manualPrices) {
          const l = lines[i % lines.length]!;
          delete l.manualDiscountPercent;
          l.manualUnitPrice = p;
        }
        for (const [i, p] of t.manualDiscounts) {
          const l = lines[i % lines.length]!;
          if (l.manualUnitPrice === undefined) l.manualDiscountPercent = p;
        }
        for (const [i, tax] of t.taxes) lines[i % lines.length]!.taxPercent = tax;
        request.lines = lines;
        const { reference, fast } = priceBothWays(ruleSet, catalog, request);
        expect(fast).toEqual(reference);
        fastLines += lines.length;
      }),
      { numRuns: 200, seed: 20_251_125 },
    );
    expect(fastLines).toBeGreaterThan(1000);
  }, 60_000);

  it('falls back to decimal.js past its limits, with the exact amount', () => {
    const fixture = createPricingFixture(TINY, 11);
    const ruleSet = compileRules(fixture.rules);
    const catalog = createCatalogIndex(fixture.catalog);
    const request = createQuoteRequest(fixture, createRandom(5), 30);
    const first = request.lines.find((l) => l.parentLineId === undefined)!;
    // 10^20 units of a list price: past 2^53 in scaled integers, exact in decimal.js.
    request.lines = [{ ...first, id: 'HUGE', quantity: 1, manualUnitPrice: '100000000000000000000.01' }, ...request.lines];
    const { reference, fast } = priceBothWays(ruleSet, catalog, request);
    expect(fast).toEqual(reference);
    setPricingFastPath(true);
    const result = computeQuotePricing(ruleSet, catalog, request);
    expect(result.lines[0]!.netAmount.toFixed()).toBe('100000000000000000000.01');
    expect(result.totals.net.amount.greaterThan('100000000000000000000')).toBe(true);
  });
});
