import { describe, expect, it } from 'vitest';
import { analyzeRules, formatRuleFinding } from './analyze.ts';
import { createCatalogIndex } from './catalog.ts';
import { compileRules } from './compile.ts';
import type { PricingRule } from './pricing-rule.ts';

const catalog = createCatalogIndex({
  groups: [{ id: 'hw' }, { id: 'servers', parentId: 'hw' }],
  products: [
    { id: 'X', sku: 'X', groupId: 'servers', kind: 'goods' },
    { id: 'Y', sku: 'Y', groupId: 'servers', kind: 'goods' },
  ],
});

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

const onGroup = (id: string, extra: Partial<PricingRule> = {}) => rule({ id, scope: { product: { kind: 'group', groupId: 'hw' } }, ...extra });
const onProduct = (id: string, productId: string, extra: Partial<PricingRule> = {}) => rule({ id, scope: { product: { kind: 'product', productId } }, ...extra });

describe('analyzeRules', () => {
  it('finds a rule outranked everywhere by an unconditional exclusive rule with higher priority in a broader scope', () => {
    const set = compileRules([onProduct('R7', 'X', { priority: 1 }), onGroup('R3', { priority: 5 })]);
    const findings = analyzeRules(set, catalog);
    expect(findings).toContainEqual({ code: 'never_applies', severity: 'warning', ruleId: 'R7', byRuleId: 'R3', because: 'higher_priority', isUnconditional: true });
    expect(formatRuleFinding(findings[0]!)).toBe('R7 can never apply: R3 (exclusive, higher priority, unconditional) outranks it');
    expect(formatRuleFinding(findings[0]!, 'zh')).toContain('永远不会生效');
    // Without the catalog the group ancestry of X is unknown, so nothing is claimed.
    expect(analyzeRules(set).filter((f) => f.code === 'never_applies')).toEqual([]);
  });

  it('finds a broad rule that can never apply to one product: a more specific unconditional rule of equal priority', () => {
    const set = compileRules([onGroup('R7'), onProduct('R3', 'X'), onProduct('R4', 'Y', { priority: 2 }), onProduct('LOW', 'Y', { priority: -1 })]);
    const findings = analyzeRules(set, catalog).filter((f) => f.code === 'never_applies_within');
    expect(findings).toEqual([
      {
        code: 'never_applies_within',
        severity: 'info',
        ruleId: 'R7',
        scopes: [
          { within: { kind: 'product', productId: 'X' }, byRuleId: 'R3', because: 'more_specific', isUnconditional: true },
          { within: { kind: 'product', productId: 'Y' }, byRuleId: 'R4', because: 'higher_priority', isUnconditional: true },
        ],
      },
    ]);
    expect(formatRuleFinding(findings[0]!)).toBe(
      'R7 can never apply to product X: R3 (exclusive, more specific scope, unconditional) outranks it; and 1 more such scope',
    );
  });

  it('same scope and priority: the newer version shadows the older', () => {
    const set = compileRules([onGroup('OLD', { version: 1 }), onGroup('NEW', { version: 2 })]);
    expect(analyzeRules(set)).toContainEqual(expect.objectContaining({ code: 'never_applies', ruleId: 'OLD', byRuleId: 'NEW', because: 'newer' }));
  });

  it('an identical condition shadows like no condition; a different one does not', () => {
    const same = compileRules([
      onGroup('LOW', { condition: 'customer.region == "east"' }),
      onGroup('HIGH', { priority: 9, condition: 'customer.region  ==  "east"' }),
    ]);
    expect(analyzeRules(same)).toContainEqual(expect.objectContaining({ code: 'never_applies', ruleId: 'LOW', isUnconditional: false }));
    const different = compileRules([onGroup('LOW'), onGroup('HIGH', { priority: 9, condition: 'customer.region == "east"' })]);
    expect(analyzeRules(different).filter((f) => f.code === 'never_applies')).toEqual([]);
  });

  it('does not claim shadowing by non-exclusive rules, other phases, or rules missing a currency', () => {
    const set = compileRules([
      onGroup('R', { action: { type: 'amountDiscount', amounts: { CNY: '1', USD: '1' } } }),
      onGroup('ADD', { priority: 9, combine: 'additive' }),
      onGroup('CHAN', { priority: 9, phase: 'CHANNEL' }),
      onGroup('CNY', { priority: 9, action: { type: 'setPrice', amounts: { CNY: '1' } } }),
    ]);
    expect(analyzeRules(set).filter((f) => f.code === 'never_applies' && f.ruleId === 'R')).toEqual([]);
  });

  it('reports a partial shadow when validity windows only overlap', () => {
    const set = compileRules([
      onGroup('LOW', { validFrom: '2025-01-01', validTo: '2025-12-31' }),
      onGroup('PROMO', { priority: 9, validFrom: '2025-06-01', validTo: '2025-06-30' }),
      onGroup('LATER', { priority: 9, validFrom: '2026-01-01' }),
    ]);
    const findings = analyzeRules(set).filter((f) => f.ruleId === 'LOW');
    expect(findings).toEqual([{ code: 'partially_shadowed', severity: 'info', ruleId: 'LOW', byRuleId: 'PROMO', from: '2025-06-01', to: '2025-06-30' }]);
  });

  it('finds expired rules, unreachable bands and unknown scope targets', () => {
    const set = compileRules([
      rule({ id: 'OLD', validTo: '2024-12-31' }),
      rule({
        id: 'TIER',
        condition: 'line.quantity < 40 && line.quantity >= 20',
        action: {
          type: 'tiers',
          basis: 'quantity',
          mode: 'range',
          valueKind: 'percent',
          bands: [
            { fromQty: 1, percent: '1' },
            { fromQty: 10, percent: '2' },
            { fromQty: 30, percent: '3' },
            { fromQty: 50, percent: '4' },
          ],
        },
      }),
      onProduct('GHOST', 'NOPE'),
      rule({ id: 'GIFT', action: { type: 'freeItem', productId: 'NOPE', quantity: 1 } }),
    ]);
    const findings = analyzeRules(set, catalog, { asOfDate: '2025-06-01' });
    expect(findings).toContainEqual({ code: 'expired', severity: 'info', ruleId: 'OLD', validTo: '2024-12-31' });
    expect(findings.filter((f) => f.code === 'unreachable_band').map((f) => (f.code === 'unreachable_band' ? [f.bandIndex, f.reason] : null))).toEqual([
      [0, 'below_condition_min'],
      [3, 'above_condition_max'],
    ]);
    expect(findings).toContainEqual({ code: 'unknown_scope_target', severity: 'warning', ruleId: 'GHOST', target: 'product NOPE' });
    expect(findings).toContainEqual({ code: 'unknown_free_product', severity: 'warning', ruleId: 'GIFT', productId: 'NOPE' });
  });

  it('uses the customer group tree to see that a rule for a parent group covers a subgroup', () => {
    const rules = [
      rule({ id: 'SUB', scope: { product: { kind: 'all' }, customer: { kind: 'customerGroup', groupId: 'east-smb' } } }),
      rule({ id: 'PARENT', priority: 3, scope: { product: { kind: 'all' }, customer: { kind: 'customerGroup', groupId: 'east' } } }),
    ];
    expect(analyzeRules(compileRules(rules)).filter((f) => f.code === 'never_applies')).toEqual([]);
    const withTree = analyzeRules(compileRules(rules), undefined, { customerGroups: [{ id: 'east' }, { id: 'east-smb', parentId: 'east' }] });
    expect(withTree).toContainEqual(expect.objectContaining({ code: 'never_applies', ruleId: 'SUB', byRuleId: 'PARENT' }));
  });
});
