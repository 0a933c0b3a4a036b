import { describe, expect, it } from 'vitest';
import type { RuleVersion } from '../../../../server/modules/pricing/contract.ts';
import { mapProblemToFields } from '../catalog/problem-fields.ts';
import { newRuleDefaults, ruleFieldOf, toRuleDefinition, toRuleFormValues } from './rule-form-values.ts';

const version = (definition: RuleVersion['definition']): Pick<RuleVersion, 'name' | 'definition'> => ({ name: '云订阅批量折扣', definition });

describe('rule definition ↔ editor', () => {
  it('round-trips a tier table with amounts per currency', () => {
    const definition: RuleVersion['definition'] = {
      scope: { product: { kind: 'group', groupId: 'g-cloud' }, customer: { kind: 'account', accountId: 'a1' } },
      condition: 'quote.termMonths >= 24',
      action: {
        type: 'tiers',
        basis: 'quantity',
        mode: 'slab',
        valueKind: 'price',
        bands: [
          { fromQty: 1, amounts: { CNY: '1200', USD: '170' } },
          { fromQty: 100, amounts: { CNY: '1100', USD: '155' } },
        ],
      },
      phase: 'SYSTEM',
      priority: 30,
      combine: 'compound',
      validFrom: '2026-01-01',
    };
    const values = toRuleFormValues('VOL-CLOUD', version(definition));
    expect(values.tierCurrencies).toEqual(['CNY', 'USD']);
    expect(values.productScope).toBe('group');
    expect(toRuleDefinition(values)).toEqual(definition);
  });

  it('round-trips every simple action type', () => {
    const actions: RuleVersion['definition']['action'][] = [
      { type: 'percentDiscount', percent: '8' },
      { type: 'setPrice', amounts: { CNY: '99' } },
      { type: 'amountDiscount', amounts: { CNY: '200', USD: '30' } },
      { type: 'floor', minMarginPercent: '12' },
      { type: 'floor', amounts: { CNY: '500' }, minMarginPercent: '10' },
      { type: 'ceiling', amounts: { USD: '10' } },
      { type: 'bundlePrice', amounts: { CNY: '120000' } },
      { type: 'freeItem', productId: 'p9', quantity: 1, perQuantity: 10 },
    ];
    for (const action of actions) {
      const definition: RuleVersion['definition'] = { scope: { product: { kind: 'all' } }, action, phase: 'BASE', priority: -5, combine: 'exclusive' };
      expect(toRuleDefinition(toRuleFormValues('R', version(definition)))).toEqual(definition);
    }
  });

  it('sends only the chosen action, a percent tier without amounts, and no blank condition', () => {
    const values = { ...newRuleDefaults(), code: 'X', name: 'X', condition: '  \n', actionType: 'tiers' as const, bands: [{ fromQty: 10, percent: ' 5 ', amounts: { CNY: '1' } }] };
    const definition = toRuleDefinition(values);
    expect(definition.condition).toBeUndefined();
    expect(definition.action).toEqual({ type: 'tiers', basis: 'quantity', mode: 'range', valueKind: 'percent', bands: [{ fromQty: 10, percent: '5' }] });
    expect(definition.scope).toEqual({ product: { kind: 'all' } });
  });
});

describe('ruleFieldOf', () => {
  it('maps the server paths of a 422 onto the editor', () => {
    const { fields, unmatched } = mapProblemToFields(
      [
        { path: 'definition.condition', message: 'line 1, column 10: Unknown field' },
        { path: 'definition.action.bands.2.fromQty', message: 'must ascend' },
        { path: 'definition.action.bands.0.amounts.USD', message: 'bad amount' },
        { path: 'definition.scope.product.productId', message: 'unknown' },
        { path: 'definition.validTo', message: 'before start' },
        { path: 'code', message: 'taken' },
        { path: 'version', message: '?' },
      ],
      ruleFieldOf,
    );
    expect(fields.map((f) => f.name)).toEqual(['condition', ['bands', 2, 'fromQty'], ['bands', 0, 'amounts', 'USD'], 'productId', 'validTo', 'code']);
    expect(unmatched.map((e) => e.path)).toEqual(['version']);
  });
});
