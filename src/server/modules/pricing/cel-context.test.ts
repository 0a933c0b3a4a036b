import { describe, expect, it } from 'vitest';
import {
  CEL_CONTEXT_FIELDS,
  CelCustomer,
  CelLine,
  CelOpportunity,
  CelProduct,
  CelQuote,
  compileCondition,
  evaluateConditionPart,
  toCelValue,
  type PricingActivation,
} from './cel-context.ts';

const activation: PricingActivation = {
  customer: new CelCustomer('ACME', 'vip', ['vip', 'all'], 'enterprise', 'east', { tier: 'gold', seats: 5n }),
  opportunity: new CelOpportunity('O1', 'proposal', 'renewal', 'web', {}),
  quote: new CelQuote('Q1', '2025-03-01', 12n, 'CNY', new Map([['hw', 10n]]), new Map(), 2n),
  line: new CelLine(7n, 12n, new CelProduct('P1', 'SKU-1', 'servers', ['servers', 'hw'], 'goods')),
};

function run(source: string) {
  const compiled = compileCondition(source);
  if (!compiled.ok) throw new Error(compiled.error.message);
  const c = compiled.condition;
  // The engine's evaluation order: quote parts, product parts, line part.
  const parts = [...c.quoteParts.map((p) => p.program), ...c.productParts.map((p) => p.program), ...(c.linePart ? [c.linePart] : [])];
  return parts.map((p) => evaluateConditionPart(p, activation));
}

describe('CEL context', () => {
  it('evaluates the documented fields', () => {
    expect(run('customer.region == "east" && "hw" in line.product.groupAncestors && line.quantity >= 7')).toEqual([true, true, true]);
    expect(run('quote.date >= "2025-01-01" && quote.qtyByGroup["hw"] == 10 && customer.custom.seats > 3 && opportunity.kind == "renewal"')).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it('returns failures as values, never throws', () => {
    expect(run('customer.custom.missing == 1')).toEqual([{ code: 'no_such_key', message: 'No such key: missing' }]);
    const dyn = run('customer.custom.tier');
    expect(dyn[0]).toMatchObject({ code: 'not_bool' });
  });

  it('documents every top-level field it type-checks', () => {
    for (const field of CEL_CONTEXT_FIELDS) {
      const path = field.path.replace('.*', '.x').replace('["<groupId>"]', '["g"]').replace('["<productId>"]', '["p"]');
      expect({ path, ok: compileCondition(`has(${path.replace(/\[.*\]$/, '')}) || true`).ok }).toEqual({ path, ok: true });
    }
  });

  it('turns JSON custom values into CEL values: integers become ints', () => {
    expect(toCelValue({ a: 3, b: 1.5, c: ['x', 2], d: { e: 4 } })).toEqual({ a: 3n, b: 1.5, c: ['x', 2n], d: { e: 4n } });
  });
});
