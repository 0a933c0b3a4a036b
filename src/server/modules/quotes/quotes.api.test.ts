import { inflateRawSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../../shared/dates.ts';
import { newId } from '../../platform/ids.ts';
import { type TestApp, type TestClient, createTestApp, sql, steadyQueryCount } from '../../testing/test-app.ts';
import { ensureDefaultPipeline } from '../crm/pipeline-service.ts';

/**
 * Quotes over HTTP: created for a deal the caller can change, priced by the engine on every save
 * (manual prices in the MANUAL phase, floors enforced by role), frozen once sent, revised as new
 * versions; reads scoped like deals; every refusal leaves the database as it was.
 */

let t: TestApp;
let admin: TestClient;
let repA: TestClient;
const ids: Record<string, string> = {};
const today = localDate(new Date(), 'Asia/Shanghai');

async function ok<T>(res: LightMyRequestResponse): Promise<T> {
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as T;
}

async function created(res: LightMyRequestResponse): Promise<Record<string, unknown> & { id: string; version: number }> {
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

beforeAll(async () => {
  t = await createTestApp();
  await ensureDefaultPipeline(t.database.db);
  admin = await t.as('admin');
  repA = await t.as('repA');
  ids.erp = (
    await created(
      await admin.post('/api/v1/catalog/products', {
        sku: 'ERP-LIC',
        nameZh: 'ERP 许可',
        kind: 'license',
        unit: '套',
        taxPercent: '13',
        cost: { amount: '500.00', currency: 'CNY' },
      }),
    )
  ).id;
  ids.svc = (await created(await admin.post('/api/v1/catalog/products', { sku: 'SVC-DAY', nameZh: '实施人天', kind: 'service', unit: '人天', taxPercent: '6' }))).id;
  ids.unpriced = (await created(await admin.post('/api/v1/catalog/products', { sku: 'NO-PRICE', nameZh: '无价格产品', kind: 'hardware', unit: '台', taxPercent: '13' }))).id;
  const book = await created(await admin.post('/api/v1/catalog/price-books', { code: 'CN-Q', nameZh: '人民币价格表', currency: 'CNY', validFrom: '2026-01-01' }));
  ids.book = book.id;
  const entries = await admin.patch(`/api/v1/catalog/price-books/${book.id}/entries`, {
    version: book.version,
    currency: 'CNY',
    entries: [
      { productId: ids.erp, unitPrice: '1200' },
      { productId: ids.svc, unitPrice: '2000' },
    ],
  });
  expect(entries.statusCode, entries.body).toBe(200);
  const floor = await created(
    await admin.post('/api/v1/pricing/rules', {
      code: 'ERP-FLOOR',
      name: 'ERP 底价',
      definition: { scope: { product: { kind: 'product', productId: ids.erp } }, action: { type: 'floor', amounts: { CNY: '800' } }, phase: 'SYSTEM', priority: 1, combine: 'compound' },
    }),
  );
  ids.floorRule = floor.id;
  expect((await admin.post(`/api/v1/pricing/rules/${floor.id}/publish`, { version: floor.version })).statusCode).toBe(200);
  ids.account = (await created(await repA.post('/api/v1/crm/accounts', { nameZh: '测试报价客户', kind: 'enterprise', confirmSimilar: true }))).id;
  ids.deal = (
    await created(
      await repA.post('/api/v1/crm/opportunities', { name: '报价测试商机', accountId: ids.account, amount: { amount: '10000.00', currency: 'CNY' }, expectedCloseDate: today }),
    )
  ).id;
});

afterAll(async () => {
  await t?.close();
});

const count = async (table: string) => (await t.rows<{ n: number }>(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]!.n;

/** Everything a refused request must leave as it was. */
async function snapshot(quoteId: string) {
  const quote = await t.rows(sql`SELECT * FROM quotes WHERE id = ${quoteId}`);
  const versions = await t.rows(sql`SELECT * FROM quote_versions WHERE quote_id = ${quoteId} ORDER BY number`);
  const explanations = await t.rows(
    sql`SELECT x.* FROM quote_version_explanations x JOIN quote_versions v ON v.id = x.version_id WHERE v.quote_id = ${quoteId} ORDER BY v.number`,
  );
  const audit = await t.rows(sql`SELECT id FROM audit_log WHERE entity_type IN ('quote', 'quote_version') ORDER BY id`);
  const events = await t.rows(sql`SELECT id FROM outbox_events WHERE aggregate_type = 'quote' ORDER BY id`);
  return { quote, versions, explanations, audit, events, quotes: await count('quotes') };
}

function createBody(lines: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  return { opportunityId: ids.deal, priceBookId: ids.book, currency: 'CNY', lines, ...extra };
}

type Detail = {
  id: string;
  number: string;
  version: number;
  ownerId: string;
  versions: {
    id: string;
    number: number;
    status: string;
    version: number;
    pricingDate: string;
    validUntil: string;
    lines: { id: string }[];
    priced: Record<string, unknown>[];
    totals: Record<string, unknown>;
  }[];
};

async function newQuote(lines: Record<string, unknown>[] = [{ productId: ids.erp, quantity: 3, manualDiscountPercent: '10' }], extra: Record<string, unknown> = {}): Promise<Detail> {
  const res = await repA.post('/api/v1/quotes', createBody(lines, extra));
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('creating a quote', () => {
  it('prices v1 with the engine: manual discount, tax per line on the rounded net, totals, capitals, rule versions; idempotent', async () => {
    const headers = { 'idempotency-key': `quote-${newId()}` };
    const body = createBody([
      { productId: ids.erp, quantity: 3, manualDiscountPercent: '10', notes: '首年' },
      { productId: ids.svc, quantity: 3, manualUnitPrice: '333.333' },
    ]);
    const res = await repA.post('/api/v1/quotes', body, headers);
    expect(res.statusCode, res.body).toBe(201);
    const q = res.json() as Detail;
    expect(q.number).toMatch(/^Q-\d{4}-\d{6}$/);
    expect(q.ownerId).toBe(t.fixture.users.repA);
    expect(q).toMatchObject({ accountId: ids.account, accountName: '测试报价客户', accountNameEn: null, opportunityId: ids.deal, opportunityName: '报价测试商机' });
    expect(q.versions).toHaveLength(1);
    const v1 = q.versions[0]!;
    expect(v1).toMatchObject({ number: 1, status: 'draft', pricingDate: today });
    expect(v1.lines.map((l) => l.id)).toEqual(['L1', 'L2']);
    const [erp, svc] = v1.priced as Record<string, unknown>[];
    // 1 200 × (1 − 10 %) = 1 080 × 3 = 3 240.00; VAT 13 % = 421.20
    expect(erp).toMatchObject({ listUnit: '1200', netUnit: '1080', list: { amount: '3600.00' }, net: { amount: '3240.00' }, tax: { amount: '421.20' } });
    expect(erp!['rulesUsed']).toEqual([{ ruleId: ids.floorRule, code: 'ERP-FLOOR', version: 1 }]);
    // The unit price is kept unrounded; the line is rounded once: 333.333 × 3 = 999.999 → 1 000.00; VAT 6 % = 60.00
    expect(svc).toMatchObject({ netUnit: '333.333', list: { amount: '6000.00' }, net: { amount: '1000.00' }, tax: { amount: '60.00' } });
    // Σnet 4 240.00 + Σtax 481.20 = 4 721.20; discount 1 − 4 240 / 9 600 = 55.83 %
    expect(v1.totals).toMatchObject({
      list: { amount: '9600.00', currency: 'CNY' },
      net: { amount: '4240.00', currency: 'CNY' },
      discount: { amount: '5360.00', currency: 'CNY' },
      discountPercent: '55.83',
      tax: { amount: '481.20', currency: 'CNY' },
      grandTotal: { amount: '4721.20', currency: 'CNY' },
      grandTotalInWords: '肆仟柒佰贰拾壹元贰角',
      isCostComplete: false,
    });
    // Margin over the line with a cost: 3 240.00 − 3 × 500.00 = 1 740.00
    expect(v1.totals['margin']).toEqual({ amount: '1740.00', currency: 'CNY' });

    const quotes = await count('quotes');
    const replay = await repA.post('/api/v1/quotes', body, headers);
    expect(replay.statusCode).toBe(201);
    expect(replay.json().id).toBe(q.id);
    expect(await count('quotes')).toBe(quotes);
    const audit = await t.rows<{ action: string; entity_type: string }>(
      sql`SELECT action, entity_type FROM audit_log WHERE entity_id IN (${q.id}, ${v1.id}) ORDER BY entity_type`,
    );
    expect(audit).toEqual([
      { action: 'create', entity_type: 'quote' },
      { action: 'create', entity_type: 'quote_version' },
    ]);
  });

  it('refuses a zero quantity with the field path (400) and stores nothing', async () => {
    const before = await count('quotes');
    const res = await repA.post('/api/v1/quotes', createBody([{ productId: ids.erp, quantity: 0 }]));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('lines.0.quantity');
    expect(await count('quotes')).toBe(before);
  });

  it('refuses a currency other than the price book’s (422) and stores nothing', async () => {
    const before = await count('quotes');
    const res = await repA.post('/api/v1/quotes', createBody([{ productId: ids.erp, quantity: 1 }], { currency: 'USD' }));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'quotes.currency_mismatch', errors: [{ path: 'currency' }] });
    expect(await count('quotes')).toBe(before);
  });

  it('refuses a product the book has no price for (422 with the line path)', async () => {
    const before = await count('quotes');
    const res = await repA.post('/api/v1/quotes', createBody([{ productId: ids.erp, quantity: 1 }, { productId: ids.unpriced, quantity: 1 }]));
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ code: 'quotes.pricing_failed', errors: [{ path: 'lines.1.productId' }] });
    expect(await count('quotes')).toBe(before);
  });

  it('a manual price below the floor is refused for a rep and allowed for a role with floor override', async () => {
    const before = await count('quotes');
    const lines = [{ productId: ids.erp, quantity: 1, manualUnitPrice: '700' }];
    const res = await repA.post('/api/v1/quotes', createBody(lines));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'quotes.below_floor', errors: [{ path: 'lines.0.manualUnitPrice', message: expect.any(String) }] });
    expect(await count('quotes')).toBe(before);

    const ok = await admin.post('/api/v1/quotes', createBody(lines));
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().versions[0].priced[0]).toMatchObject({ netUnit: '700', belowFloor: true, floorOverride: true, floor: '800' });
  });

  it('a deal the caller cannot see is an invalid reference; one they can see but not change is forbidden', async () => {
    const before = await count('quotes');
    const repC = await t.as('repC');
    const hidden = await repC.post('/api/v1/quotes', createBody([{ productId: ids.erp, quantity: 1 }]));
    expect(hidden.statusCode).toBe(422);
    expect(hidden.json()).toMatchObject({ code: 'platform.reference_invalid', errors: [{ path: 'opportunityId' }] });
    const exec = await t.as('exec');
    expect((await exec.post('/api/v1/quotes', createBody([{ productId: ids.erp, quantity: 1 }]))).statusCode).toBe(403);
    expect(await count('quotes')).toBe(before);
  });
});

describe('reading quotes', () => {
  it('the owner, their manager and company-wide roles read it; another team gets 404 and an empty list', async () => {
    const q = await newQuote();
    for (const who of ['repA', 'managerT1', 'exec', 'finance'] as const) {
      const res = await (await t.as(who)).get(`/api/v1/quotes/${q.id}`);
      expect(res.statusCode, who).toBe(200);
      expect(res.json(), who).toMatchObject({ accountName: '测试报价客户', accountNameEn: null, opportunityName: '报价测试商机' });
    }
    const repC = await t.as('repC');
    const before = await snapshot(q.id);
    expect((await repC.get(`/api/v1/quotes/${q.id}`)).statusCode).toBe(404);
    expect((await repC.get(`/api/v1/quotes/versions/${q.versions[0]!.id}/explanation`)).statusCode).toBe(404);
    const list = await repC.get(`/api/v1/quotes?opportunityId=${ids.deal}`);
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([]);
    expect(await snapshot(q.id)).toEqual(before);
  });

  it('lists a deal’s quotes newest first with a cursor', async () => {
    await newQuote();
    const first = await repA.get(`/api/v1/quotes?opportunityId=${ids.deal}&limit=1`);
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items).toHaveLength(1);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const second = (await repA.get(`/api/v1/quotes?opportunityId=${ids.deal}&limit=1&cursor=${page1.nextCursor}`)).json();
    expect(second.items).toHaveLength(1);
    expect(second.items[0].id).not.toBe(page1.items[0].id);
    expect(second.items[0].createdAt <= page1.items[0].createdAt).toBe(true);
    expect(page1.items[0].total).toMatchObject({ currency: 'CNY' });
    for (const item of [...page1.items, ...second.items]) {
      expect(item).toMatchObject({ accountId: ids.account, accountName: '测试报价客户', accountNameEn: null, opportunityName: '报价测试商机' });
    }
  });

  it('names the account of a deal quoted by its owner even when the account is outside the owner’s scope', async () => {
    const account = await created(
      await admin.post('/api/v1/crm/accounts', { nameZh: '代管报价客户', nameEn: 'Managed Quote Customer', kind: 'enterprise', ownerId: t.fixture.users.repD, confirmSimilar: true }),
    );
    const deal = await created(
      await admin.post('/api/v1/crm/opportunities', {
        name: '代管报价商机',
        accountId: account.id,
        ownerId: t.fixture.users.repA,
        amount: { amount: '5000.00', currency: 'CNY' },
        expectedCloseDate: today,
      }),
    );
    expect((await repA.get(`/api/v1/crm/accounts/${account.id}`)).statusCode).toBe(404);
    const q = await newQuote([{ productId: ids.erp, quantity: 1 }], { opportunityId: deal.id });
    const names = { accountId: account.id, accountName: '代管报价客户', accountNameEn: 'Managed Quote Customer', opportunityName: '代管报价商机' };
    expect(q).toMatchObject(names);
    expect((await repA.get(`/api/v1/quotes/${q.id}`)).json()).toMatchObject(names);
    expect((await repA.get(`/api/v1/quotes?opportunityId=${deal.id}`)).json().items).toEqual([expect.objectContaining({ id: q.id, ...names })]);
    // The name is all it gives away: the account itself stays closed to the rep.
    expect((await repA.get(`/api/v1/crm/accounts/${account.id}`)).statusCode).toBe(404);
  });

  it('answers a page with a constant number of queries, whatever its length (names in one query per module)', async () => {
    // Five more deals on five more accounts, two quotes on each: the newest ten, on five of each.
    const expected = new Map<string, { accountName: string; opportunityName: string }>();
    for (let i = 0; i < 5; i++) {
      const account = await created(await repA.post('/api/v1/crm/accounts', { nameZh: `报价名称客户${i}`, kind: 'enterprise', confirmSimilar: true }));
      const deal = await created(
        await repA.post('/api/v1/crm/opportunities', { name: `报价名称商机${i}`, accountId: account.id, amount: { amount: '1000.00', currency: 'CNY' }, expectedCloseDate: today }),
      );
      for (let k = 0; k < 2; k++) {
        const q = await newQuote([{ productId: ids.erp, quantity: 1 }], { opportunityId: deal.id });
        expected.set(q.id, { accountName: `报价名称客户${i}`, opportunityName: `报价名称商机${i}` });
      }
    }
    const manager = await t.as('managerT1');
    // The fewest of three identical requests (steadyQueryCount: per-process caches).
    const steady = (url: string) => steadyQueryCount(t, () => manager.get(url));
    const one = await steady('/api/v1/quotes?limit=1');
    const ten = await steady('/api/v1/quotes?limit=10');
    expect(one.res.json().items).toHaveLength(1);
    const items = ten.res.json().items as { id: string; accountName: string; opportunityName: string }[];
    expect(new Set(items.map((i) => i.id))).toEqual(new Set(expected.keys()));
    for (const item of items) expect(item).toMatchObject(expected.get(item.id)!);
    expect(ten.n, `limit=1: ${one.n}, limit=10: ${ten.n}`).toBe(one.n);
    // The session, the page, the accounts' names, the deals' names: a handful, not one per row.
    expect(ten.n).toBeLessThanOrEqual(4);
  });

  it('explains every line in the caller’s language with the rule versions used', async () => {
    const q = await newQuote();
    const res = await repA.get(`/api/v1/quotes/versions/${q.versions[0]!.id}/explanation`);
    expect(res.statusCode, res.body).toBe(200);
    const line = res.json().lines[0];
    expect(line.rulesUsed).toEqual([{ ruleId: ids.floorRule, code: 'ERP-FLOOR', version: 1 }]);
    expect(line.steps.length).toBeGreaterThan(0);
    expect(line.steps.some((s: { type: string }) => s.type === 'manual')).toBe(true);
  });

  it('keeps explanations apart from the priced lines: one line on request, replaced by the next save, each distinct step stored once', async () => {
    type Explained = { lines: { lineId: string; steps: { type: string; ruleId: string | null; text: string }[] }[] };
    // A rule whose condition on the customer is false is dismissed for the whole quote: the same step on every line it scopes.
    const never = await created(
      await admin.post('/api/v1/pricing/rules', {
        code: 'ERP-NEVER',
        name: '不适用的折扣',
        definition: {
          scope: { product: { kind: 'product', productId: ids.erp } },
          condition: 'customer.region == "no-such-region"',
          action: { type: 'percentDiscount', percent: '50' },
          phase: 'SYSTEM',
          priority: 1,
          combine: 'exclusive',
        },
      }),
    );
    expect((await admin.post(`/api/v1/pricing/rules/${never.id}/publish`, { version: never.version })).statusCode).toBe(200);
    const q = await newQuote([
      { id: 'A', productId: ids.erp, quantity: 2 },
      { id: 'B', productId: ids.erp, quantity: 4 },
    ]);
    const v1 = q.versions[0]!;
    // The quote carries no explanation: it is read with /explanation.
    expect(v1.priced.every((l) => !('explanation' in l))).toBe(true);
    const all = await ok<Explained>(await repA.get(`/api/v1/quotes/versions/${v1.id}/explanation`));
    expect(all.lines.map((l) => l.lineId)).toEqual(['A', 'B']);
    const one = await ok<Explained>(await repA.get(`/api/v1/quotes/versions/${v1.id}/explanation?lineId=B`));
    expect(one.lines).toEqual([all.lines[1]]);
    expect((await ok<Explained>(await repA.get(`/api/v1/quotes/versions/${v1.id}/explanation?lineId=Z`))).lines).toEqual([]);
    // The dismissed rule is one step on both lines: stored once, referenced twice.
    const [row] = await t.rows<{ packed: Uint8Array; steps: unknown }>(sql`SELECT packed, steps FROM quote_version_explanations WHERE version_id = ${v1.id}`);
    expect(row!.steps).toBeNull();
    const stored = JSON.parse(inflateRawSync(Buffer.from(row!.packed)).toString('utf8')) as { steps: { type: string }[]; lines: Record<string, number[]> };
    // Step data (rendered when read), not texts.
    expect(stored.steps.every((s) => !('zh' in s))).toBe(true);
    const used = [...stored!.lines['A']!, ...stored!.lines['B']!];
    expect(stored!.steps.length).toBeLessThan(used.length);
    expect(new Set(used).size).toBe(stored!.steps.length);
    expect(all.lines[0]!.steps.filter((s) => s.ruleId === never.id)).toEqual(all.lines[1]!.steps.filter((s) => s.ruleId === never.id));
    expect(all.lines[0]!.steps.filter((s) => s.ruleId === never.id)).toHaveLength(1);
    expect(all.lines[0]!.steps.some((s) => s.type === 'manual')).toBe(false);

    // A save re-prices and replaces the explanations with the new ones.
    const saved = await ok<Detail>(
      await repA.patch(`/api/v1/quotes/versions/${v1.id}`, { version: v1.version, lines: [{ id: 'A', productId: ids.erp, quantity: 2, manualDiscountPercent: '5' }] }),
    );
    expect(saved.versions[0]!.priced.every((l) => !('explanation' in l))).toBe(true);
    const after = await ok<Explained>(await repA.get(`/api/v1/quotes/versions/${v1.id}/explanation`));
    expect(after.lines.map((l) => l.lineId)).toEqual(['A']);
    expect(after.lines[0]!.steps.some((s) => s.type === 'manual')).toBe(true);
    expect((await t.rows(sql`SELECT 1 FROM quote_version_explanations WHERE version_id = ${v1.id}`)).length).toBe(1);
  });
});

describe('editing a draft', () => {
  it('re-prices on save and bumps the version; a stale version is 409 and changes nothing', async () => {
    const q = await newQuote();
    const v1 = q.versions[0]!;
    const res = await repA.patch(`/api/v1/quotes/versions/${v1.id}`, { version: v1.version, lines: [{ id: 'L1', productId: ids.erp, quantity: 5 }] });
    expect(res.statusCode, res.body).toBe(200);
    const after = (res.json() as Detail).versions[0]!;
    expect(after.version).toBe(v1.version + 1);
    // 5 × 1 200 = 6 000.00 + 13 % = 6 780.00
    expect(after.totals['grandTotal']).toEqual({ amount: '6780.00', currency: 'CNY' });

    const before = await snapshot(q.id);
    const stale = await repA.patch(`/api/v1/quotes/versions/${v1.id}`, { version: v1.version, lines: [{ productId: ids.erp, quantity: 9 }] });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('platform.version_conflict');
    expect(await snapshot(q.id)).toEqual(before);
  });

  it('a zero quantity on save is 400 and changes nothing', async () => {
    const q = await newQuote();
    const v1 = q.versions[0]!;
    const before = await snapshot(q.id);
    const res = await repA.patch(`/api/v1/quotes/versions/${v1.id}`, { version: v1.version, lines: [{ productId: ids.erp, quantity: -1 }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('lines.0.quantity');
    expect(await snapshot(q.id)).toEqual(before);
  });

  it('a reader without write is 403, another team 404; neither changes anything', async () => {
    const q = await newQuote();
    const v1 = q.versions[0]!;
    const before = await snapshot(q.id);
    const exec = await t.as('exec');
    const forbidden = await exec.patch(`/api/v1/quotes/versions/${v1.id}`, { version: v1.version, terms: '改' });
    expect(forbidden.statusCode).toBe(403);
    const repC = await t.as('repC');
    expect((await repC.patch(`/api/v1/quotes/versions/${v1.id}`, { version: v1.version, terms: '改' })).statusCode).toBe(404);
    expect((await exec.post(`/api/v1/quotes/versions/${v1.id}/send`, { version: v1.version })).statusCode).toBe(403);
    expect((await repC.post(`/api/v1/quotes/${q.id}/versions`, { version: q.version })).statusCode).toBe(404);
    expect(await snapshot(q.id)).toEqual(before);
  });
});

describe('sending and revising', () => {
  it('sending freezes the version and publishes quote.sent for the timeline; changes need a new version', async () => {
    const q = await newQuote();
    const v1 = q.versions[0]!;
    const sent = await repA.post(`/api/v1/quotes/versions/${v1.id}/send`, { version: v1.version });
    expect(sent.statusCode, sent.body).toBe(200);
    const afterSend = sent.json() as Detail;
    expect(afterSend.versions[0]!.status).toBe('sent');
    const [event] = await t.rows<{ type: string; payload: Record<string, unknown> }>(
      sql`SELECT type, payload FROM outbox_events WHERE aggregate_id = ${q.id} AND type = 'quote.sent'`,
    );
    expect(event!.payload).toEqual({
      accountId: ids.account,
      opportunityId: ids.deal,
      quoteId: q.id,
      versionId: v1.id,
      number: q.number,
      versionNo: 1,
      total: v1.totals['grandTotal'],
      validUntil: v1.validUntil,
    });
    await t.app.outbox.drain();
    const timeline = await repA.get(`/api/v1/crm/timeline?subjectType=opportunity&subjectId=${ids.deal}&limit=200`);
    expect(timeline.statusCode, timeline.body).toBe(200);
    const entry = (timeline.json().items as { kind: string; summary: Record<string, unknown> }[]).find((e) => e.kind === 'quote.sent' && e.summary['quoteId'] === q.id);
    expect(entry?.summary).toMatchObject({ number: q.number, versionNo: 1, total: v1.totals['grandTotal'] });

    const before = await snapshot(q.id);
    const frozen = await repA.patch(`/api/v1/quotes/versions/${v1.id}`, { version: v1.version + 1, terms: '改' });
    expect(frozen.statusCode).toBe(409);
    expect(frozen.json().code).toBe('quotes.version_not_editable');
    expect((await repA.post(`/api/v1/quotes/versions/${v1.id}/send`, { version: v1.version + 1 })).json().code).toBe('quotes.version_not_editable');
    expect((await repA.post(`/api/v1/quotes/${q.id}/versions`, { version: q.version })).statusCode).toBe(409);
    expect(await snapshot(q.id)).toEqual(before);

    const revised = await repA.post(`/api/v1/quotes/${q.id}/versions`, { version: afterSend.version });
    expect(revised.statusCode, revised.body).toBe(201);
    const detail = revised.json() as Detail;
    const v2 = detail.versions[1]!;
    expect(v2).toMatchObject({ number: 2, status: 'draft', pricingDate: v1.pricingDate, validUntil: v1.validUntil });
    expect(v2.lines).toEqual(v1.lines);
    expect(v2.totals).toEqual(v1.totals);
    const again = await repA.post(`/api/v1/quotes/${q.id}/versions`, { version: detail.version });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('quotes.draft_exists');

    const sent2 = await repA.post(`/api/v1/quotes/versions/${v2.id}/send`, { version: v2.version });
    expect(sent2.statusCode).toBe(200);
    expect((sent2.json() as Detail).versions.map((v) => v.status)).toEqual(['superseded', 'sent']);
  });

  it('a revision after valid-until is re-priced at today', async () => {
    const q = await newQuote([{ productId: ids.erp, quantity: 2 }], { pricingDate: '2026-02-01', validUntil: '2026-02-28' });
    const v1 = q.versions[0]!;
    const sent = (await repA.post(`/api/v1/quotes/versions/${v1.id}/send`, { version: v1.version })).json() as Detail;
    const res = await repA.post(`/api/v1/quotes/${q.id}/versions`, { version: sent.version });
    expect(res.statusCode, res.body).toBe(201);
    const v2 = (res.json() as Detail).versions[1]!;
    // Valid 27 days (1 → 28 February), counted again from today.
    const expectedUntil = new Date(Date.parse(`${today}T00:00:00Z`) + 27 * 86_400_000).toISOString().slice(0, 10);
    expect(v2).toMatchObject({ pricingDate: today, validUntil: expectedUntil });
    const [audit] = await t.rows<{ changes: Record<string, unknown> }>(sql`SELECT changes FROM audit_log WHERE entity_id = ${v2.id}`);
    expect(audit!.changes['repriced']).toEqual([null, true]);
  });
});
