import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureUser, type TestApp, type TestClient, createTestApp } from '../../testing/test-app.ts';
import { demoUscc } from './seed-accounts.ts';

/**
 * GET /api/v1/crm/search: accounts by Chinese or English name, short name and USCC; contacts by
 * name, phone and email; only what the caller may read; exact matches before the rest.
 *
 *   repA (t1):  杭州星河科技有限公司 (Bluecrest Technology, 星河科技, USCC), contacts 张伟, 王建华, 张伟华
 *   repA (t1):  星河 (a two-character name: the exact match), archived 星河旧档 with a contact 张伟 (never found)
 *   repD (t3):  宁波星河物流有限公司, contact 李华 (phone +86 139 1234 5678)
 */

let t: TestApp;
let repA: TestClient;
const ids: Record<string, string> = {};
const USCC = demoUscc('enterprise', '330100', 4242);

async function account(who: FixtureUser, body: Record<string, unknown>): Promise<string> {
  const res = await (await t.as(who)).post('/api/v1/crm/accounts', { kind: 'enterprise', confirmSimilar: true, ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function contact(who: FixtureUser, accountId: string, body: Record<string, unknown>): Promise<string> {
  const res = await (await t.as(who)).post(`/api/v1/crm/accounts/${accountId}/contacts`, { level: 'management', ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

type Hit = { type: 'account' | 'contact'; id: string; title: string; subtitle: string | null; accountId: string };

async function search(client: TestClient, q: string, limit?: number): Promise<Hit[]> {
  const res = await client.get(`/api/v1/crm/search?q=${encodeURIComponent(q)}${limit ? `&limit=${limit}` : ''}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}

beforeAll(async () => {
  t = await createTestApp();
  repA = await t.as('repA');
  ids['xinghe'] = await account('repA', { nameZh: '杭州星河科技有限公司', nameEn: 'Bluecrest Technology Co., Ltd.', shortName: '星河科技', uscc: USCC });
  ids['short'] = await account('repA', { nameZh: '星河' });
  ids['archived'] = await account('repA', { nameZh: '星河旧档' });
  ids['archivedContact'] = await contact('repA', ids['archived'], { name: '张伟' });
  const archived = await repA.post(`/api/v1/crm/accounts/${ids['archived']}/archive`, { version: 1 });
  expect(archived.statusCode, archived.body).toBe(200);
  ids['zhangwei'] = await contact('repA', ids['xinghe'], { name: '张伟', title: '信息中心主任', emails: ['zhang.wei@example.cn'] });
  ids['wangjianhua'] = await contact('repA', ids['xinghe'], { name: '王建华' });
  ids['zhangweihua'] = await contact('repA', ids['xinghe'], { name: '张伟华' });
  ids['ningbo'] = await account('repD', { nameZh: '宁波星河物流有限公司' });
  ids['lihua'] = await contact('repD', ids['ningbo'], { name: '李华', phones: ['+86 139 1234 5678'] });
});
afterAll(async () => {
  await t.close();
});

describe('finding by name', () => {
  it('finds a contact by two characters of a name, with the account as subtitle', async () => {
    const hits = await search(repA, '建华');
    expect(hits).toEqual([{ type: 'contact', id: ids['wangjianhua'], title: '王建华', subtitle: '杭州星河科技有限公司', accountId: ids['xinghe'] }]);
  });

  it('finds by a single character, and puts the exact name before longer ones', async () => {
    const titles = (await search(repA, '伟')).map((h) => h.title);
    expect(titles).toEqual(['张伟', '张伟华']);
    const exact = await search(repA, '张伟');
    expect(exact.map((h) => h.title)).toEqual(['张伟', '张伟华']);
    expect(exact[0]).toMatchObject({ subtitle: '信息中心主任 · 杭州星河科技有限公司' });
  });

  it('ranks an exact account name first, then names that start with it, then the rest', async () => {
    const hits = await search(repA, '星河');
    expect(hits.map((h) => h.id)).toEqual([ids['short'], ids['xinghe']]);
  });

  it('finds accounts by English name (any case), short name and USCC', async () => {
    expect((await search(repA, 'bluecrest')).map((h) => h.id)).toEqual([ids['xinghe']]);
    expect((await search(repA, '星河科技')).map((h) => h.id)).toEqual([ids['xinghe']]);
    const byCode = await search(repA, USCC.toLowerCase());
    expect(byCode).toEqual([{ type: 'account', id: ids['xinghe'], title: '杭州星河科技有限公司', subtitle: 'Bluecrest Technology Co., Ltd.', accountId: ids['xinghe'] }]);
  });

  it('finds contacts by email and by phone as typed', async () => {
    expect((await search(repA, 'Zhang.Wei@')).map((h) => h.id)).toEqual([ids['zhangwei']]);
    const admin = await t.as('admin');
    for (const q of ['139 1234 5678', '+86-139-1234-5678', '5678']) {
      expect((await search(admin, q)).map((h) => h.id), q).toEqual([ids['lihua']]);
    }
  });

  it('treats LIKE wildcards as text', async () => {
    expect(await search(repA, '%')).toEqual([]);
    expect(await search(repA, '星_')).toEqual([]);
  });

  it('honours the limit', async () => {
    expect(await search(repA, '华', 1)).toHaveLength(1);
  });
});

describe('scope', () => {
  it('shows only what the caller may read: another team’s account and its contacts are not found', async () => {
    const mine = await search(repA, '星河');
    expect(mine.map((h) => h.id)).not.toContain(ids['ningbo']);
    expect((await search(repA, '李华')).map((h) => h.id)).toEqual([]);
    const theirs = await search(await t.as('repD'), '星河');
    expect(theirs.map((h) => h.id)).toEqual([ids['ningbo']]);
    const exec = await search(await t.as('exec'), '星河');
    expect(exec.map((h) => h.id).sort()).toEqual([ids['short'], ids['xinghe'], ids['ningbo']].sort());
  });

  it('finds an account team member’s shared account even without a CRM role, and nothing else', async () => {
    const engineer = await t.as('engineer');
    expect(await search(engineer, '星河')).toEqual([]);
    const add = await repA.post(`/api/v1/crm/accounts/${ids['xinghe']}/team`, { userId: t.fixture.users.engineer, role: 'solution' });
    expect(add.statusCode, add.body).toBe(201);
    expect((await search(engineer, '星河')).map((h) => h.id)).toEqual([ids['xinghe']]);
    expect((await search(engineer, '张伟')).map((h) => h.id)).toEqual([ids['zhangwei'], ids['zhangweihua']]);
    expect(await search(engineer, '宁波')).toEqual([]);
    expect(await search(engineer, '李华')).toEqual([]);
  });

  it('never finds archived accounts nor their contacts, whatever the caller’s scope', async () => {
    const admin = await t.as('admin');
    expect(await search(admin, '旧档')).toEqual([]);
    // Two live 张伟-contacts and one on the archived account: the exact one on the archive is left
    // out both when all hits fit (limit 20) and when the best candidates are cut short (limit 1).
    expect((await search(admin, '张伟')).map((h) => h.id)).toEqual([ids['zhangwei'], ids['zhangweihua']]);
    expect((await search(admin, '张伟', 1)).map((h) => h.id)).toEqual([ids['zhangwei']]);
    expect((await search(repA, '张伟')).map((h) => h.id)).toEqual([ids['zhangwei'], ids['zhangweihua']]);
  });

  it('refuses an empty or over-long query and a bad limit (400)', async () => {
    for (const url of ['/api/v1/crm/search?q=', '/api/v1/crm/search', `/api/v1/crm/search?q=${'长'.repeat(101)}`, '/api/v1/crm/search?q=a&limit=0']) {
      expect((await repA.get(encodeURI(url))).statusCode, url).toBe(400);
    }
    expect((await t.anon().get('/api/v1/crm/search?q=a')).statusCode).toBe(401);
  });
});
