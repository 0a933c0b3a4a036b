import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureUser, type TestApp, type TestClient, createTestApp, sql } from '../../testing/test-app.ts';

/**
 * Contacts, coverage, the relationship map and the gap report.
 *
 * Account A 测试省财政厅 (repA), contacts and reporting lines:
 *   c1 周书记 decision ── c2 王局长 decision ── c3 李处长 management ── c4 张科长 execution
 *                     ├─ c6 刘副局长 decision
 *                     └─ c7 赵总工 decision
 *   c5 陈主任 decision, left the customer
 * Coverage, touches measured at AS_OF:
 *   c1 ← managerT1 (manager) 10 days ago          → fine at 90 days, stale at 7
 *   c2 ← repA (individual) 5 days ago             → covered by junior only
 *   c6 ← nobody                                   → uncovered
 *   c7 ← exec (executive) 120 days ago, repA never → stale
 */

const AS_OF = '2026-06-30T00:00:00.000Z';
const DAY = 86_400_000;
const daysBefore = (d: number) => new Date(Date.parse(AS_OF) - d * DAY).toISOString();

let t: TestApp;
let repA: TestClient;
const acc = { A: '', B: '', C: '', D: '' };
const c: Record<string, string> = {};

async function account(who: FixtureUser, nameZh: string): Promise<string> {
  const res = await (await t.as(who)).post('/api/v1/crm/accounts', { nameZh, kind: 'government', confirmSimilar: true });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function contact(client: TestClient, accountId: string, body: Record<string, unknown>): Promise<string> {
  const res = await client.post(`/api/v1/crm/accounts/${accountId}/contacts`, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function cover(client: TestClient, accountId: string, contactId: string, who: FixtureUser, strength: number, touchedDaysAgo: number | null) {
  const res = await client.post(`/api/v1/crm/accounts/${accountId}/coverage`, {
    contactId,
    userId: t.fixture.users[who],
    relationshipRole: 'primary',
    strength,
  });
  expect(res.statusCode, res.body).toBe(201);
  // The activity service maintains last_touch_at; here it is set directly.
  if (touchedDaysAgo !== null) {
    await t.rows(sql`UPDATE crm_coverage SET last_touch_at = ${daysBefore(touchedDaysAgo)}::timestamptz WHERE id = ${res.json().id}`);
  }
  return res.json();
}

beforeAll(async () => {
  t = await createTestApp();
  repA = await t.as('repA');
  acc.A = await account('repA', '测试省财政厅');
  c['c1'] = await contact(repA, acc.A, { name: '周书记', title: '党组书记、厅长', level: 'decision' });
  c['c2'] = await contact(repA, acc.A, { name: '王局长', level: 'decision', reportsToId: c['c1'] });
  c['c3'] = await contact(repA, acc.A, { name: '李处长', level: 'management', reportsToId: c['c2'], department: '信息处' });
  c['c4'] = await contact(repA, acc.A, {
    name: '张科长',
    level: 'execution',
    reportsToId: c['c3'],
    phones: ['+86 138 0000 0001', '0571-87000000'],
    emails: ['Zhang.Ke@Example.gov.cn'],
    wechatId: 'zhang_ke2026',
  });
  c['c5'] = await contact(repA, acc.A, { name: '陈主任', level: 'decision', status: 'left' });
  c['c6'] = await contact(repA, acc.A, { name: '刘副局长', level: 'decision', reportsToId: c['c1'] });
  c['c7'] = await contact(repA, acc.A, { name: '赵总工', level: 'decision', reportsToId: c['c1'] });
  await cover(repA, acc.A, c['c1'], 'managerT1', 4, 10);
  await cover(repA, acc.A, c['c2'], 'repA', 3, 5);
  await cover(repA, acc.A, c['c7'], 'exec', 2, 120);
  await cover(repA, acc.A, c['c7'], 'repA', 1, null);

  // B (repB): one decision-maker, covered by a manager last week → no gap.
  acc.B = await account('repB', '测试市卫生健康委员会');
  const repB = await t.as('repB');
  const b1 = await contact(repB, acc.B, { name: '孙主任', level: 'decision' });
  await cover(repB, acc.B, b1, 'managerT1', 5, 7);
  // C (repA): no contacts at all → listed, no decision-maker known.
  acc.C = await account('repA', '测试县人民医院');
  // D (repC, team t2): an uncovered decision-maker, outside managerT1's subtree.
  acc.D = await account('repC', '测试区教育局');
  await contact(await t.as('repC'), acc.D, { name: '吴局长', level: 'decision' });
});
afterAll(() => t.close());

async function contactRow(id: string) {
  const [row] = await t.rows<Record<string, unknown>>(sql`SELECT * FROM crm_contacts WHERE id = ${id}`);
  return row;
}

describe('contacts', () => {
  it('are created with normalized phones and e-mails, audited with a contact.created event', async () => {
    const res = await repA.get(`/api/v1/crm/contacts/${c['c4']}`);
    expect(res.json()).toMatchObject({
      accountId: acc.A,
      level: 'execution',
      reportsToId: c['c3'],
      emails: ['zhang.ke@example.gov.cn'],
      phones: ['+86 138 0000 0001', '0571-87000000'],
      wechatId: 'zhang_ke2026',
      influence: 'neutral',
      status: 'active',
      ownerId: t.fixture.users.repA,
    });
    const [audit] = await t.rows<{ action: string }>(sql`SELECT action FROM audit_log WHERE entity_type = 'contact' AND entity_id = ${c['c4']}`);
    expect(audit!.action).toBe('create');
    const [event] = await t.rows<{ type: string }>(sql`SELECT type FROM outbox_events WHERE aggregate_id = ${c['c4']}`);
    expect(event!.type).toBe('contact.created');
  });

  it('bad phones, e-mails and WeChat IDs are 400 with field paths, and nothing is stored', async () => {
    const before = await t.rows(sql`SELECT id FROM crm_contacts`);
    const res = await repA.post(`/api/v1/crm/accounts/${acc.A}/contacts`, {
      name: '错误',
      level: 'execution',
      phones: ['+86 138 0000 0001', 'call me'],
      emails: ['nobody'],
      wechatId: '1abc',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['emails.0', 'phones.1', 'wechatId']);
    expect(await t.rows(sql`SELECT id FROM crm_contacts`)).toHaveLength(before.length);
  });

  it('a manager from another account is 422 reference_invalid; a reporting loop is 422 crm.contact_cycle; nothing changes', async () => {
    const [other] = await t.rows<{ id: string }>(sql`SELECT id FROM crm_contacts WHERE account_id = ${acc.B}`);
    const foreign = await repA.post(`/api/v1/crm/accounts/${acc.A}/contacts`, { name: '外人', level: 'execution', reportsToId: other!.id });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json()).toMatchObject({ code: 'platform.reference_invalid', errors: [{ path: 'reportsToId' }] });

    const before = await contactRow(c['c1']!);
    for (const target of [c['c4'], c['c1']]) {
      const res = await repA.patch(`/api/v1/crm/contacts/${c['c1']}`, { version: 1, reportsToId: target });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'crm.contact_cycle', errors: [{ path: 'reportsToId' }] });
    }
    expect(await contactRow(c['c1']!)).toEqual(before);
  });

  it('are visible exactly when the account is: 404 outside scope, 403 for readers without write, both unchanged', async () => {
    const before = await contactRow(c['c2']!);
    const repB = await t.as('repB');
    expect((await repB.get(`/api/v1/crm/contacts/${c['c2']}`)).statusCode).toBe(404);
    expect((await repB.get(`/api/v1/crm/accounts/${acc.A}/contacts`)).statusCode).toBe(404);
    expect((await repB.patch(`/api/v1/crm/contacts/${c['c2']}`, { version: 1, title: '改' })).statusCode).toBe(404);
    const finance = await t.as('finance');
    expect((await finance.get(`/api/v1/crm/contacts/${c['c2']}`)).statusCode).toBe(200);
    expect((await finance.patch(`/api/v1/crm/contacts/${c['c2']}`, { version: 1, title: '改' })).statusCode).toBe(403);
    expect((await finance.post(`/api/v1/crm/accounts/${acc.A}/contacts`, { name: '财务', level: 'execution' })).statusCode).toBe(403);
    expect(await contactRow(c['c2']!)).toEqual(before);
    expect((await repB.get(`/api/v1/audit/contact/${c['c2']}`)).statusCode).toBe(404);
    expect((await finance.get(`/api/v1/audit/contact/${c['c2']}`)).statusCode).toBe(200);
  });

  it('a stale version is 409 and changes nothing; a manager of the subtree may edit', async () => {
    const director = await t.as('director');
    const ok = await director.patch(`/api/v1/crm/contacts/${c['c3']}`, { version: 1, title: '信息处处长', influence: 'champion' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ title: '信息处处长', influence: 'champion', version: 2 });
    const before = await contactRow(c['c3']!);
    const stale = await repA.patch(`/api/v1/crm/contacts/${c['c3']}`, { version: 1, title: '旧' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().currentVersion).toBe(2);
    expect(await contactRow(c['c3']!)).toEqual(before);
  });

  it('list by level (decision first), then name, cursor-paginated and complete; filters by level and status', async () => {
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await repA.get(`/api/v1/crm/accounts/${acc.A}/contacts?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      names.push(...res.json().items.map((x: { name: string }) => x.name));
      cursor = res.json().nextCursor;
    } while (cursor);
    // decision by code point: 刘 U+5218, 周 U+5468, 王 U+738B, 赵 U+8D75, 陈 U+9648; then management, execution.
    expect(names).toEqual(['刘副局长', '周书记', '王局长', '赵总工', '陈主任', '李处长', '张科长']);
    const left = (await repA.get(`/api/v1/crm/accounts/${acc.A}/contacts?status=left`)).json().items;
    expect(left.map((x: { name: string }) => x.name)).toEqual(['陈主任']);
    const mgmt = (await repA.get(`/api/v1/crm/accounts/${acc.A}/contacts?level=management`)).json().items;
    expect(mgmt.map((x: { name: string }) => x.name)).toEqual(['李处长']);
  });
});

describe('coverage links', () => {
  it('one link per pair (409 crm.duplicate_coverage), the contact must be of the account, strength 1–5', async () => {
    const before = await t.rows(sql`SELECT id FROM crm_coverage`);
    const dup = await repA.post(`/api/v1/crm/accounts/${acc.A}/coverage`, {
      contactId: c['c1'],
      userId: t.fixture.users.managerT1,
      relationshipRole: 'executive_sponsor',
      strength: 2,
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('crm.duplicate_coverage');
    const [other] = await t.rows<{ id: string }>(sql`SELECT id FROM crm_contacts WHERE account_id = ${acc.B}`);
    const foreign = await repA.post(`/api/v1/crm/accounts/${acc.A}/coverage`, {
      contactId: other!.id,
      userId: t.fixture.users.repA,
      relationshipRole: 'primary',
      strength: 2,
    });
    expect(foreign.json()).toMatchObject({ code: 'platform.reference_invalid', errors: [{ path: 'contactId' }] });
    const strong = await repA.post(`/api/v1/crm/accounts/${acc.A}/coverage`, {
      contactId: c['c3'],
      userId: t.fixture.users.repA,
      relationshipRole: 'primary',
      strength: 6,
    });
    expect(strong.statusCode).toBe(400);
    expect(strong.json().errors[0].path).toBe('strength');
    const finance = await t.as('finance');
    const denied = await finance.post(`/api/v1/crm/accounts/${acc.A}/coverage`, {
      contactId: c['c3'],
      userId: t.fixture.users.finance,
      relationshipRole: 'commercial',
      strength: 2,
    });
    expect(denied.statusCode).toBe(403);
    expect(await t.rows(sql`SELECT id FROM crm_coverage`)).toHaveLength(before.length);
  });

  it('update with version (409 when stale), delete with version', async () => {
    const link = await cover(repA, acc.A, c['c4']!, 'repB', 2, null);
    const up = await repA.patch(`/api/v1/crm/coverage/${link.id}`, { version: 1, strength: 3, relationshipRole: 'technical' });
    expect(up.json()).toMatchObject({ strength: 3, relationshipRole: 'technical', version: 2, userName: '测试repB' });
    const stale = await repA.patch(`/api/v1/crm/coverage/${link.id}`, { version: 1, strength: 5 });
    expect(stale.statusCode).toBe(409);
    const staleDelete = await repA.delete(`/api/v1/crm/coverage/${link.id}?version=1`);
    expect(staleDelete.statusCode).toBe(409);
    const del = await repA.delete(`/api/v1/crm/coverage/${link.id}?version=2`);
    expect(del.statusCode).toBe(200);
    expect(await t.rows(sql`SELECT id FROM crm_coverage WHERE id = ${link.id}`)).toEqual([]);
    const repB = await t.as('repB');
    expect((await repB.get(`/api/v1/crm/accounts/${acc.A}/coverage`)).statusCode).toBe(404);
  });
});

describe('relationship map', () => {
  it('draws the customer’s chart by level with our coverage overlaid', async () => {
    const res = await repA.get(`/api/v1/crm/accounts/${acc.A}/relationship-map`);
    expect(res.statusCode, res.body).toBe(200);
    const map = res.json();
    type Node = { name: string; children: Node[]; coverage: { userName: string; seniority: string; isManagerOrAbove: boolean; strength: number; lastTouchAt: string | null; daysSinceTouch: number | null }[] };
    const shape = (n: Node): unknown => (n.children.length ? { [n.name]: n.children.map(shape) } : n.name);
    expect(map.roots.map(shape)).toEqual([{ 周书记: ['刘副局长', { 王局长: [{ 李处长: ['张科长'] }] }, '赵总工'] }, '陈主任']);

    const zhou = map.roots[0] as Node;
    expect(zhou.coverage).toEqual([
      {
        coverageId: expect.any(String),
        userId: t.fixture.users.managerT1,
        userName: '测试managerT1',
        seniority: 'manager',
        isManagerOrAbove: true,
        active: true,
        relationshipRole: 'primary',
        strength: 4,
        lastTouchAt: daysBefore(10),
        daysSinceTouch: Math.floor((Date.parse(map.asOf) - Date.parse(daysBefore(10))) / DAY),
      },
    ]);
    const zhao = zhou.children[2]!;
    expect(zhao.coverage.map((x) => [x.userName, x.seniority, x.isManagerOrAbove, x.daysSinceTouch === null])).toEqual([
      ['测试exec', 'executive', true, false],
      ['测试repA', 'individual', false, true],
    ]);
    expect(map.summary).toEqual({
      byLevel: {
        decision: { active: 4, covered: 3, uncovered: 1 },
        management: { active: 1, covered: 0, uncovered: 1 },
        execution: { active: 1, covered: 0, uncovered: 1 },
      },
      left: 1,
    });
    const activeOnly = (await repA.get(`/api/v1/crm/accounts/${acc.A}/relationship-map?includeLeft=false`)).json();
    expect(activeOnly.roots.map((r: { name: string }) => r.name)).toEqual(['周书记']);
  });

  it('is 404 outside scope', async () => {
    const repB = await t.as('repB');
    expect((await repB.get(`/api/v1/crm/accounts/${acc.A}/relationship-map`)).statusCode).toBe(404);
  });
});

describe('coverage gaps', () => {
  it('flags exactly the uncovered, junior-only and stale decision-makers of an account', async () => {
    const res = await repA.get(`/api/v1/crm/accounts/${acc.A}/coverage-gaps?asOf=${AS_OF}`);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ accountId: acc.A, accountName: '测试省财政厅', ownerName: '测试repA', decisionContacts: 4 });
    expect(r.gaps.map((g: { name: string; gaps: string[] }) => [g.name, g.gaps])).toEqual([
      ['刘副局长', ['uncovered']],
      ['王局长', ['covered_by_junior_only']],
      ['赵总工', ['stale']],
    ]);
    const zhao = r.gaps[2];
    expect(zhao).toMatchObject({ lastTouchAt: daysBefore(120), daysSinceTouch: 120 });
    expect(zhao.coveredBy.map((p: { userName: string }) => p.userName)).toEqual(['测试exec', '测试repA']);

    // At 7 days the manager's touch of 10 days ago is stale too; 5 days ago is still fresh.
    const tight = (await repA.get(`/api/v1/crm/accounts/${acc.A}/coverage-gaps?asOf=${AS_OF}&staleDays=7`)).json();
    expect(tight.gaps.map((g: { name: string; gaps: string[] }) => [g.name, g.gaps])).toEqual([
      ['刘副局长', ['uncovered']],
      ['王局长', ['covered_by_junior_only']],
      ['周书记', ['stale']],
      ['赵总工', ['stale']],
    ]);
    const bad = await repA.get(`/api/v1/crm/accounts/${acc.A}/coverage-gaps?staleDays=0`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('query.staleDays');
  });

  it('over a manager’s book: only accounts with gaps, by name, paginated; owner and unit filters', async () => {
    const manager = await t.as('managerT1');
    const page = (await manager.get(`/api/v1/crm/coverage-gaps?asOf=${AS_OF}`)).json();
    expect(page.items.map((a: { accountId: string }) => a.accountId)).toEqual([acc.C, acc.A]);
    expect(page.items[0]).toMatchObject({ accountName: '测试县人民医院', decisionContacts: 0, gaps: [] });
    expect(page.items[1].gaps).toHaveLength(3);
    expect(page.scanned).toBe(3);
    expect(page.nextCursor).toBeNull();

    const first = (await manager.get(`/api/v1/crm/coverage-gaps?asOf=${AS_OF}&limit=1`)).json();
    expect(first.items.map((a: { accountId: string }) => a.accountId)).toEqual([acc.C]);
    const second = (await manager.get(`/api/v1/crm/coverage-gaps?asOf=${AS_OF}&limit=1&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((a: { accountId: string }) => a.accountId)).toEqual([acc.A]);

    const ofRepB = (await manager.get(`/api/v1/crm/coverage-gaps?asOf=${AS_OF}&ownerId=${t.fixture.users.repB}`)).json();
    expect(ofRepB.items).toEqual([]);
    const director = await t.as('director');
    const t2 = (await director.get(`/api/v1/crm/coverage-gaps?asOf=${AS_OF}&unitId=${t.fixture.units.t2}`)).json();
    expect(t2.items.map((a: { accountId: string; gaps: { name: string }[] }) => [a.accountId, a.gaps.map((g) => g.name)])).toEqual([
      [acc.D, ['吴局长']],
    ]);
    const repB = await t.as('repB');
    expect((await repB.get(`/api/v1/crm/coverage-gaps?asOf=${AS_OF}`)).json().items).toEqual([]);
  });
});
