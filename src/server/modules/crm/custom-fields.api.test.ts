import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../../shared/dates.ts';
import { newId } from '../../platform/ids.ts';
import { type FixtureUser, type TestApp, type TestClient, createTestApp, sql } from '../../testing/test-app.ts';
import { ensureDefaultPipeline } from './pipeline-service.ts';

/**
 * Custom fields end to end: definitions (admins write, CRM readers read), values checked on the
 * writes of accounts, contacts and opportunities, archive/restore keeping the stored values, and
 * `cf.*` filters and sorts on the three lists.
 */

let t: TestApp;
let admin: TestClient;
let repA: TestClient;
const today = localDate(new Date(), 'Asia/Shanghai');

beforeAll(async () => {
  t = await createTestApp();
  await ensureDefaultPipeline(t.database.db);
  admin = await t.as('admin');
  repA = await t.as('repA');
});
afterAll(() => t.close());

const label = (zh: string, en: string) => ({ zh, en });

async function define(body: Record<string, unknown>) {
  const res = await admin.post('/api/v1/crm/custom-fields', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; key: string; version: number };
}

async function definitionRows() {
  return t.rows<{ id: string; key: string; version: number; definition: unknown; archived_at: unknown }>(
    sql`SELECT id, key, version, definition, archived_at FROM crm_custom_field_definitions ORDER BY key`,
  );
}

async function account(who: FixtureUser | TestClient, nameZh: string, custom?: Record<string, unknown>) {
  const client = typeof who === 'string' ? await t.as(who) : who;
  const res = await client.post('/api/v1/crm/accounts', { nameZh, kind: 'enterprise', confirmSimilar: true, ...(custom ? { custom } : {}) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; version: number; custom: Record<string, unknown> };
}

async function rawCustom(table: 'crm_accounts' | 'crm_contacts' | 'crm_opportunities', id: string) {
  const [row] = await t.rows<{ custom: Record<string, unknown>; version: number }>(sql`SELECT custom, version FROM ${sql.raw(table)} WHERE id = ${id}`);
  return row!;
}

describe('definitions', () => {
  it('an admin defines, relabels and extends a field; everyone who reads the CRM reads it', async () => {
    const created = await define({
      entity: 'account',
      key: 'segment',
      type: 'single_select',
      label: label('细分市场', 'Segment'),
      options: [
        { key: 'bank', label: label('银行', 'Bank') },
        { key: 'insurer', label: label('保险', 'Insurer') },
      ],
    });
    expect(created).toMatchObject({ entity: 'account', key: 'segment', type: 'single_select', required: false, archivedAt: null, version: 1 });

    const relabelled = await admin.patch(`/api/v1/crm/custom-fields/${created.id}`, {
      version: 1,
      label: label('行业细分', 'Industry segment'),
      options: [
        { key: 'bank', label: label('商业银行', 'Commercial bank') },
        { key: 'insurer', label: label('保险', 'Insurer') },
        { key: 'broker', label: label('券商', 'Broker') },
      ],
      position: 5,
    });
    expect(relabelled.statusCode, relabelled.body).toBe(200);
    expect(relabelled.json()).toMatchObject({ version: 2, position: 5, label: { en: 'Industry segment' } });
    expect(relabelled.json().options.map((o: { key: string }) => o.key)).toEqual(['bank', 'insurer', 'broker']);

    for (const who of ['repA', 'finance', 'exec'] as const) {
      const list = await (await t.as(who)).get('/api/v1/crm/custom-fields?entity=account');
      expect(list.statusCode, `${who}: ${list.body}`).toBe(200);
      expect(list.json().items.map((d: { key: string }) => d.key)).toContain('segment');
    }
  });

  it('refuses a type change, a removed option and a stale version, and changes nothing', async () => {
    const def = await define({ entity: 'account', key: 'employees', type: 'number', label: label('员工数', 'Employees') });
    const before = await definitionRows();

    const typeChange = await admin.patch(`/api/v1/crm/custom-fields/${def.id}`, { version: 1, type: 'text' });
    expect(typeChange.statusCode).toBe(400);
    expect(typeChange.json().errors).toEqual([{ path: 'type', message: expect.any(String) }]);

    const [segment] = (await admin.get('/api/v1/crm/custom-fields?entity=account')).json().items.filter((d: { key: string }) => d.key === 'segment');
    const removal = await admin.patch(`/api/v1/crm/custom-fields/${segment.id}`, {
      version: segment.version,
      options: [{ key: 'bank', label: label('银行', 'Bank') }],
    });
    expect(removal.statusCode).toBe(400);
    expect(removal.json().errors[0].path).toBe('options');

    const stale = await admin.patch(`/api/v1/crm/custom-fields/${def.id}`, { version: 7, label: label('人数', 'Headcount') });
    expect(stale.statusCode).toBe(409);

    const duplicate = await admin.post('/api/v1/crm/custom-fields', { entity: 'account', key: 'employees', type: 'text', label: label('x', 'x') });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().code).toBe('crm.custom_field_key_taken');

    const badShape = await admin.post('/api/v1/crm/custom-fields', { entity: 'account', key: 'Bad-Key', type: 'single_select', label: label('x', 'x') });
    expect(badShape.statusCode).toBe(400);
    expect(badShape.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['key', 'options']);

    expect(await definitionRows()).toEqual(before);
  });

  it('is admin-only to change (403) and needs a CRM read grant to read (403), changing nothing', async () => {
    const before = await definitionRows();
    const [segment] = (await admin.get('/api/v1/crm/custom-fields?entity=account')).json().items.filter((d: { key: string }) => d.key === 'segment');
    const manager = await t.as('managerT1');
    expect((await repA.post('/api/v1/crm/custom-fields', { entity: 'account', key: 'sneaky', type: 'text', label: label('x', 'x') })).statusCode).toBe(403);
    expect((await manager.patch(`/api/v1/crm/custom-fields/${segment.id}`, { version: segment.version, label: label('x', 'x') })).statusCode).toBe(403);
    expect((await repA.post(`/api/v1/crm/custom-fields/${segment.id}/archive`, { version: segment.version })).statusCode).toBe(403);
    expect((await (await t.as('engineer')).get('/api/v1/crm/custom-fields')).statusCode).toBe(403);
    expect((await t.anon().get('/api/v1/crm/custom-fields')).statusCode).toBe(401);
    expect(await definitionRows()).toEqual(before);
  });
});

describe('values on write', () => {
  let ownerField: { id: string };
  beforeAll(async () => {
    await define({ entity: 'account', key: 'budget', type: 'decimal_money', label: label('预算', 'Budget') });
    await define({ entity: 'account', key: 'signed_on', type: 'date', label: label('签约日', 'Signed on') });
    await define({
      entity: 'account',
      key: 'labels',
      type: 'multi_select',
      label: label('标签', 'Labels'),
      options: ['a', 'b', 'c'].map((k) => ({ key: k, label: label(k, k) })),
    });
    ownerField = await define({ entity: 'account', key: 'advisor', type: 'user_ref', label: label('顾问', 'Advisor') });
  });

  it('stores valid values in canonical form and returns them', async () => {
    const a = await account(repA, '自定义字段甲', {
      segment: 'bank',
      employees: 1200,
      budget: { amount: '1000000.50', currency: 'CNY' },
      signed_on: '2026-03-01',
      labels: ['c', 'a', 'c'],
      advisor: t.fixture.users.managerT1,
    });
    expect(a.custom).toEqual({
      segment: 'bank',
      employees: 1200,
      budget: { amount: '1000000.50', currency: 'CNY' },
      signed_on: '2026-03-01',
      labels: ['a', 'c'],
      advisor: t.fixture.users.managerT1,
    });
    expect((await rawCustom('crm_accounts', a.id)).custom).toEqual(a.custom);

    // An update replaces what it sends, clears nulls and keeps the rest.
    const res = await repA.patch(`/api/v1/crm/accounts/${a.id}`, { version: a.version, custom: { employees: null, segment: 'insurer' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().custom).toEqual({ ...a.custom, segment: 'insurer', employees: undefined });
    expect(Object.keys(res.json().custom)).not.toContain('employees');
  });

  it('refuses bad values with a path per field, in both languages, and writes nothing', async () => {
    const before = await t.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM crm_accounts`);
    const body = {
      nameZh: '坏值客户',
      kind: 'enterprise',
      confirmSimilar: true,
      custom: { nope: 1, employees: 'many', segment: 'farmer', budget: { amount: 12.5, currency: 'CNY' }, signed_on: '2026-02-30' },
    };
    const en = await repA.post('/api/v1/crm/accounts', body, { 'accept-language': 'en' });
    expect(en.statusCode).toBe(400);
    const paths = en.json().errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['custom.budget.amount', 'custom.employees', 'custom.nope', 'custom.segment', 'custom.signed_on']);
    const zh = await repA.post('/api/v1/crm/accounts', body, { 'accept-language': 'zh-CN' });
    const message = (res: typeof en, path: string) => res.json().errors.find((e: { path: string }) => e.path === path).message as string;
    // Localized from the validation catalogue, never the raw `v:` key.
    expect(message(zh, 'custom.nope')).toMatch(/[\u4e00-\u9fff]/);
    expect(message(en, 'custom.segment')).not.toMatch(/^v:/);

    const ghost = await repA.post('/api/v1/crm/accounts', { nameZh: '无名顾问', kind: 'enterprise', confirmSimilar: true, custom: { advisor: newId() } });
    expect(ghost.statusCode).toBe(422);
    expect(ghost.json().errors).toEqual([{ path: 'custom.advisor', message: expect.any(String) }]);

    expect(await t.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM crm_accounts`)).toEqual(before);
    void ownerField;
  });

  it('enforces a required field on create but not on updates that leave it alone', async () => {
    const plain = await account(repA, '必填之前');
    const required = await define({ entity: 'account', key: 'region_code', type: 'text', label: label('区域', 'Region'), required: true });
    try {
      const missing = await repA.post('/api/v1/crm/accounts', { nameZh: '缺必填', kind: 'enterprise', confirmSimilar: true });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().errors).toEqual([{ path: 'custom.region_code', message: expect.any(String) }]);
      const untouched = await repA.patch(`/api/v1/crm/accounts/${plain.id}`, { version: plain.version, notes: 'still fine' });
      expect(untouched.statusCode, untouched.body).toBe(200);
      const clearing = await repA.patch(`/api/v1/crm/accounts/${plain.id}`, { version: untouched.json().version, custom: { region_code: null } });
      expect(clearing.statusCode).toBe(400);
      await account(repA, '有必填', { region_code: 'east' });
    } finally {
      expect((await admin.post(`/api/v1/crm/custom-fields/${required.id}/archive`, { version: required.version })).statusCode).toBe(200);
    }
  });

  it('checks contacts and opportunities too, and returns their values', async () => {
    await define({ entity: 'contact', key: 'hobby', type: 'text', label: label('爱好', 'Hobby'), maxLength: 10 });
    await define({ entity: 'opportunity', key: 'win_score', type: 'number', label: label('赢率分', 'Win score') });
    const a = await account(repA, '联系人客户');
    const bad = await repA.post(`/api/v1/crm/accounts/${a.id}/contacts`, { name: '王五', level: 'decision', custom: { hobby: 'x'.repeat(11) } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('custom.hobby');
    const good = await repA.post(`/api/v1/crm/accounts/${a.id}/contacts`, { name: '王五', level: 'decision', custom: { hobby: '围棋' } });
    expect(good.statusCode, good.body).toBe(201);
    expect(good.json().custom).toEqual({ hobby: '围棋' });

    const deal = { name: '自定义商机', accountId: a.id, amount: { amount: '100.00', currency: 'CNY' }, expectedCloseDate: today };
    const wrong = await repA.post('/api/v1/crm/opportunities', { ...deal, custom: { win_score: '7' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0].path).toBe('custom.win_score');
    const created = await repA.post('/api/v1/crm/opportunities', { ...deal, custom: { win_score: 7 } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().custom).toEqual({ win_score: 7 });
    const updated = await repA.patch(`/api/v1/crm/opportunities/${created.json().id}`, { version: created.json().version, custom: { win_score: 8.5 } });
    expect(updated.statusCode, updated.body).toBe(200);
    expect((await rawCustom('crm_opportunities', created.json().id)).custom).toEqual({ win_score: 8.5 });
  });
});

describe('archive and restore', () => {
  it('archiving keeps the stored values, makes the field read-only and unfilterable; restoring brings it all back', async () => {
    const def = await define({ entity: 'account', key: 'legacy_code', type: 'text', label: label('旧编码', 'Legacy code') });
    const a = await account(repA, '归档字段客户', { legacy_code: 'L-001' });

    const archived = await admin.post(`/api/v1/crm/custom-fields/${def.id}/archive`, { version: def.version });
    expect(archived.statusCode, archived.body).toBe(200);
    expect(archived.json().archivedAt).not.toBeNull();
    expect((await rawCustom('crm_accounts', a.id)).custom).toEqual({ legacy_code: 'L-001' });
    const active = (await repA.get('/api/v1/crm/custom-fields?entity=account')).json().items.map((d: { key: string }) => d.key);
    expect(active).not.toContain('legacy_code');
    const all = (await repA.get('/api/v1/crm/custom-fields?entity=account&includeArchived=true')).json().items.map((d: { key: string }) => d.key);
    expect(all).toContain('legacy_code');

    const rewrite = await repA.patch(`/api/v1/crm/accounts/${a.id}`, { version: a.version, custom: { legacy_code: 'L-002' } });
    expect(rewrite.statusCode).toBe(400);
    expect(rewrite.json().errors[0].path).toBe('custom.legacy_code');
    // A form echoing the stored value is fine; other edits keep the archived value.
    const echo = await repA.patch(`/api/v1/crm/accounts/${a.id}`, { version: a.version, notes: 'n', custom: { legacy_code: 'L-001' } });
    expect(echo.statusCode, echo.body).toBe(200);
    expect((await rawCustom('crm_accounts', a.id)).custom).toEqual({ legacy_code: 'L-001' });
    expect((await repA.get('/api/v1/crm/accounts?cf.legacy_code=L-001')).statusCode).toBe(400);

    const restored = await admin.post(`/api/v1/crm/custom-fields/${def.id}/restore`, { version: archived.json().version });
    expect(restored.statusCode, restored.body).toBe(200);
    expect(restored.json().archivedAt).toBeNull();
    const found = await repA.get('/api/v1/crm/accounts?cf.legacy_code=L-001');
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json().items.map((x: { id: string }) => x.id)).toEqual([a.id]);
    expect(found.json().items[0].custom).toEqual({ legacy_code: 'L-001' });
  });
});

describe('filters and sorts', () => {
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    await define({ entity: 'account', key: 'score', type: 'number', label: label('评分', 'Score') });
    await define({
      entity: 'account',
      key: 'grade',
      type: 'single_select',
      label: label('等级', 'Grade'),
      options: ['gold', 'silver', 'bronze'].map((k) => ({ key: k, label: label(k, k) })),
    });
    ids['s10'] = (await account(repA, '评分十', { score: 10, grade: 'gold' })).id;
    ids['s2'] = (await account(repA, '评分二', { score: 2, grade: 'silver' })).id;
    ids['s30'] = (await account(repA, '评分三十', { score: 30.5, grade: 'bronze' })).id;
    ids['none'] = (await account(repA, '无评分', {})).id;
    ids['other'] = (await account('repB', '别人的金牌', { score: 99, grade: 'gold' })).id;
  });

  const listIds = async (client: TestClient, query: string) => {
    const res = await client.get(`/api/v1/crm/accounts?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { items: { id: string }[]; nextCursor: string | null };
  };

  it('filters by equality, any-of and ranges, within the reader scope', async () => {
    expect((await listIds(repA, 'cf.grade=gold')).items.map((x) => x.id)).toEqual([ids['s10']]);
    expect(new Set((await listIds(repA, 'cf.grade=gold,bronze')).items.map((x) => x.id))).toEqual(new Set([ids['s10'], ids['s30']]));
    expect((await listIds(repA, 'cf.score=10')).items.map((x) => x.id)).toEqual([ids['s10']]);
    expect(new Set((await listIds(repA, 'cf.score.gte=10&cf.score.lt=31')).items.map((x) => x.id))).toEqual(new Set([ids['s10'], ids['s30']]));
    // repB's gold account matches but is not repA's to see; the admin sees both.
    expect(new Set((await listIds(admin, 'cf.grade=gold')).items.map((x) => x.id))).toEqual(new Set([ids['s10'], ids['other']]));
    expect((await listIds(await t.as('repB'), 'cf.grade=gold')).items.map((x) => x.id)).toEqual([ids['other']]);
  });

  it('sorts by a field both ways, records without a value last, across pages', async () => {
    const walk = async (sort: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await listIds(repA, `sort=${sort}&limit=2&q=${encodeURIComponent('评分')}${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.items.map((x) => x.id));
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    // `q=评分` also finds 无评分, which has no score: last in both directions.
    expect(await walk('cf.score')).toEqual([ids['s2'], ids['s10'], ids['s30'], ids['none']]);
    expect(await walk('-cf.score')).toEqual([ids['s30'], ids['s10'], ids['s2'], ids['none']]);
    // bronze < gold < silver as text
    expect(await walk('cf.grade')).toEqual([ids['s30'], ids['s10'], ids['s2'], ids['none']]);
    expect(await walk('-cf.grade')).toEqual([ids['s2'], ids['s10'], ids['s30'], ids['none']]);
  });

  it('refuses unknown fields, bad operands and operators that do not apply, with query paths', async () => {
    const bad = async (query: string, path: string) => {
      const res = await repA.get(`/api/v1/crm/accounts?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    };
    await bad('cf.nothing=1', 'query.cf.nothing');
    await bad('cf.score=abc', 'query.cf.score');
    await bad('cf.grade.gte=gold', 'query.cf.grade.gte');
    await bad('cf.grade=platinum', 'query.cf.grade');
    await bad('sort=cf.nothing', 'query.sort');
    await bad('sort=cf.labels', 'query.sort');
    await bad('nonsense=1', 'query.nonsense');
  });

  it('filters and sorts opportunities and contacts by their own fields', async () => {
    await define({ entity: 'opportunity', key: 'priority', type: 'number', label: label('优先级', 'Priority') });
    await define({
      entity: 'contact',
      key: 'channel',
      type: 'single_select',
      label: label('渠道', 'Channel'),
      options: ['phone', 'wechat'].map((k) => ({ key: k, label: label(k, k) })),
    });
    const a = ids['s10']!;
    const deal = async (name: string, priority?: number) => {
      const res = await repA.post('/api/v1/crm/opportunities', {
        name,
        accountId: a,
        amount: { amount: '10.00', currency: 'CNY' },
        expectedCloseDate: today,
        ...(priority !== undefined ? { custom: { priority } } : {}),
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    const p1 = await deal('优先一', 1);
    const p3 = await deal('优先三', 3);
    const p0 = await deal('无优先');
    const byPriority = await repA.get(`/api/v1/crm/opportunities?accountId=${a}&sort=-cf.priority&limit=2`);
    expect(byPriority.statusCode, byPriority.body).toBe(200);
    expect(byPriority.json().items.map((x: { id: string }) => x.id)).toEqual([p3, p1]);
    const next = await repA.get(`/api/v1/crm/opportunities?accountId=${a}&sort=-cf.priority&limit=2&cursor=${byPriority.json().nextCursor}`);
    expect(next.json().items.map((x: { id: string }) => x.id)).toEqual([p0]);
    const filtered = await repA.get(`/api/v1/crm/opportunities?accountId=${a}&cf.priority.gt=1`);
    expect(filtered.json().items.map((x: { id: string }) => x.id)).toEqual([p3]);
    // Another rep's scope hides the deal whatever the filter says.
    expect((await (await t.as('repC')).get(`/api/v1/crm/opportunities?cf.priority=3`)).json().items).toEqual([]);

    const phone = await repA.post(`/api/v1/crm/accounts/${a}/contacts`, { name: '电话联系人', level: 'execution', custom: { channel: 'phone' } });
    const wechat = await repA.post(`/api/v1/crm/accounts/${a}/contacts`, { name: '微信联系人', level: 'decision', custom: { channel: 'wechat' } });
    expect(phone.statusCode, phone.body).toBe(201);
    const onWechat = await repA.get(`/api/v1/crm/accounts/${a}/contacts?cf.channel=wechat`);
    expect(onWechat.json().items.map((x: { id: string }) => x.id)).toEqual([wechat.json().id]);
    const sorted = await repA.get(`/api/v1/crm/accounts/${a}/contacts?sort=cf.channel`);
    expect(sorted.json().items.map((x: { id: string }) => x.id)).toEqual([phone.json().id, wechat.json().id]);
    // The account is not repB's: 404, filter or not.
    expect((await (await t.as('repB')).get(`/api/v1/crm/accounts/${a}/contacts?cf.channel=wechat`)).statusCode).toBe(404);
  });
});

describe('sort indexes', () => {
  const indexes = async () =>
    (await t.rows<{ indexname: string }>(sql`SELECT indexname FROM pg_indexes WHERE indexname LIKE 'cf\_%' ORDER BY indexname`)).map((r) => r.indexname);

  it('a sortable field gets its expression indexes, which follow archive, restore and the flag', async () => {
    const def = await define({ entity: 'opportunity', key: 'weight', type: 'decimal_money', label: label('权重', 'Weight'), sortable: true });
    expect(await indexes()).toEqual(expect.arrayContaining(['cf_opp_weight_desc_idx', 'cf_opp_weight_idx']));
    const archived = await admin.post(`/api/v1/crm/custom-fields/${def.id}/archive`, { version: def.version });
    expect(await indexes()).not.toContain('cf_opp_weight_idx');
    const restored = await admin.post(`/api/v1/crm/custom-fields/${def.id}/restore`, { version: archived.json().version });
    expect(restored.json().sortable).toBe(true);
    expect(await indexes()).toContain('cf_opp_weight_idx');
    const off = await admin.patch(`/api/v1/crm/custom-fields/${def.id}`, { version: restored.json().version, sortable: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(await indexes()).not.toContain('cf_opp_weight_idx');
    expect(await indexes()).not.toContain('cf_opp_weight_desc_idx');

    const multi = await admin.post('/api/v1/crm/custom-fields', {
      entity: 'opportunity',
      key: 'multi_sorted',
      type: 'multi_select',
      label: label('多选', 'Multi'),
      options: [{ key: 'a', label: label('a', 'a') }],
      sortable: true,
    });
    expect(multi.statusCode).toBe(400);
    expect(multi.json().errors).toEqual([{ path: 'sortable', message: expect.any(String) }]);
  });

  it('a non-admin cannot flag a field sortable (403), and no index appears', async () => {
    const before = await indexes();
    const [field] = (await admin.get('/api/v1/crm/custom-fields?entity=account')).json().items.filter((d: { key: string }) => d.key === 'employees');
    expect((await (await t.as('managerT1')).patch(`/api/v1/crm/custom-fields/${field.id}`, { version: field.version, sortable: true })).statusCode).toBe(403);
    expect(await indexes()).toEqual(before);
  });
});
