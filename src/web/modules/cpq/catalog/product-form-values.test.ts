import { describe, expect, it } from 'vitest';
import type { Product } from '../../../../server/modules/catalog/contract.ts';
import { createProductBody, defaultTaxPercent, hasProductChanges, newProductDefaults, toProductFormValues, updateProductBody } from './product-form-values.ts';

const at = '2026-11-01T00:00:00.000Z';
const bundle: Product = {
  id: '00000000-0000-4000-8000-000000000001',
  sku: 'ERP-STARTER',
  nameZh: 'ERP 快速启动套装',
  nameEn: 'ERP starter bundle',
  groupId: '00000000-0000-4000-8000-0000000000a1',
  kind: 'license',
  termMonths: null,
  unit: '套',
  taxPercent: '13',
  cost: null,
  isActive: true,
  bundle: {
    pricing: 'fixed',
    components: [{ productId: '00000000-0000-4000-8000-000000000002', quantity: 20 }],
    options: [{ productId: '00000000-0000-4000-8000-000000000003', quantity: 15, isBundled: true, featureKey: 'services' }],
    features: [{ key: 'services', nameZh: '实施与培训', nameEn: null, minOptions: 1, maxOptions: 2 }],
  },
  version: 4,
  createdAt: at,
  updatedAt: at,
};

describe('createProductBody', () => {
  it('trims, sends empty optional text as null and no bundle unless switched on', () => {
    const body = createProductBody({ ...newProductDefaults('g1'), sku: ' SVC-X ', nameZh: ' 新服务 ', nameEn: ' ', unit: '人天', kind: 'service', taxPercent: '6', costAmount: '1400' });
    expect(body).toEqual({
      sku: 'SVC-X',
      nameZh: '新服务',
      nameEn: null,
      groupId: 'g1',
      kind: 'service',
      termMonths: null,
      unit: '人天',
      taxPercent: '6',
      cost: { amount: '1400', currency: 'CNY' },
      isActive: true,
      bundle: null,
    });
  });

  it('sends bundle rows as typed so the server can name a bad row', () => {
    const body = createProductBody({
      ...newProductDefaults(),
      sku: 'B',
      nameZh: 'B',
      unit: '套',
      isBundle: true,
      bundlePricing: 'components',
      components: [{ productId: 'p1', quantity: 2 }, { productId: undefined, quantity: null }],
      options: [{ productId: 'p2', quantity: 1, featureKey: ' ' }],
      features: [],
    });
    expect(body.bundle).toEqual({
      pricing: 'components',
      components: [
        { productId: 'p1', quantity: 2 },
        { productId: '', quantity: 0 },
      ],
      options: [{ productId: 'p2', quantity: 1, isBundled: false, featureKey: null }],
      features: [],
    });
  });
});

describe('updateProductBody', () => {
  it('sends only the version when nothing changed, bundle included', () => {
    const body = updateProductBody(bundle, toProductFormValues(bundle));
    expect(body).toEqual({ version: 4 });
    expect(hasProductChanges(body)).toBe(false);
  });

  it('sends a changed bundle whole, and null to turn a bundle into a plain product', () => {
    const values = toProductFormValues(bundle);
    values.components = [{ productId: '00000000-0000-4000-8000-000000000002', quantity: 25 }];
    expect(updateProductBody(bundle, values).bundle?.components).toEqual([{ productId: '00000000-0000-4000-8000-000000000002', quantity: 25 }]);
    expect(updateProductBody(bundle, { ...toProductFormValues(bundle), isBundle: false })).toEqual({ version: 4, bundle: null });
  });

  it('defaults VAT by kind', () => {
    expect(defaultTaxPercent('service')).toBe('6');
    expect(defaultTaxPercent('hardware')).toBe('13');
  });
});
