import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../../shared/dates.ts';
import type { Role } from '../../../shared/roles.ts';
import type { Actor, ServiceContext } from '../../platform/context.ts';
import { withTx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { type FixtureUnit, type FixtureUser, type TestApp, type TestClient, createTestApp, sql, steadyQueryCount } from '../../testing/test-app.ts';
import { ensureDefaultPipeline } from '../crm/pipeline-service.ts';
import { lineEventEntries } from '../crm/timeline.ts';
import type { QuoteLineInput, QuotePricedLine, QuoteTotals } from '../quotes/contract.ts';
import type { BillingPlanInput, Contract, ContractDetail } from './contract.ts';
import { loadContractProducts, signContractFromQuote } from './service.ts';

/**
 * Contracts over HTTP. A contract is signed only in a quote's acceptance (the quotes service calls
 * signContractFromQuote in its transaction); here it is signed by calling that function the same
 * way, with a version priced through the quotes API. Then: reads scoped like deals, amendments
 * that recompute exactly and keep what fell due, and refusals that leave the database as it was.
 */

let t: TestApp;
let admin: TestClient;
let repA: TestClient;
let finance: TestClient;
const ids: Record<string, string> = {};
const today = localDate(new Date(), 'Asia/Shanghai');

async function created(res: LightMyRequestResponse): Promise<Record<string, unknown> & { id: string; version: number }> {
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

type QuoteDetail = {
  id: string;
  number: string;
  opportunityId: string;
  accountId: string;
  ownerId: string;
  unitId: string;
  currency: 'CNY';
  versions: { id: string; number: number; termMonths: number | null; lines: QuoteLineInput[]; priced: QuotePricedLine[]; totals: QuoteTotals }[];
};

beforeAll(async () => {
  t = await createTestApp();
  await ensureDefaultPipeline(t.database.db);
  admin = await t.as('admin');
  repA = await t.as('repA');
  finance = await t.as('finance');
  ids.erp = (await created(await admin.post('/api/v1/catalog/products', { sku: 'C-ERP', nameZh: 'ERP 许可', nameEn: 'ERP licence', kind: 'license', unit: '套', taxPercent: '13' }))).id;
  ids.svc = (await created(await admin.post('/api/v1/catalog/products', { sku: 'C-SVC', nameZh: '实施人天', kind: 'service', unit: '人天', taxPercent: '6' }))).id;
  ids.hw = (await created(await admin.post('/api/v1/catalog/products', { sku: 'C-HW', nameZh: '服务器', kind: 'hardware', unit: '台', taxPercent: '13' }))).id;
  const book = await created(await admin.post('/api/v1/catalog/price-books', { code: 'CN-C', nameZh: '合同测试价格表', currency: 'CNY', validFrom: '2026-01-01' }));
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
  ids.account = (await created(await repA.post('/api/v1/crm/accounts', { nameZh: '合同测试客户', kind: 'enterprise', confirmSimilar: true }))).id;
  ids.deal = (
    await created(
      await repA.post('/api/v1/crm/opportunities', { name: '合同测试商机', accountId: ids.account, amount: { amount: '10000.00', currency: 'CNY' }, expectedCloseDate: today }),
    )
  ).id;
});

afterAll(async () => {
  await t?.close();
});

const ACTORS: Partial<Record<FixtureUser, { roles: Role[]; unit: FixtureUnit }>> = {
  repA: { roles: ['sales_rep'], unit: 't1' },
  admin: { roles: ['admin'], unit: 'company' },
};

function contextOf(who: 'repA' | 'admin'): ServiceContext {
  const a = ACTORS[who]!;
  const actor: Actor = {
    userId: t.fixture.users[who],
    roles: a.roles,
    unitId: t.fixture.units[a.unit],
    subtreeUnitIds: [t.fixture.units[a.unit]],
    locale: 'zh-CN',
    timeZone: 'Asia/Shanghai',
    via: 'session',
  };
  return { db: t.database.db, actor, requestId: `test-${newId()}`, now: new Date() };
}

/** v1 of a new quote by repA: ERP 3 × 1 200 − 10 % and 3 service days at 333.333 (the lead's acceptance prices the same way). */
async function newQuote(extra: Record<string, unknown> = {}): Promise<QuoteDetail> {
  const res = await repA.post('/api/v1/quotes', {
    opportunityId: ids.deal,
    priceBookId: ids.book,
    currency: 'CNY',
    lines: [
      { productId: ids.erp, quantity: 3, manualDiscountPercent: '10' },
      { productId: ids.svc, quantity: 3, manualUnitPrice: '333.333' },
    ],
    ...extra,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function sign(q: QuoteDetail, billing: BillingPlanInput, extra: { signedDate?: string; startDate?: string; customerReference?: string } = {}): Promise<Contract> {
  const v = q.versions[0]!;
  const ctx = contextOf('repA');
  const productNames = await loadContractProducts(t.database.db, v.priced.map((l) => l.productId));
  return withTx(t.database.db, (tx) =>
    signContractFromQuote(tx, ctx, {
      quote: { id: q.id, number: q.number, opportunityId: q.opportunityId, accountId: q.accountId, ownerId: q.ownerId, unitId: q.unitId, currency: 'CNY' },
      version: { id: v.id, number: v.number, termMonths: v.termMonths, lines: v.lines, priced: v.priced, totals: v.totals },
      billing,
      signedDate: extra.signedDate ?? today,
      ...(extra.startDate ? { startDate: extra.startDate } : {}),
      ...(extra.customerReference ? { customerReference: extra.customerReference } : {}),
      productNames,
    }),
  );
}

const MILESTONES: BillingPlanInput = {
  type: 'milestone',
  milestones: [
    { name: '签约', percent: '30' },
    { name: '上线', percent: '30' },
    { name: '终验', percent: '40' },
  ],
};

const count = async (table: string) => (await t.rows<{ n: number }>(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]!.n;

/** Everything a refused request must leave as it was. */
async function snapshot(contractId: string) {
  return {
    contract: await t.rows(sql`SELECT * FROM contracts WHERE id = ${contractId}`),
    amendments: await t.rows(sql`SELECT * FROM contract_amendments WHERE contract_id = ${contractId} ORDER BY number`),
    audit: await t.rows(sql`SELECT id FROM audit_log WHERE entity_type IN ('contract', 'contract_amendment') ORDER BY id`),
    events: await t.rows(sql`SELECT id FROM outbox_events WHERE aggregate_type = 'contract' ORDER BY id`),
  };
}

function amendBody(c: { version: number }, changes: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { version: c.version, effectiveDate: today, reason: '客户追加采购', changes, ...extra };
}

describe('signing a contract from a quote version', () => {
  it('freezes the counted lines with their products, the totals and the schedule; numbers it; audits; publishes contract.signed', async () => {
    const q = await newQuote();
    const c = await sign(q, MILESTONES, { customerReference: 'PO-7788' });
    expect(c.number).toMatch(/^C-\d{4}-\d{6}$/);
    expect(c).toMatchObject({
      quoteId: q.id,
      quoteVersionId: q.versions[0]!.id,
      opportunityId: ids.deal,
      accountId: ids.account,
      ownerId: t.fixture.users.repA,
      unitId: t.fixture.units.t1,
      signedBy: t.fixture.users.repA,
      status: 'active',
      signedDate: today,
      startDate: today,
      endDate: null,
      billingType: 'milestone',
      customerReference: 'PO-7788',
      version: 1,
      amendmentCount: 0,
    });
    // 1 200 × 0.9 = 1 080 × 3 = 3 240.00, VAT 13 % = 421.20; 333.333 × 3 = 999.999 → 1 000.00, VAT 6 % = 60.00
    expect(c.lines).toEqual([
      expect.objectContaining({ lineId: 'L1', productId: ids.erp, sku: 'C-ERP', nameZh: 'ERP 许可', nameEn: 'ERP licence', unit: '套', quantity: 3, netUnit: '1080', listUnit: '1200', net: { amount: '3240.00', currency: 'CNY' }, tax: { amount: '421.20', currency: 'CNY' }, taxPercent: '13' }),
      expect.objectContaining({ lineId: 'L2', productId: ids.svc, sku: 'C-SVC', nameEn: null, unit: '人天', quantity: 3, netUnit: '333.333', net: { amount: '1000.00', currency: 'CNY' }, tax: { amount: '60.00', currency: 'CNY' }, taxPercent: '6' }),
    ]);
    // Σnet 4 240.00 + Σtax 481.20 = 4 721.20 (the quote's own totals)
    const qt = q.versions[0]!.totals;
    expect(c.totals).toEqual({ list: qt.list, net: qt.net, discount: qt.discount, tax: qt.tax, grandTotal: qt.grandTotal });
    expect(c.totals.grandTotal).toEqual({ amount: '4721.20', currency: 'CNY' });
    // 4 721.20 × 30 % = 1 416.36 (twice), × 40 % = 1 888.48 → 4 721.20 exactly
    expect(c.billing.map((i) => [i.seq, i.label.zh, i.dueDate, i.percent, i.amount.amount])).toEqual([
      [1, '签约', null, '30.00', '1416.36'],
      [2, '上线', null, '30.00', '1416.36'],
      [3, '终验', null, '40.00', '1888.48'],
    ]);

    const detail = await repA.get(`/api/v1/contracts/${c.id}`);
    expect(detail.statusCode, detail.body).toBe(200);
    expect(detail.json()).toMatchObject({ id: c.id, number: c.number, lines: c.lines, billing: c.billing, amendments: [] });

    const [event] = await t.rows<{ type: string; payload: Record<string, unknown>; actor_id: string; occurred_at: Date }>(
      sql`SELECT type, payload, actor_id, occurred_at FROM outbox_events WHERE aggregate_type = 'contract' AND aggregate_id = ${c.id}`,
    );
    expect(event!.type).toBe('contract.signed');
    expect(event!.payload).toEqual({
      accountId: ids.account,
      opportunityId: ids.deal,
      contractId: c.id,
      number: c.number,
      name: '合同测试商机',
      amount: { amount: '4721.20', currency: 'CNY' },
      signedOn: today,
      quoteId: q.id,
      quoteVersionId: q.versions[0]!.id,
      quoteNumber: q.number,
      quoteVersionNo: 1,
      ownerId: t.fixture.users.repA,
      unitId: t.fixture.units.t1,
      currency: 'CNY',
      net: { amount: '4240.00', currency: 'CNY' },
      tax: { amount: '481.20', currency: 'CNY' },
      grandTotal: { amount: '4721.20', currency: 'CNY' },
      billingType: 'milestone',
      startDate: today,
      endDate: null,
      lines: [
        { lineId: 'L1', productId: ids.erp, quantity: 3, net: { amount: '3240.00', currency: 'CNY' } },
        { lineId: 'L2', productId: ids.svc, quantity: 3, net: { amount: '1000.00', currency: 'CNY' } },
      ],
    });
    // The CRM timeline accepts it: an entry on the account's and the deal's timelines, linked to the contract.
    const entries = lineEventEntries({ type: event!.type, occurredAt: new Date(), actorId: event!.actor_id, payload: event!.payload }, { actorName: null });
    expect(entries.map((e) => [e.subjectType, e.subjectId, e.linkType, e.linkId])).toEqual([
      ['account', ids.account, 'contract', c.id],
      ['opportunity', ids.deal, 'contract', c.id],
    ]);
    expect(entries[0]!.summary).toMatchObject({ number: c.number, name: '合同测试商机', amount: { amount: '4721.20' }, signedOn: today });

    const audit = await t.rows<{ action: string; actor_id: string; changes: Record<string, [unknown, unknown]> }>(
      sql`SELECT action, actor_id, changes FROM audit_log WHERE entity_type = 'contract' AND entity_id = ${c.id}`,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'sign', actor_id: t.fixture.users.repA });
    expect(audit[0]!.changes['number']).toEqual([null, c.number]);
    expect(audit[0]!.changes['grandTotal']).toEqual([null, { amount: '4721.20', currency: 'CNY' }]);
  });

  it('a subscription bills each period of the quote’s term and ends the day before start + term', async () => {
    const q = await newQuote({ termMonths: 10 });
    const c = await sign(q, { type: 'subscription', periodMonths: 3 }, { signedDate: '2026-03-10', startDate: '2026-03-15' });
    expect(c).toMatchObject({ billingType: 'subscription', startDate: '2026-03-15', endDate: '2027-01-14' });
    // 4 721.20 by months 3:3:3:1 → 1 416.36, 1 416.36, 1 416.36, 472.12 = 4 721.20
    expect(c.billing.map((i) => [i.periodStart, i.periodEnd, i.dueDate, i.amount.amount])).toEqual([
      ['2026-03-15', '2026-06-14', '2026-03-15', '1416.36'],
      ['2026-06-15', '2026-09-14', '2026-06-15', '1416.36'],
      ['2026-09-15', '2026-12-14', '2026-09-15', '1416.36'],
      ['2026-12-15', '2027-01-14', '2026-12-15', '472.12'],
    ]);
  });

  it('refuses a plan that cannot be scheduled (422 with the field path) and a version signed twice (409); nothing is stored', async () => {
    const q = await newQuote();
    const before = await count('contracts');
    const events = await count('outbox_events');
    const bad: BillingPlanInput = { type: 'milestone', milestones: [...(MILESTONES.type === 'milestone' ? MILESTONES.milestones.slice(0, 2) : []), { name: '尾款', percent: '0' }] };
    const err = await sign(q, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'contracts.invalid_billing_plan', status: 422, options: { errors: [{ path: 'billing.milestones.2.percent' }] } });
    const noTerm = await sign(q, { type: 'subscription', periodMonths: 1 }).catch((e: unknown) => e);
    expect(noTerm).toMatchObject({ code: 'contracts.invalid_billing_plan', options: { errors: [{ path: 'billing.type' }] } });
    expect(await count('contracts')).toBe(before);
    expect(await count('outbox_events')).toBe(events);

    await sign(q, { type: 'one_time' });
    const again = await sign(q, { type: 'one_time' }).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'contracts.already_signed', status: 409 });
    expect(await count('contracts')).toBe(before + 1);
  });
});

describe('reading contracts', () => {
  let c: Contract;
  beforeAll(async () => {
    c = await sign(await newQuote(), { type: 'one_time' });
  });

  it('the owner, their managers and company-wide roles read it; another rep gets 404 and nothing changes', async () => {
    const names = { accountId: ids.account, accountName: '合同测试客户', accountNameEn: null, opportunityId: ids.deal, opportunityName: '合同测试商机' };
    for (const who of ['repA', 'managerT1', 'director', 'exec', 'finance', 'admin'] as const) {
      const res = await (await t.as(who)).get(`/api/v1/contracts/${c.id}`);
      expect(res.statusCode, who).toBe(200);
      expect(res.json(), who).toMatchObject(names);
      const list = await (await t.as(who)).get(`/api/v1/contracts?accountId=${ids.account}&limit=200`);
      expect(list.json().items.map((i: { id: string }) => i.id), who).toContain(c.id);
      expect(list.json().items.find((i: { id: string }) => i.id === c.id), who).toMatchObject(names);
    }
    const before = await snapshot(c.id);
    for (const who of ['repB', 'repC', 'repD'] as const) {
      const client = await t.as(who);
      const res = await client.get(`/api/v1/contracts/${c.id}`);
      expect(res.statusCode, who).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const list = await client.get(`/api/v1/contracts?opportunityId=${ids.deal}`);
      expect(list.statusCode).toBe(200);
      expect(list.json().items, who).toEqual([]);
    }
    expect(await snapshot(c.id)).toEqual(before);
  });

  it('names each contract’s account (English name too) and deal, with a constant number of queries per page', async () => {
    // Three more deals on three more accounts, one with an English name: a contract on each.
    const expected = new Map<string, { accountName: string; accountNameEn: string | null; opportunityName: string }>();
    for (let i = 0; i < 3; i++) {
      const nameEn = i === 0 ? 'Contract Names Ltd' : undefined;
      const account = await created(await repA.post('/api/v1/crm/accounts', { nameZh: `合同名称客户${i}`, ...(nameEn ? { nameEn } : {}), kind: 'enterprise', confirmSimilar: true }));
      const deal = await created(
        await repA.post('/api/v1/crm/opportunities', { name: `合同名称商机${i}`, accountId: account.id, amount: { amount: '1000.00', currency: 'CNY' }, expectedCloseDate: today }),
      );
      const signed = await sign(await newQuote({ opportunityId: deal.id }), { type: 'one_time' });
      expected.set(signed.id, { accountName: `合同名称客户${i}`, accountNameEn: nameEn ?? null, opportunityName: `合同名称商机${i}` });
    }
    const fewest = (url: string) => steadyQueryCount(t, () => finance.get(url));
    const one = await fewest('/api/v1/contracts?limit=1');
    const three = await fewest('/api/v1/contracts?limit=3');
    expect(one.res.json().items).toHaveLength(1);
    const items = three.res.json().items as { id: string }[];
    expect(new Set(items.map((i) => i.id))).toEqual(new Set(expected.keys()));
    for (const item of items) expect(item).toMatchObject(expected.get(item.id)!);
    expect(three.n, `limit=1: ${one.n}, limit=3: ${three.n}`).toBe(one.n);
    const [first] = expected.keys();
    expect((await finance.get(`/api/v1/contracts/${first}`)).json()).toMatchObject(expected.get(first!)!);
  });

  it('lists newest first with a cursor, a grand total per item, and filters by status and owner', async () => {
    const first = (await finance.get(`/api/v1/contracts?opportunityId=${ids.deal}&limit=1`)).json();
    expect(first.items).toHaveLength(1);
    expect(first.items[0].grandTotal).toEqual({ amount: '4721.20', currency: 'CNY' });
    expect(first.items[0]).not.toHaveProperty('lines');
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await finance.get(`/api/v1/contracts?opportunityId=${ids.deal}&limit=1&cursor=${first.nextCursor}`)).json();
    expect(second.items[0].id).not.toBe(first.items[0].id);
    expect(second.items[0].createdAt <= first.items[0].createdAt).toBe(true);

    const all = (await finance.get(`/api/v1/contracts?accountId=${ids.account}&limit=200`)).json().items as { id: string; createdAt: string }[];
    const sorted = [...all].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    expect(all.map((i) => i.createdAt)).toEqual(sorted.map((i) => i.createdAt));
    expect((await finance.get(`/api/v1/contracts?status=terminated&accountId=${ids.account}`)).json().items.map((i: { status: string }) => i.status)).not.toContain('active');
    expect((await finance.get(`/api/v1/contracts?ownerId=${t.fixture.users.repB}`)).json().items).toEqual([]);
    expect((await finance.get('/api/v1/contracts?cursor=bogus')).statusCode).toBe(400);
  });
});

describe('amending a contract', () => {
  it('recomputes the changed lines exactly, re-splits the open installments, numbers the amendment, audits and publishes; idempotent', async () => {
    const c = await sign(await newQuote(), MILESTONES);
    const headers = { 'idempotency-key': `amend-${newId()}` };
    const body = amendBody(c, {
      lines: {
        update: [
          { lineId: 'L1', quantity: 4 },
          { lineId: 'L2', netUnit: '333.335' },
        ],
      },
    });
    const res = await finance.post(`/api/v1/contracts/${c.id}/amendments`, body, headers);
    expect(res.statusCode, res.body).toBe(201);
    const d = res.json() as ContractDetail;
    // ERP 1 080 × 4 = 4 320.00, VAT 13 % = 561.60; service 333.335 × 3 = 1 000.005 → 1 000.01 (half-up), VAT 6 % = 60.0006 → 60.00
    expect(d.lines.map((l) => [l.lineId, l.quantity, l.netUnit, l.net.amount, l.tax.amount])).toEqual([
      ['L1', 4, '1080', '4320.00', '561.60'],
      ['L2', 3, '333.335', '1000.01', '60.00'],
    ]);
    // list: 1 200 × 4 = 4 800.00 + 6 000.00 (unchanged service list) = 10 800.00
    expect(d.totals).toEqual({
      list: { amount: '10800.00', currency: 'CNY' },
      net: { amount: '5320.01', currency: 'CNY' },
      discount: { amount: '5479.99', currency: 'CNY' },
      tax: { amount: '621.60', currency: 'CNY' },
      grandTotal: { amount: '5941.61', currency: 'CNY' },
    });
    // Nothing fell due (undated milestones): 5 941.61 re-split 3:3:4 → 1 782.483, 1 782.483, 2 376.644;
    // floors 1 782.48 + 1 782.48 + 2 376.64 = 5 941.60, the cent to the largest fraction (the third).
    expect(d.billing.map((i) => i.amount.amount)).toEqual(['1782.48', '1782.48', '2376.65']);
    expect(d).toMatchObject({ version: 2, amendmentCount: 1, status: 'active', accountName: '合同测试客户', opportunityName: '合同测试商机' });
    expect(d.amendments).toHaveLength(1);
    expect(d.amendments[0]).toMatchObject({ number: 1, effectiveDate: today, reason: '客户追加采购', createdBy: t.fixture.users.finance });
    expect(d.amendments[0]!.before.totals.grandTotal.amount).toBe('4721.20');
    expect(d.amendments[0]!.after.totals.grandTotal.amount).toBe('5941.61');

    const replay = await finance.post(`/api/v1/contracts/${c.id}/amendments`, body, headers);
    expect(replay.statusCode).toBe(201);
    expect(replay.json().amendments).toHaveLength(1);
    expect(await t.rows(sql`SELECT id FROM contract_amendments WHERE contract_id = ${c.id}`)).toHaveLength(1);

    const audit = await t.rows<{ entity_type: string; action: string }>(
      sql`SELECT entity_type, action FROM audit_log WHERE entity_id IN (${c.id}, ${d.amendments[0]!.id}) ORDER BY entity_type, action`,
    );
    expect(audit).toEqual([
      { entity_type: 'contract', action: 'amend' },
      { entity_type: 'contract', action: 'sign' },
      { entity_type: 'contract_amendment', action: 'create' },
    ]);
    const [event] = await t.rows<{ payload: Record<string, unknown> }>(sql`SELECT payload FROM outbox_events WHERE aggregate_id = ${c.id} AND type = 'contract.amended'`);
    expect(event!.payload).toMatchObject({
      contractId: c.id,
      accountId: ids.account,
      amendmentNo: 1,
      grandTotal: { amount: '5941.61', currency: 'CNY' },
      grandTotalBefore: { amount: '4721.20', currency: 'CNY' },
      changed: ['lines', 'totals', 'billing'],
    });

    // A record's history follows the contract's read scope (registerEntityReader).
    const history = await repA.get(`/api/v1/audit/contract/${c.id}`);
    expect(history.statusCode, history.body).toBe(200);
    expect(history.json().items.map((e: { action: string }) => e.action)).toEqual(['amend', 'sign']);
    expect((await (await t.as('repC')).get(`/api/v1/audit/contract/${c.id}`)).statusCode).toBe(404);
    expect((await repA.get(`/api/v1/audit/contract_amendment/${d.amendments[0]!.id}`)).statusCode).toBe(200);
  });

  it('keeps the periods already due and re-splits only the rest; refuses a total below what fell due', async () => {
    const c = await sign(await newQuote({ termMonths: 12 }), { type: 'subscription', periodMonths: 3 }, { signedDate: '2026-01-01', startDate: '2026-01-01' });
    // 4 721.20 / 4 = 1 180.30 per quarter.
    expect(c.billing.map((i) => i.amount.amount)).toEqual(['1180.30', '1180.30', '1180.30', '1180.30']);
    const res = await finance.post(
      `/api/v1/contracts/${c.id}/amendments`,
      amendBody(c, { lines: { add: [{ productId: ids.hw, quantity: 1, netUnit: '1000' }] } }, { effectiveDate: '2026-05-01' }),
    );
    expect(res.statusCode, res.body).toBe(201);
    const d = res.json() as ContractDetail;
    // Added line L3: 1 000.00 + VAT 13 % (the product's rate) 130.00 → total 5 851.20.
    expect(d.lines[2]).toMatchObject({ lineId: 'L3', sku: 'C-HW', nameZh: '服务器', listUnit: null, net: { amount: '1000.00' }, tax: { amount: '130.00' }, taxPercent: '13' });
    // Q1 (01-01) and Q2 (04-01) fell due before 05-01 and stay 1 180.30; 5 851.20 − 2 360.60 = 3 490.60 over Q3, Q4 → 1 745.30 each.
    expect(d.billing.map((i) => [i.dueDate, i.amount.amount])).toEqual([
      ['2026-01-01', '1180.30'],
      ['2026-04-01', '1180.30'],
      ['2026-07-01', '1745.30'],
      ['2026-10-01', '1745.30'],
    ]);

    // Removing the ERP line (3 240.00 + 421.20) leaves 2 190.00 (1 000 + 60 + 1 000 + 130): below the 2 360.60 already due.
    const before = await snapshot(c.id);
    const below = await finance.post(`/api/v1/contracts/${c.id}/amendments`, amendBody(d, { lines: { remove: ['L1'] } }, { effectiveDate: '2026-05-01' }));
    expect(below.statusCode, below.body).toBe(422);
    expect(below.json()).toMatchObject({ code: 'contracts.below_billed', errors: [{ path: 'changes.lines' }] });
    expect(await snapshot(c.id)).toEqual(before);
  });

  it('a stale version is 409 with the current version, and nothing changes', async () => {
    const c = await sign(await newQuote(), { type: 'one_time' });
    const ok = await finance.post(`/api/v1/contracts/${c.id}/amendments`, amendBody(c, { lines: { update: [{ lineId: 'L1', quantity: 5 }] } }));
    expect(ok.statusCode, ok.body).toBe(201);
    const before = await snapshot(c.id);
    const stale = await finance.post(`/api/v1/contracts/${c.id}/amendments`, amendBody(c, { lines: { update: [{ lineId: 'L1', quantity: 6 }] } }));
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'platform.version_conflict', currentVersion: 2 });
    expect(await snapshot(c.id)).toEqual(before);
  });

  it('a missing or blank reason is 400 problem+json with the path; other refusals carry theirs; nothing changes', async () => {
    const c = await sign(await newQuote(), { type: 'one_time' });
    const before = await snapshot(c.id);
    const { reason: _r, ...noReason } = amendBody(c, { status: 'completed' });
    const missing = await finance.post(`/api/v1/contracts/${c.id}/amendments`, noReason);
    expect(missing.statusCode).toBe(400);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json()).toMatchObject({ code: 'platform.validation', status: 400, errors: [{ path: 'reason' }] });
    const blank = await finance.post(`/api/v1/contracts/${c.id}/amendments`, amendBody(c, { status: 'completed' }, { reason: '   ' }));
    expect(blank.statusCode).toBe(400);
    expect(blank.json().errors).toEqual([{ path: 'reason', message: expect.any(String) }]);

    const badPlan = await finance.post(
      `/api/v1/contracts/${c.id}/amendments`,
      amendBody(c, { billing: { type: 'milestone', milestones: [{ name: 'A', percent: '60' }, { name: 'B', percent: '0' }] } }),
    );
    expect(badPlan.statusCode).toBe(422);
    expect(badPlan.json()).toMatchObject({ code: 'contracts.invalid_billing_plan', errors: [{ path: 'changes.billing.milestones.1.percent' }] });
    const sum = await finance.post(
      `/api/v1/contracts/${c.id}/amendments`,
      amendBody(c, { billing: { type: 'milestone', milestones: [{ name: 'A', percent: '60' }, { name: 'B', percent: '30' }] } }),
    );
    expect(sum.json()).toMatchObject({ code: 'contracts.invalid_billing_plan', errors: [{ path: 'changes.billing.milestones' }] });
    const unknownLine = await finance.post(`/api/v1/contracts/${c.id}/amendments`, amendBody(c, { lines: { update: [{ lineId: 'L9', quantity: 1 }] } }));
    expect(unknownLine.statusCode).toBe(422);
    expect(unknownLine.json()).toMatchObject({ code: 'platform.reference_invalid', errors: [{ path: 'changes.lines.update.0.lineId' }] });
    const noChange = await finance.post(`/api/v1/contracts/${c.id}/amendments`, amendBody(c, { lines: { update: [{ lineId: 'L1', quantity: 3 }] } }));
    expect(noChange.json()).toMatchObject({ code: 'contracts.no_change' });
    const empty = await finance.post(`/api/v1/contracts/${c.id}/amendments`, amendBody(c, { lines: { remove: ['L1', 'L2'] } }));
    expect(empty.json()).toMatchObject({ code: 'contracts.no_lines' });
    const early = await finance.post(`/api/v1/contracts/${c.id}/amendments`, amendBody(c, { status: 'completed' }, { effectiveDate: '2020-01-01' }));
    expect(early.json()).toMatchObject({ code: 'contracts.date_before_start', errors: [{ path: 'effectiveDate' }] });
    expect(await snapshot(c.id)).toEqual(before);
  });

  it('a rep who reads the contract may not amend it (403); another rep gets 404; nothing changes', async () => {
    const c = await sign(await newQuote(), { type: 'one_time' });
    const before = await snapshot(c.id);
    const body = amendBody(c, { lines: { update: [{ lineId: 'L1', quantity: 9 }] } });
    const own = await repA.post(`/api/v1/contracts/${c.id}/amendments`, body);
    expect(own.statusCode).toBe(403);
    expect(own.json()).toMatchObject({ code: 'platform.forbidden' });
    const manager = await (await t.as('managerT1')).post(`/api/v1/contracts/${c.id}/amendments`, body);
    expect(manager.statusCode).toBe(403);
    const other = await (await t.as('repC')).post(`/api/v1/contracts/${c.id}/amendments`, body);
    expect(other.statusCode).toBe(404);
    expect(await snapshot(c.id)).toEqual(before);
    const reread = (await repA.get(`/api/v1/contracts/${c.id}`)).json() as ContractDetail;
    expect(reread).toMatchObject({ version: 1, amendmentCount: 0, amendments: [] });
    expect(reread.lines[0]!.quantity).toBe(3);
  });

  it('a terminated contract cannot be amended (409); termination publishes contract.cancelled', async () => {
    const c = await sign(await newQuote(), MILESTONES);
    const term = await admin.post(`/api/v1/contracts/${c.id}/amendments`, amendBody(c, { status: 'terminated' }, { reason: '客户破产' }));
    expect(term.statusCode, term.body).toBe(201);
    const d = term.json() as ContractDetail;
    expect(d).toMatchObject({ status: 'terminated', version: 2 });
    // The status alone leaves lines, totals and schedule as they were.
    expect(d.billing).toEqual(c.billing);
    const types = await t.rows<{ type: string }>(sql`SELECT type FROM outbox_events WHERE aggregate_id = ${c.id} ORDER BY type`);
    expect(types.map((r) => r.type)).toEqual(['contract.amended', 'contract.cancelled', 'contract.signed']);

    const before = await snapshot(c.id);
    const again = await finance.post(`/api/v1/contracts/${c.id}/amendments`, amendBody(d, { lines: { update: [{ lineId: 'L1', quantity: 1 }] } }));
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'contracts.contract_closed' });
    expect(await snapshot(c.id)).toEqual(before);
    const listed = (await finance.get(`/api/v1/contracts?status=terminated&accountId=${ids.account}`)).json().items as { id: string }[];
    expect(listed.map((i) => i.id)).toContain(c.id);
  });
});
