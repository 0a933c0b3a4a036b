import { describe, expect, it } from 'vitest';
import { createCatalogIndex, type CatalogInput } from './catalog.ts';
import { compileRules } from './compile.ts';
import { computeQuotePricing, getLocalPricingDate, getRuleOutcome } from './engine.ts';
import { formatExplanationStep, listExplanationSteps, type ExplanationStep } from './explanation.ts';
import type { PricedLine } from './priced-line.ts';
import type { PricingRule } from './pricing-rule.ts';
import type { PriceBookInput, PricingLineInput, PricingRequest } from './pricing-types.ts';

const CATALOG: CatalogInput = {
  groups: [{ id: 'hw' }, { id: 'servers', parentId: 'hw' }, { id: 'storage', parentId: 'hw' }, { id: 'svc' }],
  products: [
    { id: 'SRV', sku: 'SRV-1', groupId: 'servers', kind: 'goods', taxPercent: '13', cost: { CNY: '60' } },
    { id: 'SRV-XL', sku: 'SRV-1-XL', groupId: 'servers', kind: 'goods', parentProductId: 'SRV', taxPercent: '13' },
    { id: 'DISK', sku: 'DSK-1', groupId: 'storage', kind: 'goods', taxPercent: '13', cost: { CNY: '20' } },
    { id: 'FLOORED', sku: 'FLR', groupId: 'servers', kind: 'goods', floorPrice: { CNY: '80' }, ceilingPrice: { CNY: '120' } },
    { id: 'MARGIN', sku: 'MRG', groupId: 'servers', kind: 'goods', cost: { CNY: '60' }, minMarginPercent: '25' },
    { id: 'CARE', sku: 'CARE-1', groupId: 'svc', kind: 'service', taxPercent: '6', cost: { CNY: '10' } },
    { id: 'ODD', sku: 'ODD', groupId: 'svc', kind: 'service' },
    { id: 'USD-ONLY', sku: 'USD', groupId: 'hw', kind: 'goods' },
    { id: 'CABLE', sku: 'CBL', groupId: 'hw', kind: 'goods', cost: { CNY: '1' } },
    {
      id: 'KIT',
      sku: 'KIT',
      groupId: 'hw',
      kind: 'goods',
      taxPercent: '13',
      bundle: { pricing: 'fixed', components: [{ productId: 'SRV', quantity: 1 }, { productId: 'DISK', quantity: 2 }, { productId: 'CABLE', quantity: 1, isBundled: true }] },
    },
    {
      id: 'COMBO',
      sku: 'COMBO',
      groupId: 'hw',
      kind: 'goods',
      bundle: { pricing: 'components', components: [{ productId: 'SRV', quantity: 1 }, { productId: 'ODD', quantity: 3 }] },
    },
  ],
};
const catalog = createCatalogIndex(CATALOG);

const PRICES: Record<string, string> = {
  SRV: '100.00',
  'SRV-XL': '150.00',
  DISK: '200.00',
  FLOORED: '100.00',
  MARGIN: '100.00',
  CARE: '50.00',
  ODD: '33.335',
  CABLE: '5.00',
  KIT: '1000.00',
  COMBO: '999.00',
};

function rule(partial: Partial<PricingRule> & Pick<PricingRule, 'id' | 'action'>): PricingRule {
  return { version: 1, name: partial.id, scope: { product: { kind: 'all' } }, phase: 'SYSTEM', priority: 0, ...partial };
}

function request(lines: PricingLineInput[], overrides: Partial<PricingRequest> = {}): PricingRequest {
  return {
    customer: { id: 'ACME', region: 'east', kind: 'enterprise', groupAncestors: ['vip', 'all-customers'], custom: { tier: 'gold' } },
    quote: { currency: 'CNY', pricingDate: '2025-03-01' },
    priceBook: { id: 'PB', currency: 'CNY', prices: PRICES },
    lines,
    ...overrides,
  };
}

function price(rules: PricingRule[], lines: PricingLineInput[], overrides: Partial<PricingRequest> = {}) {
  const ruleSet = compileRules(rules);
  expect(ruleSet.errors).toEqual([]);
  return computeQuotePricing(ruleSet, catalog, request(lines, overrides));
}

function line(result: { lines: PricedLine[] }, id: string): PricedLine {
  const found = result.lines.find((l) => l.lineId === id);
  if (!found) throw new Error(`no line ${id}`);
  return found;
}

function outcomes(l: PricedLine): string[] {
  return listExplanationSteps(l.explanation)
    .filter((s): s is Extract<ExplanationStep, { ruleId: string }> => 'ruleId' in s)
    .map((s) => `${s.ruleId}:${s.type}${s.type === 'skipped' ? `:${s.reason}` : s.type === 'shadowed' ? `:${s.by}` : ''}`);
}

const TABLE = [
  { fromQty: 1, amounts: { CNY: '100' } },
  { fromQty: 11, amounts: { CNY: '90' } },
  { fromQty: 51, amounts: { CNY: '80' } },
];

describe('tier modes on the same table (bands 1–10 @100, 11–50 @90, 51+ @80), quantity 60', () => {
  const tierRule = (mode: 'range' | 'slab' | 'block', bands = TABLE) =>
    rule({ id: `T-${mode}`, phase: 'BASE', action: { type: 'tiers', basis: 'quantity', mode, valueKind: 'price', bands } });

  it('slab: 10×100 + 40×90 + 10×80 = 5,400 (unit 90)', () => {
    const l = line(price([tierRule('slab')], [{ id: 'L', productId: 'SRV', quantity: 60 }]), 'L');
    expect(l.net.toFixedString()).toBe('5400.00');
    expect(l.netUnit.toFixed()).toBe('90');
  });

  it('range: all 60 at the band reached, 60×80 = 4,800', () => {
    const l = line(price([tierRule('range')], [{ id: 'L', productId: 'SRV', quantity: 60 }]), 'L');
    expect(l.net.toFixedString()).toBe('4800.00');
  });

  it('block: the flat price of the band reached (51+ → 5,000 for the line)', () => {
    const blocks = [
      { fromQty: 1, amounts: { CNY: '1000' } },
      { fromQty: 11, amounts: { CNY: '4000' } },
      { fromQty: 51, amounts: { CNY: '5000' } },
    ];
    const l = line(price([tierRule('block', blocks)], [{ id: 'L', productId: 'SRV', quantity: 60 }]), 'L');
    // 5000 / 60 = 83.333… per unit, unrounded; the line is exactly 5,000.
    expect(l.net.toFixedString()).toBe('5000.00');
  });

  it('percent slab: 10 units at 0 %, 40 at 10 %, 10 at 20 % off 100 → 10×100 + 40×90 + 10×80 = 5,400', () => {
    const r = rule({
      id: 'TP',
      action: {
        type: 'tiers',
        basis: 'quantity',
        mode: 'slab',
        valueKind: 'percent',
        bands: [
          { fromQty: 1, percent: '0' },
          { fromQty: 11, percent: '10' },
          { fromQty: 51, percent: '20' },
        ],
      },
    });
    expect(line(price([r], [{ id: 'L', productId: 'SRV', quantity: 60 }]), 'L').net.toFixedString()).toBe('5400.00');
  });

  it('reports a range cliff: 50 units (50×90 = 4,500) cost more than 51 (51×80 = 4,080)', () => {
    const result = price([tierRule('range')], [{ id: 'L', productId: 'SRV', quantity: 50 }]);
    const cliff = result.advisories.find((a) => a.code === 'tier_cliff');
    expect(cliff).toMatchObject({ code: 'tier_cliff', lineId: 'L', ruleId: 'T-range', quantity: 50, atQuantity: 51 });
    if (cliff?.code === 'tier_cliff') {
      expect(cliff.totalNow.toFixedString()).toBe('4500.00');
      expect(cliff.totalThen.toFixedString()).toBe('4080.00');
    }
  });

  it('reports a near threshold: 48 units, 3 more reach the 51+ band', () => {
    const result = price([tierRule('slab')], [{ id: 'L', productId: 'SRV', quantity: 48 }]);
    expect(result.advisories).toContainEqual({ code: 'near_threshold', lineId: 'L', ruleId: 'T-slab', quantity: 48, nextThreshold: 51, unitsToGo: 3 });
  });

  it('skips a table whose first band is not reached (outside band)', () => {
    const from5 = [{ fromQty: 5, amounts: { CNY: '50' } }];
    const l = line(price([tierRule('range', from5)], [{ id: 'L', productId: 'SRV', quantity: 4 }]), 'L');
    expect(outcomes(l)).toContain('T-range:skipped:outside_band');
    expect(l.net.toFixedString()).toBe('400.00');
  });

  it('term discounts by subscription months (range on termMonths, line term over quote term)', () => {
    const term = rule({
      id: 'TERM',
      action: {
        type: 'tiers',
        basis: 'termMonths',
        mode: 'range',
        valueKind: 'percent',
        bands: [
          { fromQty: 12, percent: '5' },
          { fromQty: 36, percent: '15' },
        ],
      },
    });
    const result = price([term], [
      { id: 'A', productId: 'CARE', quantity: 1 },
      { id: 'B', productId: 'CARE', quantity: 1, termMonths: 36 },
      { id: 'C', productId: 'CARE', quantity: 1, termMonths: 6 },
    ], { quote: { currency: 'CNY', pricingDate: '2025-03-01', termMonths: 24 } });
    expect(line(result, 'A').net.toFixedString()).toBe('47.50'); // 24 months → 5 %
    expect(line(result, 'B').net.toFixedString()).toBe('42.50'); // 36 months → 15 %
    expect(line(result, 'C').net.toFixedString()).toBe('50.00'); // 6 months: outside band
  });
});

describe('combine policies inside a phase (list 100)', () => {
  const L = [{ id: 'L', productId: 'SRV', quantity: 1 }];
  const pct = (id: string, percent: string, combine: 'exclusive' | 'additive' | 'compound', priority: number) =>
    rule({ id, priority, combine, action: { type: 'percentDiscount', percent } });

  it('exclusive first: only the top rule applies, the rest are shadowed by it', () => {
    const l = line(price([pct('R1', '10', 'exclusive', 10), pct('R2', '5', 'additive', 5)], L), 'L');
    expect(l.net.toFixedString()).toBe('90.00');
    expect(outcomes(l)).toEqual(['R1:applied', 'R2:shadowed:R1']);
  });

  it('additive: percentages add up, 100 × (1 − (10 % + 5 %)) = 85', () => {
    const l = line(price([pct('R1', '10', 'additive', 10), pct('R2', '5', 'additive', 5)], L), 'L');
    expect(l.net.toFixedString()).toBe('85.00');
    expect(l.explanation.steps.some((s) => s.type === 'combined' && s.total.toFixed() === '0.15')).toBe(true);
  });

  it('compound: one after another, 100 × 0.9 × 0.95 = 85.50', () => {
    const l = line(price([pct('R1', '10', 'compound', 10), pct('R2', '5', 'compound', 5)], L), 'L');
    expect(l.net.toFixedString()).toBe('85.50');
  });

  it('mixed, top non-exclusive: additive group, then compound chain; exclusive below is shadowed', () => {
    // 100 × (1 − 0.10 − 0.05) = 85, then × 0.80 = 68; R4 (exclusive) can never apply alone.
    const rules = [pct('R1', '10', 'additive', 10), pct('R2', '20', 'compound', 8), pct('R3', '5', 'additive', 6), pct('R4', '50', 'exclusive', 4)];
    const l = line(price(rules, L), 'L');
    expect(l.net.toFixedString()).toBe('68.00');
    expect(outcomes(l)).toContain('R4:shadowed:R1');
  });

  it('percent and amount additive rules are summed by type, never into each other: 100 × 0.9 − 5 = 85', () => {
    const amount = rule({ id: 'A1', combine: 'additive', action: { type: 'amountDiscount', amounts: { CNY: '5' } } });
    const l = line(price([pct('R1', '10', 'additive', 10), amount], L), 'L');
    expect(l.net.toFixedString()).toBe('85.00');
  });

  it('ranks by priority, then specificity (variant > product > group > all), then newest, then id', () => {
    const onGroup = rule({ id: 'G', scope: { product: { kind: 'group', groupId: 'servers' } }, action: { type: 'percentDiscount', percent: '10' } });
    const onProduct = rule({ id: 'P', scope: { product: { kind: 'product', productId: 'SRV' } }, action: { type: 'percentDiscount', percent: '20' } });
    const onVariant = rule({ id: 'V', scope: { product: { kind: 'product', productId: 'SRV-XL' } }, action: { type: 'percentDiscount', percent: '30' } });
    const result = price([onGroup, onProduct, onVariant], [
      { id: 'base', productId: 'SRV', quantity: 1 },
      { id: 'variant', productId: 'SRV-XL', quantity: 1 },
    ]);
    expect(outcomes(line(result, 'base'))).toEqual(['P:applied', 'G:shadowed:P']);
    expect(outcomes(line(result, 'variant'))).toEqual(['V:applied', 'P:shadowed:V', 'G:shadowed:V']);
    const newer = { ...onGroup, id: 'G2', version: 2 };
    expect(outcomes(line(price([onGroup, newer], L), 'L'))).toEqual(['G2:applied', 'G:shadowed:G2']);
    const higher = { ...onGroup, id: 'G3', priority: 5 };
    expect(outcomes(line(price([onProduct, higher], L), 'L'))).toEqual(['G3:applied', 'P:shadowed:G3']);
  });

  it('account beats customer group beats all on the customer axis', () => {
    const forAll = rule({ id: 'ALL', action: { type: 'percentDiscount', percent: '1' } });
    const forGroup = rule({ id: 'GRP', scope: { product: { kind: 'all' }, customer: { kind: 'customerGroup', groupId: 'all-customers' } }, action: { type: 'percentDiscount', percent: '2' } });
    const forAccount = rule({ id: 'ACC', scope: { product: { kind: 'all' }, customer: { kind: 'account', accountId: 'ACME' } }, action: { type: 'percentDiscount', percent: '3' } });
    const other = rule({ id: 'OTHER', scope: { product: { kind: 'all' }, customer: { kind: 'account', accountId: 'SOMEONE-ELSE' } }, action: { type: 'percentDiscount', percent: '50' } });
    const l = line(price([forAll, forGroup, forAccount, other], L), 'L');
    expect(outcomes(l)).toEqual(['ACC:applied', 'GRP:shadowed:ACC', 'ALL:shadowed:ACC']);
  });

  it('finds the customer scopes that apply among many under one product key (more scopes than the customer has keys)', () => {
    // ACME's keys: *, its account, vip, all-customers. Twelve other scopes are filed under the same
    // product key, so the engine looks the customer's keys up instead of scanning the scopes.
    const others = Array.from({ length: 12 }, (_, i) =>
      rule({ id: `G${i}`, scope: { product: { kind: 'group', groupId: 'servers' }, customer: { kind: 'customerGroup', groupId: `other-${i}` } }, action: { type: 'percentDiscount', percent: '40' } }),
    );
    const vip = rule({ id: 'VIP', combine: 'additive', scope: { product: { kind: 'group', groupId: 'servers' }, customer: { kind: 'customerGroup', groupId: 'vip' } }, action: { type: 'percentDiscount', percent: '5' } });
    const parent = rule({ id: 'TOP', combine: 'additive', scope: { product: { kind: 'group', groupId: 'servers' }, customer: { kind: 'customerGroup', groupId: 'all-customers' } }, action: { type: 'percentDiscount', percent: '2' } });
    const l = line(price([...others, vip, parent], [{ id: 'L', productId: 'SRV', quantity: 1 }]), 'L');
    expect(outcomes(l)).toEqual(['VIP:applied', 'TOP:applied']);
    expect(l.netUnit.toFixed()).toBe('93');
  });
});

describe('phase waterfall BASE → SYSTEM → MANUAL → CHANNEL', () => {
  it('compounds phase by phase: 200 (base rule over list 100), −10 % = 180, manual −5 % = 171, channel −2 % = 167.58', () => {
    const rules = [
      rule({ id: 'B', phase: 'BASE', action: { type: 'setPrice', amounts: { CNY: '200' } } }),
      rule({ id: 'S', phase: 'SYSTEM', action: { type: 'percentDiscount', percent: '10' } }),
      rule({ id: 'C', phase: 'CHANNEL', action: { type: 'percentDiscount', percent: '2' } }),
    ];
    const l = line(price(rules, [{ id: 'L', productId: 'SRV', quantity: 1, manualDiscountPercent: '5' }]), 'L');
    expect(l.net.toFixedString()).toBe('167.58');
    const kinds = l.explanation.steps.map((s) => (s.type === 'applied' ? `${s.phase}:${s.ruleId}` : s.type));
    expect(kinds).toEqual(['base', 'BASE:B', 'SYSTEM:S', 'manual', 'CHANNEL:C', 'round']);
    // Displayed discount is derived from the line amounts: 1 − 167.58/100 (list is 100, so negative).
    expect(l.discountPercent).toBe('-67.58');
  });

  it('a manual unit price replaces the price at MANUAL; CHANNEL still applies after it', () => {
    const channel = rule({ id: 'C', phase: 'CHANNEL', action: { type: 'percentDiscount', percent: '10' } });
    const l = line(price([channel], [{ id: 'L', productId: 'SRV', quantity: 2, manualUnitPrice: '95' }]), 'L');
    expect(l.net.toFixedString()).toBe('171.00'); // 95 × 0.9 × 2
  });

  it('rejects a manual price and a manual discount together as a line issue', () => {
    const result = price([], [{ id: 'L', productId: 'SRV', quantity: 1, manualUnitPrice: '90', manualDiscountPercent: '5' }]);
    expect(line(result, 'L').status).toBe('error');
    expect(line(result, 'L').issues[0]?.code).toBe('invalid_manual');
    expect(result.hasErrors).toBe(true);
  });

  it('a contracted price (inherited from the parent account) is the base; BASE rules give way', () => {
    const base = rule({ id: 'B', phase: 'BASE', action: { type: 'setPrice', amounts: { CNY: '70' } } });
    const result = price([base], [{ id: 'L', productId: 'SRV', quantity: 1 }], {
      customer: { id: 'ACME-SH', parentAccountIds: ['ACME'] },
      contractPrices: [{ accountId: 'ACME', currency: 'CNY', prices: { SRV: '88.00' } }],
    });
    const l = line(result, 'L');
    expect(l.net.toFixedString()).toBe('88.00');
    expect(l.explanation.steps[0]).toMatchObject({ type: 'base', source: 'contract', accountId: 'ACME', isInherited: true });
    expect(outcomes(l)).toEqual(['B:skipped:contract_price']);
    expect(l.discountPercent).toBe('12.00');
  });
});

describe('floors and ceilings', () => {
  it('clamps a rule result below the floor (100 − 30 % = 70 → 80) and shows the clamp', () => {
    const l = line(price([rule({ id: 'D', action: { type: 'percentDiscount', percent: '30' } })], [{ id: 'L', productId: 'FLOORED', quantity: 1 }]), 'L');
    expect(l.net.toFixedString()).toBe('80.00');
    expect(l.explanation.steps).toContainEqual(expect.objectContaining({ type: 'clamp', bound: 'floor' }));
    expect(l.belowFloor).toBeNull();
  });

  it('flags a manual price below the floor without clamping it; later rules cannot push it lower', () => {
    const channel = rule({ id: 'C', phase: 'CHANNEL', action: { type: 'percentDiscount', percent: '10' } });
    const result = price([channel], [{ id: 'L', productId: 'FLOORED', quantity: 1, manualUnitPrice: '75' }]);
    const l = line(result, 'L');
    expect(l.net.toFixedString()).toBe('75.00');
    expect(l.belowFloor?.floor.toFixed()).toBe('80');
    expect(result.advisories).toContainEqual(expect.objectContaining({ code: 'below_floor', lineId: 'L' }));
  });

  it('a minimum margin over cost is a floor: cost 60 at 25 % margin → 60 / 0.75 = 80', () => {
    const l = line(price([rule({ id: 'D', action: { type: 'percentDiscount', percent: '50' } })], [{ id: 'L', productId: 'MARGIN', quantity: 1 }]), 'L');
    expect(l.net.toFixedString()).toBe('80.00');
  });

  it('floor and ceiling rules: the highest floor and the lowest ceiling win', () => {
    const rules = [
      rule({ id: 'F1', action: { type: 'floor', amounts: { CNY: '85' } } }),
      rule({ id: 'F2', action: { type: 'floor', amounts: { CNY: '90' } } }),
      rule({ id: 'UP', action: { type: 'percentDiscount', percent: '-50' } }),
      rule({ id: 'CEIL', action: { type: 'ceiling', amounts: { CNY: '110' } } }),
    ];
    const l = line(price(rules, [{ id: 'L', productId: 'FLOORED', quantity: 1 }]), 'L');
    expect(l.floor?.toFixed()).toBe('90');
    expect(l.ceiling?.toFixed()).toBe('110');
    expect(l.net.toFixedString()).toBe('110.00'); // 100 × 1.5 = 150 → clamped to 110
  });
});

describe('bundles', () => {
  it('fixed price: bundle discount on the total, allocated to components by largest remainder', () => {
    // KIT 1000 − 10 % = 900, split by component list totals SRV 100 : DISK 2×200 = 100 : 400.
    const r = rule({ id: 'KIT10', scope: { product: { kind: 'product', productId: 'KIT' } }, action: { type: 'percentDiscount', percent: '10' } });
    const result = price([r], [
      { id: 'K', productId: 'KIT', quantity: 1 },
      { id: 'K1', productId: 'SRV', quantity: 1, parentLineId: 'K' },
      { id: 'K2', productId: 'DISK', quantity: 2, parentLineId: 'K' },
      { id: 'K3', productId: 'CABLE', quantity: 5, parentLineId: 'K' },
    ]);
    expect(line(result, 'K').net.toFixedString()).toBe('900.00');
    expect(line(result, 'K').isCounted).toBe(false);
    expect(line(result, 'K1').net.toFixedString()).toBe('180.00');
    expect(line(result, 'K2').net.toFixedString()).toBe('720.00');
    // Bundled option: price 0, quantity fixed by the bundle (1 per kit), whatever was asked.
    expect(line(result, 'K3')).toMatchObject({ role: 'bundledOption', quantity: 1 });
    expect(line(result, 'K3').net.isZero()).toBe(true);
    expect(result.advisories).toContainEqual({ code: 'bundle_quantity_fixed', lineId: 'K3', expected: 1, given: 5 });
    expect(result.totals.net.toFixedString()).toBe('900.00');
  });

  it('sum of components: components priced, bundle discount on the sum, shares sum exactly to the bundle net', () => {
    // SRV 100 (−10 % rule on servers = 90) + ODD 3 × 33.335 = 100.005 → base 190.005; −3 % = 184.30485 → 184.30.
    const rules = [
      rule({ id: 'SRV10', scope: { product: { kind: 'group', groupId: 'servers' } }, action: { type: 'percentDiscount', percent: '10' } }),
      rule({ id: 'COMBO3', scope: { product: { kind: 'product', productId: 'COMBO' } }, action: { type: 'percentDiscount', percent: '3' } }),
    ];
    const result = price(rules, [
      { id: 'C', productId: 'COMBO', quantity: 1 },
      { id: 'C1', productId: 'SRV', quantity: 1, parentLineId: 'C' },
      { id: 'C2', productId: 'ODD', quantity: 3, parentLineId: 'C' },
    ]);
    const header = line(result, 'C');
    expect(header.net.toFixedString()).toBe('184.30');
    expect(outcomes(header)).toEqual(['COMBO3:applied']);
    const shares = [line(result, 'C1').netAmount, line(result, 'C2').netAmount];
    expect(shares[0]!.plus(shares[1]!).toFixed(2)).toBe('184.30');
    expect(result.totals.net.toFixedString()).toBe('184.30');
  });
});

describe('money', () => {
  it('rounds once per line: 3 × 33.335 = 100.005 → 100.01 (not 3 × 33.34 = 100.02)', () => {
    const l = line(price([], [{ id: 'L', productId: 'ODD', quantity: 3 }]), 'L');
    expect(l.netUnit.toFixed()).toBe('33.335');
    expect(l.net.toFixedString()).toBe('100.01');
    expect(l.explanation.steps.at(-1)).toMatchObject({ type: 'round', places: 2 });
  });

  it('keeps a block price spread over the units exact: 99,999.995 for 6 units is 100,000.00, not 99,999.99', () => {
    // 99999.995 / 6 = 16666.66583333… per unit; multiplying a 40-digit quotient back by 6 gives
    // 99999.99499…, which rounds the wrong way. The engine divides once, at the line total.
    const block = (price: string) =>
      rule({ id: 'BLK', phase: 'BASE', action: { type: 'tiers', basis: 'quantity', mode: 'block', valueKind: 'price', bands: [{ fromQty: 1, amounts: { CNY: price } }] } });
    const six = line(price([block('99999.995')], [{ id: 'L', productId: 'SRV', quantity: 6 }]), 'L');
    expect(six.net.toFixedString()).toBe('100000.00');
    expect(six.netUnrounded.toFixed()).toBe('99999.995');
    const withDiscount = line(price([block('7.125'), rule({ id: 'D', action: { type: 'percentDiscount', percent: '0' } })], [{ id: 'L', productId: 'SRV', quantity: 18 }]), 'L');
    expect(withDiscount.net.toFixedString()).toBe('7.13');
  });

  it('taxes each line on its rounded net at its own rate, totals sum rounded lines', () => {
    const result = price([], [
      { id: 'G', productId: 'SRV', quantity: 3 },
      { id: 'S', productId: 'CARE', quantity: 1 },
      { id: 'O', productId: 'ODD', quantity: 1, taxPercent: '6' },
    ]);
    expect(line(result, 'G').tax.toFixedString()).toBe('39.00'); // 300 × 13 %
    expect(line(result, 'S').tax.toFixedString()).toBe('3.00'); // 50 × 6 %
    expect(line(result, 'O').net.toFixedString()).toBe('33.34');
    expect(line(result, 'O').tax.toFixedString()).toBe('2.00'); // 33.34 × 6 % = 2.0004
    expect(result.totals.net.toFixedString()).toBe('383.34');
    expect(result.totals.tax.toFixedString()).toBe('44.00');
    expect(result.totals.grandTotal.toFixedString()).toBe('427.34');
  });

  it('sums very long quotes exactly (5,000 lines)', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => ({ id: `L${i}`, productId: i % 2 ? 'SRV' : 'ODD', quantity: 1 }));
    const result = price([], lines);
    // 2,500 × 100.00 + 2,500 × round(33.335) = 250,000 + 2,500 × 33.34
    expect(result.totals.net.toFixedString()).toBe('333350.00');
  });

  it('totals: amount-weighted discount % and margin', () => {
    const r = rule({ id: 'D', scope: { product: { kind: 'product', productId: 'SRV' } }, action: { type: 'percentDiscount', percent: '20' } });
    const result = price([r], [
      { id: 'A', productId: 'SRV', quantity: 1 },
      { id: 'B', productId: 'DISK', quantity: 1 },
    ]);
    // list 300, net 80 + 200 = 280 → 1 − 280/300 = 6.67 %; cost 60 + 20 = 80 → margin 200 (71.43 %).
    expect(result.totals.discountPercent).toBe('6.67');
    expect(result.totals.margin.toFixedString()).toBe('200.00');
    expect(result.totals.marginPercent).toBe('71.43');
    expect(line(result, 'A').discountPercent).toBe('20.00');
    expect(line(result, 'A').margin?.toFixedString()).toBe('20.00');
  });

  it('converts the base price with the given rate, stores it, and applies rule amounts in the quote currency', () => {
    const cny = rule({ id: 'CNY1', combine: 'additive', action: { type: 'amountDiscount', amounts: { CNY: '1' } } });
    const usd = rule({ id: 'USD1', combine: 'additive', action: { type: 'amountDiscount', amounts: { USD: '1' } } });
    const result = price([cny, usd], [{ id: 'L', productId: 'USD-ONLY', quantity: 2 }], {
      priceBook: { id: 'PB-USD', currency: 'USD', prices: { 'USD-ONLY': '10.00' } },
      exchangeRates: { USD: '7.1' },
    });
    const l = line(result, 'L');
    expect(l.listUnit?.toFixed()).toBe('71');
    expect(l.net.toFixedString()).toBe('140.00'); // (71 − 1) × 2
    expect(l.exchangeRate).toBe('7.1');
    expect(result.exchangeRatesUsed).toEqual({ USD: '7.1' });
    expect(outcomes(l)).toContain('USD1:skipped:currency_missing');
    expect(result.advisories).toContainEqual({ code: 'rule_currency_missing', ruleId: 'USD1', currency: 'CNY' });
  });

  it('a missing exchange rate makes the line an error, not a guess', () => {
    const result = price([], [{ id: 'L', productId: 'USD-ONLY', quantity: 1 }], {
      priceBook: { id: 'PB-USD', currency: 'USD', prices: { 'USD-ONLY': '10.00' } },
    });
    expect(line(result, 'L').issues.map((i) => i.code)).toEqual(['missing_exchange_rate']);
  });

  it('each quote reads its own price book, when quotes of one catalog alternate between books', () => {
    const bookA: PriceBookInput = { id: 'PB-A', currency: 'CNY', prices: { SRV: '100.00' } };
    const bookB: PriceBookInput = { id: 'PB-B', currency: 'CNY', prices: { SRV: '90.00', DISK: '5.00' } };
    const lines = [
      { id: 'S', productId: 'SRV', quantity: 1 },
      { id: 'D', productId: 'DISK', quantity: 1 },
    ];
    const books: [PriceBookInput, string, string | null][] = [
      [bookA, '100', null],
      [bookB, '90', '5'],
      [bookA, '100', null],
      [{ ...bookB, prices: { ...bookB.prices, SRV: '80.00' } }, '80', '5'],
    ];
    for (const [book, srv, disk] of books) {
      const result = price([], lines, { priceBook: book });
      expect(line(result, 'S').listUnit?.toFixed()).toBe(srv);
      const d = line(result, 'D');
      if (disk === null) expect(d.issues.map((i) => i.code)).toEqual(['no_price']);
      else expect(d.listUnit?.toFixed()).toBe(disk);
    }
  });

  it('a product without a price is an error line, priced 0 and counted as 0', () => {
    const result = price([], [{ id: 'L', productId: 'USD-ONLY', quantity: 1 }, { id: 'X', productId: 'NOPE', quantity: 1 }]);
    expect(line(result, 'L').issues[0]?.code).toBe('no_price');
    expect(line(result, 'X').issues[0]?.code).toBe('unknown_product');
    expect(result.totals.net.isZero()).toBe(true);
  });
});

describe('validity windows in Asia/Shanghai (inclusive local dates)', () => {
  const january = rule({ id: 'JAN', validFrom: '2025-01-01', validTo: '2025-01-31', action: { type: 'percentDiscount', percent: '10' } });
  const at = (pricingDate: string) => line(price([january], [{ id: 'L', productId: 'SRV', quantity: 1 }], { quote: { currency: 'CNY', pricingDate } }), 'L');

  it.each([
    ['2024-12-31T15:59:59Z', false], // 23:59:59 on Dec 31 in Shanghai
    ['2024-12-31T16:00:00Z', true], // 00:00 on Jan 1 in Shanghai
    ['2025-01-31T15:59:59.999Z', true], // last instant of Jan 31
    ['2025-01-31T16:00:00Z', false], // Feb 1
    ['2025-01-31', true],
    ['2025-02-01', false],
  ])('%s → applies: %s', (pricingDate, applies) => {
    const l = at(pricingDate);
    expect(l.net.toFixedString()).toBe(applies ? '90.00' : '100.00');
    if (!applies) expect(outcomes(l)).toEqual(['JAN:skipped:outside_validity']);
  });

  it('converts instants to the local date of the given zone', () => {
    expect(getLocalPricingDate('2024-12-31T16:00:00Z')).toBe('2025-01-01');
    expect(getLocalPricingDate('2024-12-31T16:00:00Z', 'UTC')).toBe('2024-12-31');
    expect(getLocalPricingDate('yesterday')).toBeNull();
    expect(getLocalPricingDate('2024-12-31T16:00:00Z', 'Not/AZone')).toBeNull();
  });
});

describe('conditions at run time', () => {
  it('a condition that fails to evaluate is skipped with its error and surfaced as an advisory', () => {
    const r = rule({ id: 'E', condition: 'customer.custom.segment == "edu"', action: { type: 'percentDiscount', percent: '50' } });
    const result = price([r], [{ id: 'L', productId: 'SRV', quantity: 1 }, { id: 'M', productId: 'DISK', quantity: 1 }]);
    const step = line(result, 'L').explanation.steps.find((s) => s.type === 'skipped');
    expect(step).toMatchObject({ type: 'skipped', ruleId: 'E', reason: 'eval_error', error: { code: 'no_such_key' } });
    expect(result.advisories).toContainEqual(expect.objectContaining({ code: 'rule_eval_error', ruleId: 'E', count: 2 }));
    expect(line(result, 'L').net.toFixedString()).toBe('100.00');
  });

  it("follows CEL's &&: a false line part wins over an error in the customer part", () => {
    const r = rule({ id: 'E', condition: 'customer.custom.segment == "edu" && line.quantity > 1000', action: { type: 'percentDiscount', percent: '50' } });
    const result = price([r], [{ id: 'L', productId: 'SRV', quantity: 5 }, { id: 'BIG', productId: 'SRV', quantity: 2000 }]);
    expect(outcomes(line(result, 'L'))).toEqual(['E:skipped:condition_false']);
    expect(outcomes(line(result, 'BIG'))).toEqual(['E:skipped:eval_error']);
  });

  it('reads the documented context: groups, region, product kind, quote summaries', () => {
    const rules = [
      rule({ id: 'VIP', condition: '"vip" in customer.groupAncestors && customer.region == "east"', combine: 'additive', action: { type: 'percentDiscount', percent: '1' } }),
      rule({ id: 'SVC', condition: 'line.product.kind == "service"', combine: 'additive', action: { type: 'percentDiscount', percent: '2' } }),
      rule({ id: 'VOL', condition: 'quote.qtyByGroup["hw"] >= 10 && quote.qtyByGroup["nothing-here"] == 0', combine: 'additive', action: { type: 'percentDiscount', percent: '4' } }),
      rule({ id: 'GOLD', condition: 'has(customer.custom.tier) && customer.custom.tier == "gold"', combine: 'additive', action: { type: 'percentDiscount', percent: '8' } }),
    ];
    // 4 servers + 6 disks = 10 units in "hw" (servers and storage are under hw).
    const result = price(rules, [
      { id: 'S', productId: 'SRV', quantity: 4 },
      { id: 'D', productId: 'DISK', quantity: 6 },
      { id: 'C', productId: 'CARE', quantity: 1 },
    ]);
    expect(line(result, 'S').net.toFixedString()).toBe('348.00'); // 100 × (1 − 0.13) × 4
    expect(line(result, 'C').net.toFixedString()).toBe('42.50'); // 50 × (1 − 0.15): the quote-wide volume rule counts too
  });

  it('sums quote.qtyByGroup and quote.qtyByProduct exactly when the quote total is past 2^53', () => {
    // As CEL ints: servers 2^53 − 1 + 3; hw 2^53 − 1 + 1 + 3 (doubles would give 2^53 + 4); SRV as servers.
    const r = rule({
      id: 'HUGE',
      condition:
        'quote.qtyByGroup["hw"] == 9007199254740995 && quote.qtyByGroup["servers"] == 9007199254740994 && quote.qtyByProduct["SRV"] == 9007199254740994',
      action: { type: 'percentDiscount', percent: '1' },
    });
    const result = price([r], [
      { id: 'A', productId: 'SRV', quantity: Number.MAX_SAFE_INTEGER },
      { id: 'B', productId: 'DISK', quantity: 1 },
      { id: 'C', productId: 'SRV', quantity: 3 },
    ]);
    expect(outcomes(line(result, 'B'))).toEqual(['HUGE:applied']);
  });
});

describe('free items', () => {
  it('adds N free units per M bought, at price 0, with the list value shown', () => {
    const r = rule({ id: 'FREE', scope: { product: { kind: 'product', productId: 'SRV' } }, action: { type: 'freeItem', productId: 'CARE', quantity: 1, perQuantity: 10 } });
    const result = price([r], [{ id: 'L', productId: 'SRV', quantity: 25 }]);
    const free = line(result, 'L~free~FREE');
    expect(free).toMatchObject({ role: 'free', quantity: 2, freeOf: { ruleId: 'FREE', triggerLineId: 'L' } });
    expect(free.net.isZero()).toBe(true);
    expect(free.list.toFixedString()).toBe('100.00');
    expect(free.tax.isZero()).toBe(true);
    expect(result.totals.net.toFixedString()).toBe('2500.00');
    expect(result.totals.cost.toFixedString()).toBe('1520.00'); // 25 × 60 + 2 × 10
  });
});

describe('explanations', () => {
  it('lists every rule considered, formats in en and zh on demand', () => {
    const rules = [
      rule({ id: 'A', priority: 2, action: { type: 'percentDiscount', percent: '10' } }),
      rule({ id: 'B', priority: 1, action: { type: 'percentDiscount', percent: '5' } }),
      rule({ id: 'C', condition: 'line.quantity > 100', action: { type: 'percentDiscount', percent: '5' } }),
      rule({ id: 'D', validTo: '2020-01-01', action: { type: 'percentDiscount', percent: '5' } }),
      rule({ id: 'E', condition: 'customer.region == "west"', action: { type: 'percentDiscount', percent: '5' } }),
    ];
    const l = line(price(rules, [{ id: 'L', productId: 'SRV', quantity: 1 }]), 'L');
    expect(outcomes(l).sort()).toEqual(['A:applied', 'B:shadowed:A', 'C:shadowed:A', 'D:skipped:outside_validity', 'E:skipped:condition_false']);
    const en = listExplanationSteps(l.explanation).map((s) => formatExplanationStep(s, 'en'));
    const zh = listExplanationSteps(l.explanation).map((s) => formatExplanationStep(s, 'zh'));
    expect(en).toContain('[system] rule A applied: 10 % off 100.00 → 90.00');
    expect(en).toContain('[system] rule B shadowed by rule A');
    expect(zh).toContain('[系统调整] 规则 A 生效：折扣 10% 100.00 → 90.00');
    expect(JSON.parse(JSON.stringify(l))).toMatchObject({ net: { amount: '90.00', currency: 'CNY' }, discountPercent: '10.00' });
  });

  it('answers "why not rule R?" for rules the index never offered the line (out of scope)', () => {
    const rules = [
      rule({ id: 'MINE', action: { type: 'percentDiscount', percent: '10' } }),
      rule({ id: 'DISKS', scope: { product: { kind: 'product', productId: 'DISK' } }, action: { type: 'percentDiscount', percent: '10' } }),
    ];
    const set = compileRules(rules);
    const result = computeQuotePricing(set, catalog, request([{ id: 'L', productId: 'SRV', quantity: 1 }]));
    expect(getRuleOutcome(result, set, 'L', 'MINE')).toMatchObject({ type: 'applied' });
    expect(getRuleOutcome(result, set, 'L', 'DISKS')).toMatchObject({ type: 'skipped', reason: 'out_of_scope' });
    expect(getRuleOutcome(result, set, 'L', 'NOPE')).toBeNull();
  });
});
