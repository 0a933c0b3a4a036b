import { describe, expect, it } from 'vitest';
import { createCatalogIndex } from './catalog.ts';
import { compileCondition, findUndefinedCustomFields, getPricingCelEnvironment, findCustomFieldReferences } from './cel-context.ts';
import { compileRules } from './compile.ts';
import { computeQuotePricing, getRuleOutcome } from './engine.ts';
import type { PricingRule } from './pricing-rule.ts';
import type { PricingRequest } from './pricing-types.ts';

/**
 * Rules conditioned on CRM custom fields: the values arrive as the CRM stores them (custom-fields.ts:
 * numbers as JSON numbers, money as {amount, currency} with a decimal-string amount, multi-selects
 * as arrays) and are read as `customer.custom.<key>` / `opportunity.custom.<key>`.
 */

const catalog = createCatalogIndex({ groups: [{ id: 'hw' }], products: [{ id: 'SRV', sku: 'SRV-1', groupId: 'hw', kind: 'goods' }] });

function rule(id: string, condition: string): PricingRule {
  return { id, version: 1, name: id, scope: { product: { kind: 'all' } }, phase: 'SYSTEM', priority: 0, condition, action: { type: 'percentDiscount', percent: '10' } };
}

function priceWith(condition: string, customer: Record<string, unknown>, opportunity: Record<string, unknown> = {}) {
  const set = compileRules([rule('CF', condition)]);
  expect(set.errors).toEqual([]);
  const request: PricingRequest = {
    customer: { id: 'ACME', custom: customer },
    opportunity: { id: 'O1', custom: opportunity },
    quote: { currency: 'CNY', pricingDate: '2026-03-01' },
    priceBook: { id: 'PB', currency: 'CNY', prices: { SRV: '100.00' } },
    lines: [{ id: 'L', productId: 'SRV', quantity: 1 }],
  };
  const result = computeQuotePricing(set, catalog, request);
  return { outcome: getRuleOutcome(result, set, 'L', 'CF'), net: result.lines[0]!.net.toFixedString() };
}

describe('custom fields in rule conditions', () => {
  it('applies a rule on customer.custom.<key> when the account has the value, skips it otherwise', () => {
    const condition = 'has(customer.custom.segment) && customer.custom.segment == "bank"';
    // 100.00 − 10 % = 90.00
    expect(priceWith(condition, { segment: 'bank' })).toMatchObject({ outcome: { type: 'applied' }, net: '90.00' });
    expect(priceWith(condition, { segment: 'insurer' })).toMatchObject({ outcome: { type: 'skipped', reason: 'condition_false' }, net: '100.00' });
    // An account without the field: has() guards it, so the rule is skipped, not an evaluation error.
    expect(priceWith(condition, {})).toMatchObject({ outcome: { type: 'skipped', reason: 'condition_false' }, net: '100.00' });
  });

  it('reads numbers, money, multi-selects and opportunity fields as the CRM stores them', () => {
    expect(priceWith('customer.custom.employees >= 1000', { employees: 1200 }).outcome).toMatchObject({ type: 'applied' });
    expect(priceWith('customer.custom.employees >= 1000', { employees: 999 }).outcome).toMatchObject({ type: 'skipped' });
    const budget = 'double(customer.custom.budget.amount) > 500000.0 && customer.custom.budget.currency == "CNY"';
    expect(priceWith(budget, { budget: { amount: '1000000.50', currency: 'CNY' } }).outcome).toMatchObject({ type: 'applied' });
    expect(priceWith(budget, { budget: { amount: '100.00', currency: 'CNY' } }).outcome).toMatchObject({ type: 'skipped' });
    expect(priceWith('"gov" in customer.custom.labels', { labels: ['edu', 'gov'] }).outcome).toMatchObject({ type: 'applied' });
    expect(priceWith('opportunity.custom.deal_type == "renewal"', {}, { deal_type: 'renewal' }).outcome).toMatchObject({ type: 'applied' });
    expect(priceWith('opportunity.custom.deal_type == "renewal"', {}, { deal_type: 'new' }).outcome).toMatchObject({ type: 'skipped' });
  });

  it('finds the custom fields a condition reads, so a rule on an undefined field is refused when saved', () => {
    const source = 'has(customer.custom.segment) && customer.custom["tier"] == "a" && "x" in opportunity.custom.tags && customer.region == "east"';
    expect(compileCondition(source).ok).toBe(true);
    expect(findCustomFieldReferences(getPricingCelEnvironment().parse(source))).toEqual([
      { target: 'customer', key: 'segment' },
      { target: 'customer', key: 'tier' },
      { target: 'opportunity', key: 'tags' },
    ]);
    const defined = { customer: new Set(['segment', 'tier']), opportunity: new Set<string>() };
    expect(findUndefinedCustomFields(source, defined)).toEqual([{ target: 'opportunity', key: 'tags' }]);
    expect(findUndefinedCustomFields('customer.region == "east"', defined)).toEqual([]);
  });
});
