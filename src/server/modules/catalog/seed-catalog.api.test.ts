import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTx } from '../../platform/db.ts';
import { type TestApp, createTestApp } from '../../testing/test-app.ts';
import { seedPricingRules } from '../pricing/seed-rules.ts';
import { seedCatalog, type CatalogSeedResult } from './seed-catalog.ts';

/** The demo catalog and rules load, and price a government deal the way the pricing team intends. */

let t: TestApp;
let seeded: CatalogSeedResult;
let accountId = '';

beforeAll(async () => {
  t = await createTestApp();
  const admin = await t.as('admin');
  const gov = await admin.post('/api/v1/crm/customer-groups', { code: 'GOV', nameZh: '政府机关' });
  expect(gov.statusCode, gov.body).toBe(201);
  const account = await (await t.as('repA')).post('/api/v1/crm/accounts', { nameZh: '测试省大数据局', kind: 'government', customerGroupId: gov.json().id, confirmSimilar: true });
  accountId = account.json().id;
  seeded = await withTx(t.database.db, async (tx) => {
    // Seeded as of a fixed day, so the 2026 books and rules the test prices against exist in any year.
    const now = new Date('2026-06-01T02:00:00Z');
    const catalog = await seedCatalog(tx, { now });
    await seedPricingRules(tx, { groupIds: catalog.groupIds, productIds: catalog.productIds, governmentGroupId: gov.json().id }, { now });
    return catalog;
  });
});

afterAll(async () => {
  await t?.close();
});

describe('demo catalog', () => {
  it('has licences at 13 %, services per person-day at 6 %, and two price books', async () => {
    const rep = await t.as('repA');
    const impl = (await rep.get('/api/v1/catalog/products?q=SVC-IMPL')).json().items[0];
    expect(impl).toMatchObject({ kind: 'service', unit: '人天', taxPercent: '6' });
    const erp = (await rep.get(`/api/v1/catalog/products/${seeded.productIds.get('ERP-STD')}`)).json();
    expect(erp).toMatchObject({ kind: 'license', taxPercent: '13' });
    const books = (await rep.get('/api/v1/catalog/price-books')).json().items;
    expect(books.map((b: { currency: string }) => b.currency).sort()).toEqual(['CNY', 'USD']);
  });

  it('prices a three-year government deal through tiers, term and segment rules', async () => {
    const res = await (await t.as('repA')).post('/api/v1/pricing/what-if', {
      priceBookId: seeded.priceBookIds.CNY,
      currency: 'CNY',
      pricingDate: '2026-06-01',
      termMonths: 36,
      accountId,
      lines: [
        { id: 'cloud', productId: seeded.productIds.get('CLOUD-ERP'), quantity: 600 },
        { id: 'storage', productId: seeded.productIds.get('CLOUD-STORAGE'), quantity: 60 },
        { id: 'erp', productId: seeded.productIds.get('ERP-STD'), quantity: 1 },
        { id: 'impl', productId: seeded.productIds.get('SVC-IMPL'), quantity: 120 },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const net = Object.fromEntries(res.json().lines.map((l: { lineId: string; net: { amount: string } }) => [l.lineId, l.net.amount]));
    expect(net).toEqual({
      // 1200 × (1 − 10 % volume from 500) × (1 − 10 % for 36 months) = 972; × 600
      cloud: '583200.00',
      // list tier from 50 TB: 2800; volume bands start at 100 (outside band); × (1 − 10 % term) = 2520; × 60
      storage: '151200.00',
      // 98 000 × (1 − 8 % government, software only)
      erp: '90160.00',
      // 2800 − 200 bulk rate from 100 person-days = 2600; × 120
      impl: '312000.00',
    });
  });
});
