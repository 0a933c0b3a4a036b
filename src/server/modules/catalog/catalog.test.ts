import { describe, expect, it } from 'vitest';
import {
  listBundleIssues,
  listFeatureViolations,
  listGroupAncestors,
  listTierIssues,
  resolveContractPriceLists,
  toEngineCatalog,
  toListTierRule,
  wouldCreateGroupCycle,
  type BundleSpec,
} from './catalog.ts';
import { normalizeDecimal, parsePriceBookSheets } from './price-book-xlsx.ts';
import { compileRules } from '../pricing/compile.ts';

describe('product-group tree', () => {
  const parents = new Map<string, string | null>([
    ['root', null],
    ['a', 'root'],
    ['b', 'a'],
  ]);
  const getParent = (id: string) => parents.get(id);

  it('refuses a move under itself or a descendant, allows a move across', () => {
    expect(wouldCreateGroupCycle('root', 'b', getParent)).toBe(true);
    expect(wouldCreateGroupCycle('a', 'a', getParent)).toBe(true);
    expect(wouldCreateGroupCycle('b', 'root', getParent)).toBe(false);
    expect(wouldCreateGroupCycle('x', null, getParent)).toBe(false);
  });

  it('lists ancestors nearest first and cuts a loop in the data', () => {
    expect(listGroupAncestors('b', getParent)).toEqual(['b', 'a', 'root']);
    const loop = new Map([
      ['p', 'q'],
      ['q', 'p'],
    ]);
    expect(listGroupAncestors('p', (id) => loop.get(id))).toEqual(['p', 'q']);
  });
});

describe('bundles', () => {
  const spec: BundleSpec = {
    pricing: 'fixed',
    components: [{ productId: 'erp', quantity: 1 }],
    options: [
      { productId: 'impl', quantity: 10, isBundled: true, featureKey: 'svc' },
      { productId: 'train', quantity: 2, isBundled: false, featureKey: 'svc' },
      { productId: 'server', quantity: 1, isBundled: false, featureKey: 'hw' },
    ],
    features: [
      { key: 'svc', nameZh: '服务', nameEn: null, minOptions: 1, maxOptions: 2 },
      { key: 'hw', nameZh: '硬件', nameEn: null, minOptions: 0, maxOptions: 1 },
    ],
  };
  const products = new Map([
    ['erp', { exists: true, isBundle: false }],
    ['impl', { exists: true, isBundle: false }],
    ['train', { exists: true, isBundle: false }],
    ['server', { exists: true, isBundle: false }],
    ['suite', { exists: true, isBundle: true }],
  ]);
  const lookup = (id: string) => products.get(id) ?? { exists: false, isBundle: false };

  it('accepts a well-formed bundle', () => {
    expect(listBundleIssues('bundle', spec, lookup)).toEqual([]);
  });

  it('reports self, nested, unknown and repeated items, bad quantities and feature bounds, each with its path', () => {
    const bad: BundleSpec = {
      ...spec,
      components: [
        { productId: 'bundle', quantity: 1 },
        { productId: 'suite', quantity: 1 },
        { productId: 'nope', quantity: 0 },
        { productId: 'erp', quantity: 1 },
        { productId: 'erp', quantity: 1 },
      ],
      options: [{ productId: 'impl', quantity: 1, isBundled: false, featureKey: 'ghost' }],
      features: [
        { key: 'svc', nameZh: '服务', nameEn: null, minOptions: 3, maxOptions: 2 },
        { key: 'svc', nameZh: '重复', nameEn: null, minOptions: 1, maxOptions: 1 },
      ],
    };
    expect(listBundleIssues('bundle', bad, lookup)).toEqual([
      { path: 'bundle.components.0.productId', message: 'v:bundle_self' },
      { path: 'bundle.components.1.productId', message: 'v:bundle_nested' },
      { path: 'bundle.components.2.productId', message: 'v:unknown_product' },
      { path: 'bundle.components.2.quantity', message: 'v:positive_integer' },
      { path: 'bundle.components.4.productId', message: 'v:bundle_duplicate_item' },
      { path: 'bundle.features.0.minOptions', message: 'v:min_above_max' },
      { path: 'bundle.features.1.key', message: 'v:bundle_duplicate_feature' },
      // 'svc' has no options here (the only option names 'ghost'): a minimum of 1 cannot be met.
      { path: 'bundle.features.1.minOptions', message: 'v:bundle_min_unreachable' },
      { path: 'bundle.options.0.featureKey', message: 'v:bundle_unknown_feature' },
    ]);
  });

  it('counts bundled options towards their feature when checking a choice', () => {
    // svc: impl (bundled) + train chosen = 2 ≤ 2; hw: nothing chosen = 0 ≥ 0
    expect(listFeatureViolations(spec, ['train'])).toEqual([]);
    const tight: BundleSpec = { ...spec, features: [{ ...spec.features[0]!, maxOptions: 1 }, spec.features[1]!] };
    expect(listFeatureViolations(tight, ['train'])).toEqual([{ featureKey: 'svc', count: 2, min: 1, max: 1 }]);
  });

  it('gives the engine components plus bundled options, not priced options', () => {
    const input = toEngineCatalog([], [
      { id: 'bundle', sku: 'B', groupId: null, kind: 'license', taxPercent: '13.00', costAmount: null, costCurrency: null, bundle: spec },
    ]);
    expect(input.products[0]!.taxPercent).toBe('13');
    expect(input.products[0]!.bundle).toEqual({
      pricing: 'fixed',
      components: [
        { productId: 'erp', quantity: 1 },
        { productId: 'impl', quantity: 10, isBundled: true },
      ],
    });
  });
});

describe('list-price tier tables', () => {
  it('needs bands from 1 up, strictly ascending, with prices in the currency', () => {
    expect(listTierIssues({ mode: 'range', bands: [{ fromQty: 1, unitPrice: '100' }, { fromQty: 10, unitPrice: '90' }] }, 'CNY')).toEqual([]);
    expect(
      listTierIssues(
        {
          mode: 'slab',
          bands: [
            { fromQty: 0, unitPrice: '100' },
            { fromQty: 10, unitPrice: '90' },
            { fromQty: 10, unitPrice: '80' },
            { fromQty: 5, unitPrice: '-1' },
          ],
        },
        'CNY',
      ),
    ).toEqual([
      { path: 'tiers.bands.0.fromQty', message: 'v:positive_integer' },
      { path: 'tiers.bands.2.fromQty', message: 'v:tiers_not_ascending' },
      { path: 'tiers.bands.3.fromQty', message: 'v:tiers_not_ascending' },
      { path: 'tiers.bands.3.unitPrice', message: 'v:not_negative' },
    ]);
    // JPY has no minor unit: at most 4 places on a unit price.
    expect(listTierIssues({ mode: 'range', bands: [{ fromQty: 1, unitPrice: '1.12345' }] }, 'JPY')).toEqual([
      { path: 'tiers.bands.0.unitPrice', message: 'v:currency_places' },
    ]);
  });

  it('becomes a BASE price-tier rule the engine compiles', () => {
    const rule = toListTierRule({ priceBookId: 'pb', productId: 'p1', tiers: { mode: 'range', bands: [{ fromQty: 50, unitPrice: '1000' }] } }, 'CNY', 3);
    expect(rule).toMatchObject({ id: 'pricebook:pb:p1', version: 3, phase: 'BASE', priority: -1000 });
    expect(compileRules([rule]).errors).toEqual([]);
  });
});

describe('contracted prices', () => {
  const rows = [
    { accountId: 'group', productId: 'erp', currency: 'CNY', unitPrice: '42000', validFrom: '2026-01-01', validTo: null },
    { accountId: 'group', productId: 'impl', currency: 'CNY', unitPrice: '2200', validFrom: '2026-01-01', validTo: null },
    { accountId: 'group', productId: 'impl', currency: 'CNY', unitPrice: '2100', validFrom: '2026-07-01', validTo: null },
    { accountId: 'child', productId: 'impl', currency: 'CNY', unitPrice: '2000', validFrom: '2026-01-01', validTo: '2026-12-31' },
    { accountId: 'child', productId: 'erp', currency: 'USD', unitPrice: '6000', validFrom: '2026-01-01', validTo: null },
  ];

  it('lists the account first, then its parents, in the currency and valid on the date (latest start wins)', () => {
    expect(resolveContractPriceLists(['child', 'group'], rows, 'CNY', '2026-08-01')).toEqual([
      { accountId: 'child', currency: 'CNY', prices: { impl: '2000' } },
      { accountId: 'group', currency: 'CNY', prices: { erp: '42000', impl: '2100' } },
    ]);
    // After the child's window ends only the parent's prices remain.
    expect(resolveContractPriceLists(['child', 'group'], rows, 'CNY', '2027-01-05')).toEqual([
      { accountId: 'group', currency: 'CNY', prices: { erp: '42000', impl: '2100' } },
    ]);
  });
});

describe('price-book workbook', () => {
  const products = new Map([
    ['erp-lic', 'p-erp'],
    ['erp-sub', 'p-sub'],
  ]);
  const find = (sku: string) => products.get(sku.toLowerCase());

  it('reads entries and tiers, tolerating thousands separators', () => {
    const sheets = new Map([
      [
        'Entries',
        [
          ['SKU', 'Name', 'Currency', 'Unit price', 'Tier mode'],
          ['ERP-LIC', 'ERP', 'CNY', '50,000.00', ''],
          [],
          ['erp-sub', '订阅', 'cny', '1200', 'range'],
        ],
      ],
      [
        'Tiers',
        [
          ['SKU', 'From quantity', 'Unit price'],
          ['ERP-SUB', '50', '1000'],
          ['ERP-SUB', '200', '850'],
        ],
      ],
    ]);
    const parsed = parsePriceBookSheets(sheets, 'CNY', find);
    expect(parsed.issues).toEqual([]);
    expect(parsed.rows).toBe(4);
    expect(parsed.changes).toEqual([
      { productId: 'p-erp', unitPrice: '50000', tiers: null, row: 2 },
      {
        productId: 'p-sub',
        unitPrice: '1200',
        tiers: { mode: 'range', bands: [{ fromQty: 50, unitPrice: '1000' }, { fromQty: 200, unitPrice: '850' }] },
        row: 4,
      },
    ]);
  });

  it('reports every bad row with sheet, row and column', () => {
    const sheets = new Map([
      [
        'Entries',
        [
          ['SKU', 'Currency', 'Unit price', 'Tier mode'],
          ['ERP-LIC', 'USD', 'abc', 'stairs'],
          ['ERP-SUB', 'CNY', '1200', 'slab'],
        ],
      ],
      [
        'Tiers',
        [
          ['SKU', 'From quantity', 'Unit price'],
          ['ERP-SUB', '100', '900'],
          ['ERP-SUB', '20', '950'],
          ['OTHER', '1', '1'],
        ],
      ],
    ]);
    const parsed = parsePriceBookSheets(sheets, 'CNY', find);
    expect(parsed.issues.map((i) => `${i.sheet}:${i.row}:${i.column}:${i.message}`)).toEqual([
      'Entries:2:Currency:v:currency_mismatch',
      'Entries:2:Unit price:v:decimal_string',
      'Entries:2:Tier mode:v:tier_mode',
      'Tiers:3:From quantity:v:tiers_not_ascending',
      'Tiers:4:SKU:v:tier_without_entry',
    ]);
  });

  it('normalizes decimals as Excel writes them', () => {
    expect(normalizeDecimal('1.5E3')).toBe('1500');
    expect(normalizeDecimal('30000.50')).toBe('30000.5');
    expect(normalizeDecimal('twelve')).toBeNull();
  });
});
