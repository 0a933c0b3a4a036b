import { describe, expect, it } from 'vitest';
import { Dec } from '../../../shared/money.ts';
import { createCatalogIndex } from './catalog.ts';
import { compileRules } from './compile.ts';
import { computeQuotePricing } from './engine.ts';
import { type ExplanationStep, formatExplanationStep, listExplanationSteps } from './explanation.ts';
import { createPricingFixture, createQuoteRequest, createRandom, SMALL_SIZE } from './pricing-fixtures.ts';
import { isStoredExplanationStep, reviveExplanationStep, type StoredExplanationStep } from './stored-explanation.ts';

/** Every field of a step, Decimals as their exact strings: equal for a step and its revived copy. */
function canonical(step: ExplanationStep): string {
  return JSON.stringify(step, (_key, value: unknown) => (Dec.isDecimal(value) ? `dec:${value.toFixed()}` : value));
}

describe('explanation steps stored as JSON', () => {
  it('every step the engine writes reads back identical, and renders the same text in zh and en', () => {
    const fixture = createPricingFixture(SMALL_SIZE);
    const ruleSet = compileRules(fixture.rules);
    const catalog = createCatalogIndex(fixture.catalog);
    const random = createRandom(11);
    const types = new Set<string>();
    let checked = 0;
    for (let q = 0; q < 30; q++) {
      const result = computeQuotePricing(ruleSet, catalog, createQuoteRequest(fixture, random, 40));
      for (const line of result.lines) {
        for (const step of listExplanationSteps(line.explanation)) {
          const stored = JSON.parse(JSON.stringify(step)) as unknown;
          expect(isStoredExplanationStep(stored)).toBe(true);
          const revived = reviveExplanationStep(stored as StoredExplanationStep);
          expect(canonical(revived)).toBe(canonical(step));
          expect(formatExplanationStep(revived, 'zh')).toBe(formatExplanationStep(step, 'zh'));
          expect(formatExplanationStep(revived, 'en')).toBe(formatExplanationStep(step, 'en'));
          types.add(step.type);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
    // The fixture exercises the common kinds; the rest have their Decimal fields listed all the same.
    for (const type of ['base', 'applied', 'skipped', 'shadowed', 'manual', 'round']) expect(types).toContain(type);
  });

  it('keeps tiny and huge amounts exact (decimal.js writes them with an exponent)', () => {
    const step: ExplanationStep = { type: 'round', unrounded: new Dec('0.000000012345'), rounded: new Dec('123456789012345678901234.5'), places: 2 };
    const revived = reviveExplanationStep(JSON.parse(JSON.stringify(step)) as StoredExplanationStep);
    expect(canonical(revived)).toBe(canonical(step));
  });

  it('refuses what it cannot explain: an unknown type, a number where a decimal string belongs', () => {
    expect(isStoredExplanationStep({ type: 'applied' })).toBe(true);
    expect(isStoredExplanationStep({ type: 'nonsense' })).toBe(false);
    // A step already rendered to text (zh and en) is not step data.
    expect(isStoredExplanationStep({ type: 'skipped', ruleId: null, zh: '规则跳过', en: 'rule skipped' })).toBe(false);
    expect(() => reviveExplanationStep({ type: 'nonsense' } as unknown as StoredExplanationStep)).toThrow(/unknown explanation step/);
    expect(() => reviveExplanationStep({ type: 'round', unrounded: 0.1, rounded: '0.10', places: 2 } as unknown as StoredExplanationStep)).toThrow(/not a decimal string/);
  });
});
