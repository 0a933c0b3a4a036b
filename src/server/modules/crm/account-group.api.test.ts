import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../platform/ids.ts';
import { type TestApp, type TestClient, createTestApp, sql } from '../../testing/test-app.ts';
import { MAX_GROUP_DEPTH } from './account-service.ts';

/**
 * The group view: parent/child accounts, cycles, the hierarchy as each reader may see it, and the
 * rollup checked against a hand computation. Opportunities are inserted with SQL (the opportunity
 * API is another engineer's), with the columns the rollup reads.
 *
 *   G 测试集团总公司 (repA, customer)
 *   ├─ S1 测试集团一分公司 (repA, customer)
 *   │   └─ S1a 测试集团一分公司杭州营业部 (repA, prospect)
 *   └─ S2 测试集团二分公司 (repD after transfer, former)       ← hidden from repA
 *       └─ S2a 测试集团二分公司宁波营业部 (repA, customer)
 */

let t: TestApp;
let repA: TestClient;
const ids = { G: '', S1: '', S1a: '', S2: '', S2a: '' };

async function create(c: TestClient, body: Record<string, unknown>): Promise<string> {
  const res = await c.post('/api/v1/crm/accounts', { kind: 'state_owned', confirmSimilar: true, ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function opportunity(o: {
  account: keyof typeof ids;
  owner: 'repA' | 'repB' | 'repD';
  amount: string;
  probability: number;
  category: 'pipeline' | 'closed' | 'omitted';
  closedAt?: string;
}): Promise<void> {
  const [pipeline] = await t.rows<{ id: string }>(sql`SELECT id FROM crm_pipelines WHERE key = 'group-test'`);
  const unit = o.owner === 'repD' ? t.fixture.units.t3 : t.fixture.units.t1;
  await t.rows(sql`
    INSERT INTO crm_opportunities (id, number, name, account_id, owner_id, unit_id, pipeline_id, stage_key, amount, currency,
                                   amount_company, fx_rate, expected_close_date, probability, forecast_category_default, closed_at)
    VALUES (${newId()}, ${`OPP-T-${newId().slice(-8)}`}, '测试商机', ${ids[o.account]}, ${t.fixture.users[o.owner]}, ${unit}, ${pipeline!.id},
            ${o.category === 'closed' ? 'won' : o.category === 'omitted' ? 'lost' : 'proposal'}, ${o.amount}, 'CNY', ${o.amount}, 1,
            '2026-06-30', ${o.probability}, ${o.category}, ${o.closedAt ?? null})`);
}

beforeAll(async () => {
  t = await createTestApp();
  repA = await t.as('repA');
  ids.G = await create(repA, { nameZh: '测试集团总公司', status: 'customer' });
  ids.S1 = await create(repA, { nameZh: '测试集团一分公司', status: 'customer', parentId: ids.G });
  ids.S1a = await create(repA, { nameZh: '测试集团一分公司杭州营业部', status: 'prospect', parentId: ids.S1 });
  ids.S2 = await create(repA, { nameZh: '测试集团二分公司', status: 'former', parentId: ids.G });
  ids.S2a = await create(repA, { nameZh: '测试集团二分公司宁波营业部', status: 'customer', parentId: ids.S2 });
  const admin = await t.as('admin');
  const moved = await admin.patch(`/api/v1/crm/accounts/${ids.S2}`, { version: 1, ownerId: t.fixture.users.repD });
  expect(moved.statusCode, moved.body).toBe(200);

  await t.rows(sql`INSERT INTO crm_pipelines (id, key, name_zh, definition) VALUES (${newId()}, 'group-test', '测试管道', '{}'::jsonb)`);
  await opportunity({ account: 'S1', owner: 'repA', amount: '100000.00', probability: 40, category: 'pipeline' });
  await opportunity({ account: 'S1a', owner: 'repB', amount: '50000.50', probability: 25, category: 'pipeline' });
  await opportunity({ account: 'S2', owner: 'repD', amount: '200000.00', probability: 50, category: 'pipeline' });
  // 2025-12-31 17:00 UTC is 2026-01-01 01:00 in Shanghai: revenue of 2026 in the company's calendar.
  await opportunity({ account: 'G', owner: 'repA', amount: '300000.00', probability: 100, category: 'closed', closedAt: '2025-12-31T17:00:00Z' });
  await opportunity({ account: 'S2a', owner: 'repA', amount: '80000.25', probability: 100, category: 'closed', closedAt: '2024-03-01T00:00:00Z' });
  await opportunity({ account: 'S1', owner: 'repA', amount: '99999.00', probability: 0, category: 'omitted', closedAt: '2025-05-01T00:00:00Z' });
  await opportunity({ account: 'S2', owner: 'repD', amount: '70000.00', probability: 100, category: 'closed', closedAt: '2025-08-01T00:00:00Z' });
});
afterAll(() => t.close());

const money = (amount: string) => ({ amount, currency: 'CNY' });

describe('parent/child accounts', () => {
  it('placing an account under itself or its own subsidiary is 422 crm.account_cycle and changes nothing', async () => {
    const [before] = await t.rows<Record<string, unknown>>(sql`SELECT * FROM crm_accounts WHERE id = ${ids.G}`);
    for (const parentId of [ids.S1a, ids.G]) {
      const res = await repA.patch(`/api/v1/crm/accounts/${ids.G}`, { version: 1, parentId });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'crm.account_cycle', errors: [{ path: 'parentId' }] });
    }
    // Through a branch repA cannot see (S2a under the hidden S2) the loop is found all the same.
    const hidden = await repA.patch(`/api/v1/crm/accounts/${ids.G}`, { version: 1, parentId: ids.S2a });
    expect(hidden.json().code).toBe('crm.account_cycle');
    const [after] = await t.rows<Record<string, unknown>>(sql`SELECT * FROM crm_accounts WHERE id = ${ids.G}`);
    expect(after).toEqual(before);
  });

  it('the parent must be visible to the actor (422 platform.reference_invalid on parentId)', async () => {
    const before = await t.rows(sql`SELECT id FROM crm_accounts`);
    const res = await repA.post('/api/v1/crm/accounts', { nameZh: '测试集团二分公司温州营业部', kind: 'state_owned', parentId: ids.S2, confirmSimilar: true });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'platform.reference_invalid', errors: [{ path: 'parentId' }] });
    expect(await t.rows(sql`SELECT id FROM crm_accounts`)).toHaveLength(before.length);
  });
});

describe('hierarchy', () => {
  it('shows the visible subtree; a hidden account with visible children is a bare placeholder', async () => {
    const res = await repA.get(`/api/v1/crm/accounts/${ids.G}/hierarchy`);
    expect(res.statusCode, res.body).toBe(200);
    const h = res.json();
    expect(h.ancestors).toEqual([]);
    const shape = (n: { id: string; visible: boolean; nameZh: string | null; children: unknown[] }): unknown => ({
      [n.visible ? (n.nameZh as string) : `hidden:${n.id === ids.S2}`]: (n.children as (typeof n)[]).map(shape),
    });
    expect(shape(h.tree)).toEqual({
      测试集团总公司: [{ 测试集团一分公司: [{ 测试集团一分公司杭州营业部: [] }] }, { 'hidden:true': [{ 测试集团二分公司宁波营业部: [] }] }],
    });
    const placeholder = h.tree.children[1];
    expect(placeholder).toMatchObject({ visible: false, nameZh: null, ownerId: null, status: null, depth: 1 });
    expect(h.truncated).toBe(false);
  });

  it('lists the ancestors from the top, hiding the names of those the reader cannot see', async () => {
    const deep = (await repA.get(`/api/v1/crm/accounts/${ids.S1a}/hierarchy`)).json();
    expect(deep.ancestors.map((a: { nameZh: string }) => a.nameZh)).toEqual(['测试集团总公司', '测试集团一分公司']);
    const under = (await repA.get(`/api/v1/crm/accounts/${ids.S2a}/hierarchy`)).json();
    expect(under.ancestors).toEqual([
      { id: ids.G, visible: true, nameZh: '测试集团总公司' },
      { id: ids.S2, visible: false, nameZh: null },
    ]);
  });

  it('is 404 for an account outside scope', async () => {
    expect((await repA.get(`/api/v1/crm/accounts/${ids.S2}/hierarchy`)).statusCode).toBe(404);
    expect((await repA.get(`/api/v1/crm/accounts/${ids.S2}/group-rollup`)).statusCode).toBe(404);
  });
});

describe('group rollup', () => {
  it('repA: the four accounts they see and the deals they may read, computed by hand', async () => {
    const res = await repA.get(`/api/v1/crm/accounts/${ids.G}/group-rollup`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      accountId: ids.G,
      currency: 'CNY',
      maxDepth: MAX_GROUP_DEPTH,
      truncated: false,
      // G, S1, S1a, S2a (S2 is repD's).
      accounts: { total: 4, byStatus: { prospect: 1, customer: 3, former: 0 }, archived: 0 },
      // S1 100000.00 @40% + S1a 50000.50 @25% (repB's deal, readable through repA's team on S1a):
      // amount 150000.50; weighted 40000.00 + 12500.125 = 52500.125 → 52500.13 (half-up).
      openPipeline: { count: 2, amount: money('150000.50'), weighted: money('52500.13') },
      // G 300000.00 closed 2026-01-01 01:00 Shanghai; S2a 80000.25 in 2024; the lost deal is not revenue.
      wonRevenue: {
        count: 2,
        total: money('380000.25'),
        byYear: [
          { year: 2024, count: 1, amount: money('80000.25') },
          { year: 2026, count: 1, amount: money('300000.00') },
        ],
      },
      openRequirements: null,
      openTickets: null,
      notes: { openRequirements: expect.any(String), openTickets: expect.any(String) },
    });
  });

  it('admin: the whole group', async () => {
    const admin = await t.as('admin');
    const r = (await admin.get(`/api/v1/crm/accounts/${ids.G}/group-rollup`)).json();
    expect(r.accounts).toEqual({ total: 5, byStatus: { prospect: 1, customer: 3, former: 1 }, archived: 0 });
    // + S2 200000.00 @50%: amount 350000.50; weighted 52500.125 + 100000 = 152500.125 → 152500.13.
    expect(r.openPipeline).toEqual({ count: 3, amount: money('350000.50'), weighted: money('152500.13') });
    // + S2 70000.00 won in 2025.
    expect(r.wonRevenue).toEqual({
      count: 3,
      total: money('450000.25'),
      byYear: [
        { year: 2024, count: 1, amount: money('80000.25') },
        { year: 2025, count: 1, amount: money('70000.00') },
        { year: 2026, count: 1, amount: money('300000.00') },
      ],
    });
  });

  it('a subsidiary rolls up only its own subtree', async () => {
    const r = (await repA.get(`/api/v1/crm/accounts/${ids.S1}/group-rollup`)).json();
    expect(r.accounts.total).toBe(2);
    expect(r.openPipeline).toEqual({ count: 2, amount: money('150000.50'), weighted: money('52500.13') });
    expect(r.wonRevenue).toEqual({ count: 0, total: money('0.00'), byYear: [] });
  });

  it('a team member without any CRM grant sees the shared account and its deals, nothing below', async () => {
    await repA.post(`/api/v1/crm/accounts/${ids.G}/team`, { userId: t.fixture.users.engineer, role: 'delivery_lead' });
    const engineer = await t.as('engineer');
    const r = (await engineer.get(`/api/v1/crm/accounts/${ids.G}/group-rollup`)).json();
    expect(r.accounts).toEqual({ total: 1, byStatus: { prospect: 0, customer: 1, former: 0 }, archived: 0 });
    // G itself has only the 300000.00 deal won on 2026-01-01 (Shanghai).
    expect(r.openPipeline).toEqual({ count: 0, amount: money('0.00'), weighted: money('0.00') });
    expect(r.wonRevenue).toEqual({ count: 1, total: money('300000.00'), byYear: [{ year: 2026, count: 1, amount: money('300000.00') }] });
    const h = (await engineer.get(`/api/v1/crm/accounts/${ids.G}/hierarchy`)).json();
    expect(h.tree.children).toEqual([]);
  });

  it('stops at MAX_GROUP_DEPTH levels and says so', async () => {
    // A chain deeper than the limit, written directly (the API would take as long for no more coverage).
    const chain: string[] = [];
    for (let i = 0; i <= MAX_GROUP_DEPTH + 2; i++) {
      const id = newId();
      await t.rows(sql`
        INSERT INTO crm_accounts (id, name_zh, kind, owner_id, unit_id, parent_id)
        VALUES (${id}, ${`链式公司${i}`}, 'enterprise', ${t.fixture.users.repA}, ${t.fixture.units.t1}, ${chain[i - 1] ?? null})`);
      chain.push(id);
    }
    const r = (await repA.get(`/api/v1/crm/accounts/${chain[0]}/group-rollup`)).json();
    expect(r.truncated).toBe(true);
    expect(r.accounts.total).toBe(MAX_GROUP_DEPTH + 1);
    const h = (await repA.get(`/api/v1/crm/accounts/${chain[0]}/hierarchy`)).json();
    expect(h.truncated).toBe(true);
    let depth = 0;
    for (let n = h.tree; n.children.length > 0; n = n.children[0]) depth++;
    expect(depth).toBe(MAX_GROUP_DEPTH);
    const fromBottom = (await repA.get(`/api/v1/crm/accounts/${chain[chain.length - 1]}/hierarchy`)).json();
    expect(fromBottom.ancestors.map((a: { id: string }) => a.id)).toEqual(chain.slice(0, -1));
  });
});
