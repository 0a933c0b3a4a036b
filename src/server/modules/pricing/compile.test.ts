import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCondition, ConditionProgramTable } from './cel-context.ts';
import { compileRules } from './compile.ts';
import { listRuleShapeErrors, type PricingRule } from './pricing-rule.ts';

function rule(partial: Partial<PricingRule> & Pick<PricingRule, 'id'>): PricingRule {
  return {
    version: 1,
    name: partial.id,
    scope: { product: { kind: 'all' } },
    phase: 'SYSTEM',
    priority: 0,
    action: { type: 'percentDiscount', percent: '5' },
    ...partial,
  };
}

describe('conditions', () => {
  it('reports a syntax error with its line and column', () => {
    const result = compileCondition('customer.region == "east" &&\n  line.quantity >=');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ code: 'unexpected_token', line: 2, column: 19 });
  });

  it('rejects an unknown field at compile time, pointing at it', () => {
    const result = compileCondition('customer.regoin == "east"');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ code: 'no_such_key', message: 'No such key: regoin', line: 1, column: 10 });
    const unknownRoot = compileCondition('account.tier == "gold"');
    expect(unknownRoot.ok).toBe(false);
    if (!unknownRoot.ok) expect(unknownRoot.error).toMatchObject({ code: 'unknown_variable', line: 1, column: 1 });
  });

  it('allows any custom field under customer.custom and opportunity.custom', () => {
    expect(compileCondition('customer.custom.anything == "x" && opportunity.custom.score > 3').ok).toBe(true);
  });

  it('rejects a type error and a non-bool condition', () => {
    const typeError = compileCondition('line.quantity + "x" == 1');
    expect(typeError.ok).toBe(false);
    const notBool = compileCondition('line.quantity + 1');
    expect(notBool.ok).toBe(false);
    if (!notBool.ok) expect(notBool.error.code).toBe('condition_not_bool');
  });

  it('splits conjuncts by the context they read and shares identical ones', () => {
    const table = new ConditionProgramTable();
    const a = compileCondition('customer.region == "east" && line.product.kind == "service" && line.quantity >= 10', table);
    const b = compileCondition('customer.region  ==  "east" && line.quantity < 3', table);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.condition.quoteParts.map((p) => p.source)).toEqual(['customer.region == "east"']);
    expect(a.condition.productParts.map((p) => p.source)).toEqual(['line.product.kind == "service"']);
    expect(a.condition.linePart).not.toBeNull();
    expect(b.condition.quoteParts[0]).toBe(a.condition.quoteParts[0]);
    expect(a.condition.quantityBounds).toEqual({ min: 10, max: Number.POSITIVE_INFINITY });
    expect(b.condition.quantityBounds).toEqual({ min: 0, max: 2 });
  });

  it('collects literal keys of quote.qtyByGroup so quotes can report 0 for them', () => {
    const result = compileCondition('quote.qtyByGroup["servers"] >= 10 || quote.qtyByProduct["P1"] > 0');
    expect(result.ok && result.condition.qtyGroupKeys).toEqual(['servers']);
    expect(result.ok && result.condition.qtyProductKeys).toEqual(['P1']);
  });
});

describe('rule validation', () => {
  it('validates tier tables: non-empty, ascending, from 1, amounts in valid currencies', () => {
    const codes = (action: PricingRule['action']) => listRuleShapeErrors(rule({ id: 'T', action })).map((e) => e.code);
    expect(codes({ type: 'tiers', basis: 'quantity', mode: 'range', valueKind: 'price', bands: [] })).toEqual(['empty_tiers']);
    expect(
      codes({ type: 'tiers', basis: 'quantity', mode: 'range', valueKind: 'price', bands: [{ fromQty: 0, amounts: { CNY: '1' } }] }),
    ).toEqual(['invalid_band_start']);
    expect(
      codes({
        type: 'tiers',
        basis: 'quantity',
        mode: 'slab',
        valueKind: 'price',
        bands: [
          { fromQty: 1, amounts: { CNY: '10' } },
          { fromQty: 10, amounts: { CNY: '9' } },
          { fromQty: 10, amounts: { CNY: '8' } },
        ],
      }),
    ).toEqual(['bands_not_ascending']);
    expect(
      codes({ type: 'tiers', basis: 'quantity', mode: 'range', valueKind: 'price', bands: [{ fromQty: 1, amounts: { XXX: '1' } as never }] }),
    ).toEqual(['invalid_currency']);
    expect(
      codes({
        type: 'tiers',
        basis: 'quantity',
        mode: 'range',
        valueKind: 'amount',
        bands: [
          { fromQty: 1, amounts: { CNY: '1' } },
          { fromQty: 5, amounts: { CNY: '2', USD: '1' } },
        ],
      }),
    ).toEqual(['band_currencies_differ']);
    expect(codes({ type: 'tiers', basis: 'quantity', mode: 'block', valueKind: 'percent', bands: [{ fromQty: 1, percent: '5' }] })).toEqual([
      'invalid_tier_mode',
    ]);
    expect(codes({ type: 'tiers', basis: 'termMonths', mode: 'slab', valueKind: 'percent', bands: [{ fromQty: 12, percent: '5' }] })).toEqual([
      'invalid_tier_mode',
    ]);
  });

  it('validates dates, percents and amounts', () => {
    expect(listRuleShapeErrors(rule({ id: 'D', validFrom: '2025-02-30' })).map((e) => e.code)).toEqual(['invalid_date']);
    expect(listRuleShapeErrors(rule({ id: 'D', validFrom: '2025-03-01', validTo: '2025-02-01' })).map((e) => e.code)).toEqual(['empty_validity']);
    expect(listRuleShapeErrors(rule({ id: 'P', action: { type: 'percentDiscount', percent: '120' } })).map((e) => e.code)).toEqual(['invalid_percent']);
    expect(listRuleShapeErrors(rule({ id: 'A', action: { type: 'setPrice', amounts: { CNY: '1e3' } } })).map((e) => e.code)).toEqual(['invalid_amount']);
  });
});

describe('compileRules', () => {
  it('returns errors with rule id and position instead of throwing, and leaves bad rules out', () => {
    const set = compileRules([
      rule({ id: 'OK' }),
      rule({ id: 'BAD', condition: 'customer.region ==\n"east" && line.qty > 1' }),
      rule({ id: 'ALSO-BAD', action: { type: 'percentDiscount', percent: 'ten' } }),
    ]);
    expect(set.size).toBe(1);
    expect(set.errors).toEqual([
      { ruleId: 'ALSO-BAD', field: 'action', code: 'invalid_percent', message: expect.any(String), path: 'action.percent' },
      { ruleId: 'BAD', field: 'condition', code: 'no_such_key', message: 'No such key: qty', line: 2, column: 16 },
    ]);
  });

  it('keeps the highest version of a duplicated id; a tie keeps none', () => {
    const set = compileRules([rule({ id: 'R', version: 1 }), rule({ id: 'R', version: 3 }), rule({ id: 'T' }), rule({ id: 'T' })]);
    expect(set.getRule('R')?.version).toBe(3);
    expect(set.getRule('T')).toBeUndefined();
    expect(set.errors.map((e) => e.code)).toEqual(['duplicate_rule_id']);
  });

  it('indexes by product-scope key then customer-scope key', () => {
    const set = compileRules([
      rule({ id: 'A', scope: { product: { kind: 'product', productId: 'P1' } } }),
      rule({ id: 'B', scope: { product: { kind: 'group', groupId: 'g' }, customer: { kind: 'customerGroup', groupId: 'cg' } } }),
      rule({ id: 'C', scope: { product: { kind: 'all' }, customer: { kind: 'account', accountId: 'ACME' } } }),
    ]);
    expect(set.getBuckets('p:P1')?.get('*')?.map((r) => r.id)).toEqual(['A']);
    expect(set.getBuckets('g:g')?.get('c:cg')?.map((r) => r.id)).toEqual(['B']);
    expect(set.getBuckets('*')?.get('a:ACME')?.map((r) => r.id)).toEqual(['C']);
  });

  it('upsertRule/removeRule re-index only the rule they touch; a failing upsert changes nothing', () => {
    const set = compileRules([rule({ id: 'A', priority: 1 }), rule({ id: 'B', priority: 2 })]);
    const before = set.revision;
    const untouched = set.getBuckets('*')?.get('*');
    expect(set.upsertRule(rule({ id: 'A', priority: 3, version: 2 }))).toEqual([]);
    expect(set.getBuckets('*')?.get('*')).toBe(untouched);
    expect(untouched?.map((r) => r.id)).toEqual(['A', 'B']);
    expect(set.upsertRule(rule({ id: 'A', scope: { product: { kind: 'product', productId: 'P9' } } }))).toEqual([]);
    expect(set.getBuckets('p:P9')?.get('*')?.map((r) => r.id)).toEqual(['A']);
    expect(untouched?.map((r) => r.id)).toEqual(['B']);
    const errors = set.upsertRule(rule({ id: 'A', condition: 'nope(' }));
    expect(errors[0]).toMatchObject({ ruleId: 'A', field: 'condition' });
    expect(set.getRule('A')?.rule.scope.product).toEqual({ kind: 'product', productId: 'P9' });
    expect(set.removeRule('A')).toBe(true);
    expect(set.getBuckets('p:P9')).toBeUndefined();
    expect(set.removeRule('A')).toBe(false);
    expect(set.revision).toBeGreaterThan(before);
  });

  it('keeps the by-id buckets of a product key in step with its entries when a customer scope empties', () => {
    const grouped = rule({ id: 'G', scope: { product: { kind: 'all' }, customer: { kind: 'customerGroup', groupId: 'g1' } } });
    const set = compileRules([rule({ id: 'A' }), grouped]);
    const byId = () => set.getBucketEntries('*')![0]!.bucketsById;
    const g1 = set.getCustomerKeyId('c:g1');
    expect(byId().get(g1)?.map((r) => r.id)).toEqual(['G']);
    expect(set.getBucketEntries('*')!.map((e) => e.customerKey)).toEqual(['*', 'c:g1']);
    expect(set.removeRule('G')).toBe(true);
    expect(byId().has(g1)).toBe(false);
    expect(set.getBucketEntries('*')!.map((e) => e.customerKey)).toEqual(['*']);
    expect(set.upsertRule(grouped)).toEqual([]);
    expect(byId().get(g1)?.map((r) => r.id)).toEqual(['G']);
  });

  it('gives the same set whatever the input order', () => {
    const base = [
      rule({ id: 'A', priority: 1 }),
      rule({ id: 'B', priority: 1, version: 2 }),
      rule({ id: 'C', priority: 1, createdAt: '2025-01-02T00:00:00Z' }),
      rule({ id: 'D', priority: 1, createdAt: '2025-01-01T00:00:00Z' }),
      rule({ id: 'E', condition: 'x' }),
    ];
    fc.assert(
      fc.property(fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }), (shuffled) => {
        const set = compileRules(shuffled);
        expect(set.getBuckets('*')?.get('*')?.map((r) => r.id)).toEqual(['B', 'C', 'D', 'A']);
        expect(set.errors.map((e) => e.ruleId)).toEqual(['E']);
      }),
    );
  });
});
