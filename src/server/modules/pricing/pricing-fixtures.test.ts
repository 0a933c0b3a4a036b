import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeRules } from './analyze.ts';
import { createCatalogIndex } from './catalog.ts';
import { compileRules } from './compile.ts';
import { computeQuotePricing } from './engine.ts';
import { createPricingFixture, createQuoteRequest, createRandom, SMALL_SIZE } from './pricing-fixtures.ts';

const tiny = { ...SMALL_SIZE, products: 200, rules: 600, customerGroups: 40, customers: 20 };

describe('pricing fixtures', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = createPricingFixture(tiny, 42);
    const b = createPricingFixture(tiny, 42);
    const c = createPricingFixture(tiny, 43);
    expect(JSON.stringify(a.rules)).toBe(JSON.stringify(b.rules));
    expect(JSON.stringify(a.catalog)).toBe(JSON.stringify(b.catalog));
    expect(JSON.stringify(a.rules)).not.toBe(JSON.stringify(c.rules));
    const r1 = createRandom(9);
    const r2 = createRandom(9);
    expect(JSON.stringify(createQuoteRequest(a, r1, 50))).toBe(JSON.stringify(createQuoteRequest(b, r2, 50)));
  });

  it('generates rules that all compile, and quotes that price without errors', () => {
    const fixture = createPricingFixture(tiny, 7);
    const ruleSet = compileRules(fixture.rules);
    expect(ruleSet.errors).toEqual([]);
    expect(ruleSet.size).toBe(tiny.rules);
    const catalog = createCatalogIndex(fixture.catalog);
    expect(catalog.issues).toEqual([]);
    const random = createRandom(1);
    for (let i = 0; i < 20; i++) {
      const result = computeQuotePricing(ruleSet, catalog, createQuoteRequest(fixture, random, 60));
      expect(result.issues).toEqual([]);
      expect(result.lines.filter((l) => l.status === 'error').map((l) => l.issues)).toEqual([]);
    }
    expect(() => analyzeRules(ruleSet, catalog, { asOfDate: '2025-06-01' })).not.toThrow();
  });
});

describe('browser safety', () => {
  it('keeps the engine free of node: imports so the web preview runs the same code', () => {
    const dir = path.dirname(fileURLToPath(import.meta.url));
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThan(5);
    for (const file of sources) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      expect({ file, hasNodeImport: /from ['"]node:/.test(text) }).toEqual({ file, hasNodeImport: false });
    }
  });
});
