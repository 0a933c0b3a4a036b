import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../../shared/dates.ts';
import { type TestApp, type TestClient, createTestApp } from '../../testing/test-app.ts';
import { ensureDefaultPipeline } from '../crm/pipeline-service.ts';

/**
 * The catalog and price books are cached per process for pricing (catalog/service.ts): a change to
 * a product, a group or a book's entries must be priced by the very next save.
 */

let t: TestApp;
let admin: TestClient;
let repA: TestClient;
const today = localDate(new Date(), 'Asia/Shanghai');

async function ok<T = Record<string, unknown>>(res: LightMyRequestResponse, status = 200): Promise<T> {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
}

type Detail = { id: string; versions: { id: string; version: number; priced: { netUnit: string; tax: { amount: string }; taxPercent: string }[] }[] };

beforeAll(async () => {
  t = await createTestApp();
  await ensureDefaultPipeline(t.database.db);
  admin = await t.as('admin');
  repA = await t.as('repA');
});

afterAll(async () => {
  await t?.close();
});

describe('pricing reference data cache', () => {
  it('a new list price, a changed tax rate and a new product are priced by the next save', async () => {
    const product = await ok<{ id: string; version: number }>(
      await admin.post('/api/v1/catalog/products', { sku: 'CACHE-1', nameZh: '缓存测试', kind: 'license', unit: '套', taxPercent: '13' }),
      201,
    );
    const book = await ok<{ id: string; version: number }>(
      await admin.post('/api/v1/catalog/price-books', { code: 'CACHE-BOOK', nameZh: '缓存价格表', currency: 'CNY', validFrom: '2026-01-01' }),
      201,
    );
    await ok(
      await admin.patch(`/api/v1/catalog/price-books/${book.id}/entries`, { version: book.version, currency: 'CNY', entries: [{ productId: product.id, unitPrice: '100' }] }),
    );
    const account = await ok<{ id: string }>(await repA.post('/api/v1/crm/accounts', { nameZh: '缓存客户', kind: 'enterprise', confirmSimilar: true }), 201);
    const deal = await ok<{ id: string }>(
      await repA.post('/api/v1/crm/opportunities', { name: '缓存商机', accountId: account.id, amount: { amount: '100.00', currency: 'CNY' }, expectedCloseDate: today }),
      201,
    );
    const q = await ok<Detail>(await repA.post('/api/v1/quotes', { opportunityId: deal.id, priceBookId: book.id, currency: 'CNY', lines: [{ productId: product.id, quantity: 1 }] }), 201);
    expect(q.versions[0]!.priced[0]).toMatchObject({ netUnit: '100', tax: { amount: '13.00' } });

    // The book's entries change: the next save prices at 120.
    const bookNow = await ok<{ version: number }>(await admin.get(`/api/v1/catalog/price-books/${book.id}`));
    expect(bookNow.version).toBeGreaterThan(book.version);
    await ok(await admin.patch(`/api/v1/catalog/price-books/${book.id}/entries`, { version: bookNow.version, currency: 'CNY', entries: [{ productId: product.id, unitPrice: '120' }] }));
    // The product's tax rate changes: the next save taxes at 6 %.
    await ok(await admin.patch(`/api/v1/catalog/products/${product.id}`, { version: product.version, taxPercent: '6' }));
    const v = q.versions[0]!;
    const saved = await ok<Detail>(await repA.patch(`/api/v1/quotes/versions/${v.id}`, { version: v.version, lines: [{ id: 'L1', productId: product.id, quantity: 1 }] }));
    expect(saved.versions[0]!.priced[0]).toMatchObject({ netUnit: '120', taxPercent: '6', tax: { amount: '7.20' } });

    // A product created after the catalog was cached is known at once.
    const fresh = await ok<{ id: string }>(
      await admin.post('/api/v1/catalog/products', { sku: 'CACHE-2', nameZh: '新产品', kind: 'service', unit: '人天', taxPercent: '6' }),
      201,
    );
    const bookLater = await ok<{ version: number }>(await admin.get(`/api/v1/catalog/price-books/${book.id}`));
    await ok(await admin.patch(`/api/v1/catalog/price-books/${book.id}/entries`, { version: bookLater.version, currency: 'CNY', entries: [{ productId: fresh.id, unitPrice: '50' }] }));
    const withNew = await ok<Detail>(
      await repA.patch(`/api/v1/quotes/versions/${v.id}`, {
        version: saved.versions[0]!.version,
        lines: [
          { id: 'L1', productId: product.id, quantity: 1 },
          { id: 'L2', productId: fresh.id, quantity: 2 },
        ],
      }),
    );
    expect(withNew.versions[0]!.priced.map((l) => l.netUnit)).toEqual(['120', '50']);
  });
});
