import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestClient, createTestApp, sql } from '../../testing/test-app.ts';

/**
 * Catalog API: product groups (no cycles), products and bundles, price books with entries and tier
 * tables, the XLSX round trip, contracted prices inherited down the account tree; writes only for
 * the deal desk and admins, with 403 and an unchanged database for a seller.
 */

let t: TestApp;
let admin: TestClient;
let repA: TestClient;
let finance: TestClient;
const g = { software: '', erp: '', services: '' };
const p = { erp: '', users: '', impl: '', server: '', suite: '' };
let bookCny = { id: '', version: 0 };

type Created = { id: string; version: number } & Record<string, unknown>;

async function created(res: LightMyRequestResponse): Promise<Created> {
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Created;
}

async function countRows(table: string): Promise<number> {
  const [row] = await t.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${sql.raw(table)}`);
  return Number(row!.n);
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.as('admin');
  repA = await t.as('repA');
  finance = await t.as('finance');
  g.software = (await created(await admin.post('/api/v1/catalog/product-groups', { code: 'SW', nameZh: '软件' }))).id;
  g.erp = (await created(await admin.post('/api/v1/catalog/product-groups', { code: 'SW-ERP', nameZh: 'ERP', parentId: g.software }))).id;
  g.services = (await created(await admin.post('/api/v1/catalog/product-groups', { code: 'SVC', nameZh: '服务' }))).id;
  const product = async (body: Record<string, unknown>) => (await created(await admin.post('/api/v1/catalog/products', body))).id as string;
  p.erp = await product({ sku: 'ERP-LIC', nameZh: 'ERP 永久许可', kind: 'license', unit: '套', taxPercent: '13', groupId: g.erp, cost: { amount: '20000.00', currency: 'CNY' } });
  p.users = await product({ sku: 'ERP-SUB', nameZh: 'ERP 用户订阅', kind: 'subscription', termMonths: 12, unit: '用户', taxPercent: '6', groupId: g.erp });
  p.impl = await product({ sku: 'IMPL-PD', nameZh: '实施服务', kind: 'service', unit: '人天', taxPercent: '6', groupId: g.services });
  p.server = await product({ sku: 'HW-SRV', nameZh: '服务器', kind: 'hardware', unit: '台', taxPercent: '13' });
  bookCny = await created(await admin.post('/api/v1/catalog/price-books', { code: 'CN-2026', nameZh: '2026 人民币价格表', currency: 'CNY', validFrom: '2026-01-01' }));
});

afterAll(async () => {
  await t?.close();
});

describe('product groups', () => {
  it('refuses a move that would close a loop, and changes nothing', async () => {
    const [before] = await t.rows<{ parent_id: string | null; version: number }>(sql`SELECT parent_id, version FROM catalog_product_groups WHERE id = ${g.software}`);
    const res = await admin.patch(`/api/v1/catalog/product-groups/${g.software}`, { version: before!.version, parentId: g.erp });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ code: 'catalog.group_cycle', errors: [{ path: 'parentId' }] });
    const [after] = await t.rows<{ parent_id: string | null; version: number }>(sql`SELECT parent_id, version FROM catalog_product_groups WHERE id = ${g.software}`);
    expect(after).toEqual(before);
  });

  it('lists products of a group and its descendants', async () => {
    const res = await repA.get(`/api/v1/catalog/products?groupId=${g.software}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items.map((x: { sku: string }) => x.sku).sort()).toEqual(['ERP-LIC', 'ERP-SUB']);
  });
});

describe('products', () => {
  it('lets a seller read products without their cost, and finance with it', async () => {
    const asRep = await repA.get(`/api/v1/catalog/products/${p.erp}`);
    expect(asRep.statusCode).toBe(200);
    expect(asRep.json()).toMatchObject({ sku: 'ERP-LIC', taxPercent: '13', cost: null });
    const asFinance = await finance.get(`/api/v1/catalog/products/${p.erp}`);
    expect(asFinance.json().cost).toEqual({ amount: '20000.00', currency: 'CNY' });
  });

  it('forbids a seller to create or change products (403) and stores nothing', async () => {
    const before = await countRows('catalog_products');
    const res = await repA.post('/api/v1/catalog/products', { sku: 'X-1', nameZh: '某产品', kind: 'hardware', unit: '台', taxPercent: '13' });
    expect(res.statusCode).toBe(403);
    const patch = await repA.patch(`/api/v1/catalog/products/${p.server}`, { version: 1, nameZh: '改名' });
    expect(patch.statusCode).toBe(403);
    expect(await countRows('catalog_products')).toBe(before);
    const [row] = await t.rows<{ name_zh: string }>(sql`SELECT name_zh FROM catalog_products WHERE id = ${p.server}`);
    expect(row!.name_zh).toBe('服务器');
  });

  it('needs a term on subscriptions and only there', async () => {
    const res = await admin.post('/api/v1/catalog/products', { sku: 'SUB-2', nameZh: '订阅', kind: 'subscription', unit: '用户', taxPercent: '6' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'termMonths' })]);
  });

  it('refuses a duplicate SKU whatever its case', async () => {
    const res = await admin.post('/api/v1/catalog/products', { sku: 'erp-lic', nameZh: '重复', kind: 'license', unit: '套', taxPercent: '13' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('catalog.sku_taken');
  });

  it('validates bundles: features min/max, nested bundles, unknown components', async () => {
    const bad = await admin.post('/api/v1/catalog/products', {
      sku: 'SUITE-BAD',
      nameZh: '坏套装',
      kind: 'license',
      unit: '套',
      taxPercent: '13',
      bundle: {
        pricing: 'fixed',
        components: [{ productId: p.erp, quantity: 1 }],
        options: [{ productId: p.impl, quantity: 5, isBundled: false, featureKey: 'svc' }],
        features: [{ key: 'svc', nameZh: '服务', minOptions: 2, maxOptions: 1 }],
      },
    });
    expect(bad.statusCode, bad.body).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'catalog.invalid_bundle', errors: [{ path: 'bundle.features.0.minOptions' }] });

    const suite = await created(
      await admin.post('/api/v1/catalog/products', {
        sku: 'SUITE',
        nameZh: 'ERP 套装',
        kind: 'license',
        unit: '套',
        taxPercent: '13',
        bundle: {
          pricing: 'fixed',
          components: [{ productId: p.erp, quantity: 1 }],
          options: [
            { productId: p.impl, quantity: 10, isBundled: true, featureKey: 'svc' },
            { productId: p.server, quantity: 1, isBundled: false, featureKey: 'svc' },
          ],
          features: [{ key: 'svc', nameZh: '服务与硬件', minOptions: 1, maxOptions: 2 }],
        },
      }),
    );
    p.suite = suite.id;
    const nested = await admin.post('/api/v1/catalog/products', {
      sku: 'SUITE-2',
      nameZh: '套装中的套装',
      kind: 'license',
      unit: '套',
      taxPercent: '13',
      bundle: { pricing: 'components', components: [{ productId: p.suite, quantity: 1 }] },
    });
    expect(nested.statusCode).toBe(422);
    expect(nested.json().errors).toEqual([expect.objectContaining({ path: 'bundle.components.0.productId' })]);
  });
});

describe('price books', () => {
  it('refuses entries in another currency, tiers out of order and a stale version, changing nothing', async () => {
    const wrongCurrency = await admin.patch(`/api/v1/catalog/price-books/${bookCny.id}/entries`, {
      version: bookCny.version,
      currency: 'USD',
      entries: [{ productId: p.erp, unitPrice: '100' }],
    });
    expect(wrongCurrency.statusCode).toBe(422);
    expect(wrongCurrency.json().code).toBe('catalog.currency_mismatch');
    const overlapping = await admin.patch(`/api/v1/catalog/price-books/${bookCny.id}/entries`, {
      version: bookCny.version,
      currency: 'CNY',
      entries: [
        {
          productId: p.users,
          unitPrice: '1200',
          tiers: { mode: 'range', bands: [{ fromQty: 1, unitPrice: '1200' }, { fromQty: 50, unitPrice: '1000' }, { fromQty: 50, unitPrice: '900' }] },
        },
      ],
    });
    expect(overlapping.statusCode, overlapping.body).toBe(422);
    expect(overlapping.json()).toMatchObject({ code: 'catalog.invalid_tiers', errors: [{ path: 'entries.0.tiers.bands.2.fromQty' }] });
    expect(await countRows('catalog_price_book_entries')).toBe(0);

    const ok = await admin.patch(`/api/v1/catalog/price-books/${bookCny.id}/entries`, {
      version: bookCny.version,
      currency: 'CNY',
      entries: [
        { productId: p.erp, unitPrice: '50000.00' },
        { productId: p.users, unitPrice: '1200', tiers: { mode: 'range', bands: [{ fromQty: 50, unitPrice: '1000' }, { fromQty: 200, unitPrice: '850' }] } },
        { productId: p.impl, unitPrice: '2500' },
      ],
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().version).toBe(bookCny.version + 1);
    const stale = await admin.patch(`/api/v1/catalog/price-books/${bookCny.id}/entries`, {
      version: bookCny.version,
      currency: 'CNY',
      entries: [{ productId: p.erp, unitPrice: '1' }],
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().currentVersion).toBe(bookCny.version + 1);
    const [erp] = await t.rows<{ unit_price: string }>(sql`SELECT unit_price FROM catalog_price_book_entries WHERE product_id = ${p.erp}`);
    expect(Number(erp!.unit_price)).toBe(50000);
    bookCny.version += 1;
  });

  it('round-trips through XLSX: export, dry run, all-or-nothing import', async () => {
    const exported = await admin.get(`/api/v1/catalog/price-books/${bookCny.id}/export.xlsx`);
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(exported.rawPayload as unknown as ExcelJS.Buffer);
    const entries = wb.getWorksheet('Entries')!;
    const tiers = wb.getWorksheet('Tiers')!;
    expect(entries.getRow(1).values).toEqual([undefined, 'SKU', 'Name', 'Currency', 'Unit price', 'Tier mode']);
    expect(tiers.rowCount).toBe(3); // header + two bands of ERP-SUB

    const toBase64 = async () => Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
    const same = await admin.post(`/api/v1/catalog/price-books/${bookCny.id}/import`, { fileBase64: await toBase64(), dryRun: true, version: bookCny.version });
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json()).toMatchObject({ applied: false, created: 0, updated: 0, removed: 0, unchanged: 3, issues: [] });

    // Edit: a new price for ERP-LIC, a server row, and two mistakes (unknown SKU, USD row) and a descending band.
    const erpRow = [...Array(entries.rowCount).keys()].map((i) => entries.getRow(i + 1)).find((r) => r.getCell(1).value === 'ERP-LIC')!;
    erpRow.getCell(4).value = 48000;
    entries.addRow(['HW-SRV', '服务器', 'CNY', 30000.5, null]);
    entries.addRow(['NO-SUCH', '?', 'CNY', 1, null]);
    entries.addRow(['IMPL-PD', '实施', 'USD', 400, null]);
    tiers.addRow(['ERP-SUB', 100, 900]);
    const badFile = await toBase64();
    const dry = await admin.post(`/api/v1/catalog/price-books/${bookCny.id}/import`, { fileBase64: badFile, dryRun: true, version: bookCny.version });
    expect(dry.statusCode).toBe(200);
    const issues = dry.json().issues as { sheet: string; row: number; column: string }[];
    expect(issues.map((i) => `${i.sheet}:${i.row}:${i.column}`)).toEqual(['Entries:6:SKU', 'Entries:7:SKU', 'Entries:7:Currency', 'Tiers:4:From quantity']);

    const refused = await admin.post(`/api/v1/catalog/price-books/${bookCny.id}/import`, { fileBase64: badFile, dryRun: false, version: bookCny.version });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().code).toBe('catalog.invalid_import');
    expect(refused.json().issues).toHaveLength(4);
    const [unchanged] = await t.rows<{ unit_price: string }>(sql`SELECT unit_price FROM catalog_price_book_entries WHERE product_id = ${p.erp}`);
    expect(Number(unchanged!.unit_price)).toBe(50000);
    expect(await countRows('catalog_price_book_entries')).toBe(3);

    // Clear the bad rows (blank rows are skipped on import).
    for (const r of [6, 7]) for (let c = 1; c <= 5; c++) entries.getRow(r).getCell(c).value = null;
    for (let c = 1; c <= 3; c++) tiers.getRow(4).getCell(c).value = null;
    const good = await admin.post(`/api/v1/catalog/price-books/${bookCny.id}/import`, { fileBase64: await toBase64(), dryRun: false, version: bookCny.version });
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json()).toMatchObject({ applied: true, created: 1, updated: 1, unchanged: 2, removed: 0, version: bookCny.version + 1 });
    const list = (await repA.get(`/api/v1/catalog/price-books/${bookCny.id}/entries`)).json();
    expect(Object.fromEntries(list.items.map((e: { sku: string; unitPrice: string }) => [e.sku, e.unitPrice]))).toEqual({
      'ERP-LIC': '48000',
      'ERP-SUB': '1200',
      'HW-SRV': '30000.5',
      'IMPL-PD': '2500',
    });
    bookCny.version += 1;
  });

  it('forbids a seller to import (403), changing nothing', async () => {
    const exported = await admin.get(`/api/v1/catalog/price-books/${bookCny.id}/export.xlsx`);
    const res = await repA.post(`/api/v1/catalog/price-books/${bookCny.id}/import`, {
      fileBase64: Buffer.from(exported.rawPayload).toString('base64'),
      dryRun: false,
      version: bookCny.version,
    });
    expect(res.statusCode).toBe(403);
    const [book] = await t.rows<{ version: number }>(sql`SELECT version FROM catalog_price_books WHERE id = ${bookCny.id}`);
    expect(book!.version).toBe(bookCny.version);
  });
});

describe('contracted prices', () => {
  it('are inherited by child accounts unless overridden', async () => {
    const parent = await created(await repA.post('/api/v1/crm/accounts', { nameZh: '测试集团总部', kind: 'state_owned', confirmSimilar: true }));
    const child = await created(await repA.post('/api/v1/crm/accounts', { nameZh: '测试集团子公司', kind: 'state_owned', parentId: parent.id, confirmSimilar: true }));
    const add = (accountId: string, productId: string, unitPrice: string) =>
      admin.post(`/api/v1/catalog/accounts/${accountId}/contract-prices`, { productId, currency: 'CNY', unitPrice, validFrom: '2026-01-01' });
    expect((await add(parent.id, p.erp, '42000')).statusCode).toBe(201);
    expect((await add(parent.id, p.impl, '2200')).statusCode).toBe(201);
    expect((await add(child.id, p.impl, '2000')).statusCode).toBe(201);

    const res = await repA.get(`/api/v1/catalog/accounts/${child.id}/contract-prices?onDate=2026-06-01`);
    expect(res.statusCode, res.body).toBe(200);
    const effective = Object.fromEntries(res.json().effective.map((e: { productId: string; unitPrice: string; isInherited: boolean }) => [e.productId, [e.unitPrice, e.isInherited]]));
    expect(effective).toEqual({ [p.erp]: ['42000', true], [p.impl]: ['2000', false] });

    const denied = await repA.post(`/api/v1/catalog/accounts/${child.id}/contract-prices`, { productId: p.server, currency: 'CNY', unitPrice: '1', validFrom: '2026-01-01' });
    expect(denied.statusCode).toBe(403);
    const outsider = await (await t.as('repD')).get(`/api/v1/catalog/accounts/${child.id}/contract-prices`);
    expect(outsider.statusCode).toBe(404);
    expect(await countRows('catalog_contract_prices')).toBe(3);
  });
});
